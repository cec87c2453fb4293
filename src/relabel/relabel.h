#ifndef PJ_RELABEL_RELABEL_H
#define PJ_RELABEL_RELABEL_H

/*
 * The Prometheus relabel engine as Alloy's `rule` blocks configure it
 * (spec section 9): rules are validated and compiled once, then applied to
 * label sets in order until one drops the set.
 *
 *   relabel_rule_config cfg = {.source_labels = src, .n_source_labels = 1,
 *                              .regex = ".*java.*", .action = "keep"};
 *   char *err;
 *   relabel_rules *rules = relabel_rules_compile(&cfg, 1, &err);
 *   pj_labels out = PJ_LABELS_INIT;
 *   bool keep = relabel_apply(rules, &target, &out);
 *
 * A compiled rule list is immutable and reference counted, so the exported
 * `rules` value can be shared by components and applied from any thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relabel/labels.h"

typedef enum relabel_action {
	RELABEL_REPLACE,
	RELABEL_KEEP,
	RELABEL_DROP,
	RELABEL_HASHMOD,
	RELABEL_LABELMAP,
	RELABEL_LABELDROP,
	RELABEL_LABELKEEP,
	RELABEL_LOWERCASE,
	RELABEL_UPPERCASE,
	RELABEL_KEEPEQUAL,
	RELABEL_DROPEQUAL,
} relabel_action;

/*
 * One `rule` block as written. A NULL field was not given and takes Alloy's
 * default: separator ";", regex "(.*)", target_label "", replacement "$1",
 * action "replace". source_labels NULL means not given; a non-NULL pointer
 * with n_source_labels 0 is an explicitly empty list (which labeldrop and
 * labelkeep reject, as Alloy does).
 */
typedef struct relabel_rule_config {
	const char *const *source_labels;
	size_t n_source_labels;
	const char *separator;
	const char *regex;
	uint64_t modulus;
	const char *target_label;
	const char *replacement;
	const char *action;
} relabel_rule_config;

typedef struct relabel_rules relabel_rules;

/*
 * Alloy's checks of one block: the action name, the regex, then the messages
 * of spec 9.2. Returns false and sets *err (caller frees). Lets a caller
 * report the position of the offending block before compiling the list.
 */
bool relabel_rule_validate(const relabel_rule_config *cfg, char **err);

/* Validates and compiles n rules (n may be 0). Returns NULL and sets *err on the first bad rule. */
relabel_rules *relabel_rules_compile(const relabel_rule_config *cfgs, size_t n, char **err);
relabel_rules *relabel_rules_ref(relabel_rules *r);
void relabel_rules_unref(relabel_rules *r);
size_t relabel_rules_count(const relabel_rules *r);

/*
 * Runs the rules over `in` and leaves the result in `out` (replacing its old
 * contents; out may not alias in). Returns false when a rule dropped the set;
 * out then holds the labels as they were at the dropping rule.
 */
bool relabel_apply(const relabel_rules *r, const pj_labels *in, pj_labels *out);

/* Action names as Alloy spells them; false for an unknown (case-sensitive) name. */
bool relabel_action_parse(const char *name, relabel_action *out);
const char *relabel_action_name(relabel_action a);

#endif
