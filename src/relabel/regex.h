#ifndef PJ_RELABEL_REGEX_H
#define PJ_RELABEL_REGEX_H

/*
 * Relabel regular expressions: Go (RE2) syntax, always fully anchored the way
 * Prometheus does it (`^(?s:<pattern>)$`), matched with PCRE2 (JIT when the
 * platform has it) after translation by relabel_re2_translate.
 *
 * Subjects may be arbitrary bytes (command lines are). Go reads each invalid
 * UTF-8 byte as U+FFFD, so such subjects are matched through a copy with those
 * bytes replaced by U+FFFD, and capture offsets are mapped back to the
 * original bytes: captures then hold exactly the bytes Go would return.
 *
 * A compiled regex is immutable and can be shared between threads; the
 * per-call state lives in a relabel_scratch owned by the caller.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define RELABEL_UNSET SIZE_MAX /* offset of a group that did not take part */

typedef struct relabel_regex relabel_regex;

typedef struct relabel_scratch {
	void *match_data; /* pcre2_match_data, grown on demand */
	uint32_t match_pairs;
	pj_buf clean; /* the U+FFFD-substituted subject */
	size_t *map; /* clean offset -> original offset */
	size_t map_cap;
} relabel_scratch;

#define RELABEL_SCRATCH_INIT {NULL, 0, PJ_BUF_INIT, NULL, 0}

/* Compiles `pattern` as Alloy does. Returns NULL and sets *err (caller frees). */
relabel_regex *relabel_regex_compile(const char *pattern, size_t len, char **err);
void relabel_regex_free(relabel_regex *re);
/* The pattern as the user wrote it (not anchored). */
const char *relabel_regex_source(const relabel_regex *re);
/* Capturing groups, not counting the whole match. */
size_t relabel_regex_ngroups(const relabel_regex *re);
/* Name of group i (1-based), or NULL. */
const char *relabel_regex_group_name(const relabel_regex *re, size_t i);

/*
 * Searches s for the leftmost match, as Go's FindStringSubmatchIndex does.
 * For ordinary patterns the anchoring makes that a match of the whole subject;
 * a pattern that closes the anchoring group itself, such as `a)|(b`, is only
 * partly anchored, exactly as in Alloy. When ovec is not NULL it receives
 * 2 * (ngroups + 1) offsets into s (RELABEL_UNSET for groups that did not
 * take part). A match that exceeds PCRE2's resource limits counts as no match.
 */
bool relabel_regex_match(const relabel_regex *re, const char *s, size_t len, relabel_scratch *sc, size_t *ovec);

/* Go's ReplaceAllString(s, tmpl): appends s with every match replaced by the expanded template. */
void relabel_replace_all(const relabel_regex *re, const char *s, size_t len, const char *tmpl, size_t tmpl_len,
	relabel_scratch *sc, pj_buf *out);

void relabel_scratch_free(relabel_scratch *sc);

/*
 * Go's Regexp.Expand: appends `tmpl` to out with $1, ${1}, $name, ${name} and
 * $$ replaced using the match of subject s (ovec as relabel_regex_match gives).
 */
void relabel_expand(const relabel_regex *re, const char *tmpl, size_t tmpl_len, const char *s, const size_t *ovec,
	pj_buf *out);

#endif
