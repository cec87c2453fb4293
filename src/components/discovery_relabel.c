/*
 * The discovery.relabel component. The `rule` blocks are checked while the
 * body is decoded (so a bad rule is reported where it is written), compiled
 * once per change of the rules, and every target is run through them on each
 * evaluation: Alloy caches nothing here either.
 */
#include "components/discovery_relabel.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/goquote.h"
#include "components/targets_value.h"
#include "relabel/regex.h"

static void rules_retain(void *p)
{
	relabel_rules_ref(p);
}

static void rules_release(void *p)
{
	relabel_rules_unref(p);
}

const pj_capsule_type pj_relabel_rules_capsule = {"relabel.Rules", rules_retain, rules_release};

const relabel_rules *pj_relabel_rules_of(const pj_value *v)
{
	if (!v || pj_value_kind(v) != PJ_CAPSULE || pj_capsule_type_of(v) != &pj_relabel_rules_capsule)
		return NULL;
	return pj_capsule_ptr(v);
}

/* Alloy's Action.UnmarshalText: reported on the attribute, like any value error. */
static bool check_action(const pj_value *v, char **err)
{
	size_t len;
	const char *s = pj_value_str(v, &len);
	relabel_action a;
	if (s && strlen(s) == len && relabel_action_parse(s, &a))
		return true;
	pj_buf b = PJ_BUF_INIT;
	pj_buf_puts(&b, "unrecognized action type ");
	pj_buf_put_goquoted(&b, s ? s : "", s ? len : 0);
	*err = pj_buf_detach(&b);
	return false;
}

/* Alloy's Regexp.UnmarshalText compiles the anchored pattern as the value is decoded. */
static bool check_regex(const pj_value *v, char **err)
{
	size_t len;
	const char *s = pj_value_str(v, &len);
	relabel_regex *re = relabel_regex_compile(s ? s : "", s ? len : 0, err);
	if (!re)
		return false;
	relabel_regex_free(re);
	return true;
}

/* The config view of one decoded rule object; source label strings are borrowed from it. */
static relabel_rule_config rule_config(const pj_value *rule, const char ***labels)
{
	relabel_rule_config c = {
		.separator = pj_arg_str(rule, "separator"),
		.regex = pj_arg_str(rule, "regex"),
		.modulus = pj_arg_uint(rule, "modulus"),
		.target_label = pj_arg_str(rule, "target_label"),
		.replacement = pj_arg_str(rule, "replacement"),
		.action = pj_arg_str(rule, "action"),
	};
	const pj_value *src = pj_object_get(rule, "source_labels");
	*labels = NULL;
	if (!src || pj_value_kind(src) != PJ_ARRAY)
		return c;
	size_t n = pj_array_len(src);
	*labels = pj_calloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		size_t len;
		(*labels)[i] = pj_value_str(pj_array_get(src, i), &len);
	}
	c.source_labels = *labels;
	c.n_source_labels = n;
	return c;
}

/* Config.Validate, run when a rule block has been decoded. */
static bool validate_rule(const pj_value *rule, char **err)
{
	const char **labels;
	relabel_rule_config c = rule_config(rule, &labels);
	bool ok = relabel_rule_validate(&c, err);
	free(labels);
	return ok;
}

static const pj_attr_schema rule_attrs[] = {
	{"source_labels", &pj_type_string_list, NULL, false, NULL},
	{"separator", &pj_type_string, "\";\"", false, NULL},
	{"regex", &pj_type_string, "\"(.*)\"", false, check_regex},
	{"modulus", &pj_type_uint, NULL, false, NULL},
	{"target_label", &pj_type_string, NULL, false, NULL},
	{"replacement", &pj_type_string, "\"$1\"", false, NULL},
	{"action", &pj_type_string, "\"replace\"", false, check_action},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema rule_schema = {rule_attrs, NULL, validate_rule};

static const pj_attr_schema relabel_attrs[] = {
	{"targets", &pj_type_targets, NULL, true, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_block_schema relabel_blocks[] = {
	{"rule", &rule_schema, PJ_BLOCK_REPEATED | PJ_BLOCK_POSITION_ERRORS},
	{NULL, NULL, 0},
};
static const pj_schema relabel_args = {relabel_attrs, relabel_blocks, NULL};

static const pj_type rules_type = {PJ_TYPE_CAPSULE, NULL, "relabel.Rules"};
static const pj_attr_schema relabel_export_attrs[] = {
	{"output", &pj_type_targets, NULL, false, NULL},
	{"rules", &rules_type, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema relabel_exports = {relabel_export_attrs, NULL, NULL};

typedef struct relabel_state {
	pj_component *self;
	pj_value *rule_args; /* the decoded `rule` list the compiled rules came from */
	relabel_rules *rules;
} relabel_state;

static relabel_rules *compile_rules(const pj_value *list, char **err)
{
	size_t n = list ? pj_array_len(list) : 0;
	relabel_rule_config *cfgs = pj_calloc(n ? n : 1, sizeof(*cfgs));
	const char ***labels = pj_calloc(n ? n : 1, sizeof(*labels));
	for (size_t i = 0; i < n; i++)
		cfgs[i] = rule_config(pj_array_get(list, i), &labels[i]);
	relabel_rules *r = relabel_rules_compile(cfgs, n, err);
	for (size_t i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
	free(cfgs);
	return r;
}

/* Swaps in the rules of args unless they are the ones already compiled. */
static bool set_rules(relabel_state *s, const pj_value *args, char **err)
{
	const pj_value *list = pj_object_get(args, "rule");
	if (s->rules && s->rule_args && list && pj_value_equal(s->rule_args, list))
		return true;
	relabel_rules *r = compile_rules(list, err);
	if (!r)
		return false;
	relabel_rules_unref(s->rules);
	s->rules = r;
	if (s->rule_args)
		pj_value_unref(s->rule_args);
	s->rule_args = list ? pj_value_ref(list) : NULL;
	return true;
}

static bool evaluate(relabel_state *s, const pj_value *args, char **err)
{
	if (!set_rules(s, args, err))
		return false;
	pj_targets in = PJ_TARGETS_INIT, out = PJ_TARGETS_INIT;
	if (!pj_targets_from_value(pj_object_get(args, "targets"), &in, err))
		return false;
	pj_labels result = PJ_LABELS_INIT;
	for (size_t i = 0; i < in.len; i++) {
		if (relabel_apply(s->rules, &in.items[i], &result))
			pj_targets_push_move(&out, &result);
	}
	pj_labels_free(&result);
	pj_value *exports = pj_object_new();
	pj_object_set(exports, "output", pj_targets_to_value(&out));
	pj_object_set(exports, "rules", pj_capsule(&pj_relabel_rules_capsule, s->rules));
	pj_component_export(s->self, exports);
	pj_targets_free(&in);
	pj_targets_free(&out);
	return true;
}

static void relabel_destroy(void *state)
{
	relabel_state *s = state;
	relabel_rules_unref(s->rules);
	if (s->rule_args)
		pj_value_unref(s->rule_args);
	free(s);
}

static void *relabel_build(pj_component *self, const pj_value *args, char **err)
{
	relabel_state *s = pj_calloc(1, sizeof(*s));
	s->self = self;
	if (!evaluate(s, args, err)) {
		relabel_destroy(s);
		return NULL;
	}
	return s;
}

static bool relabel_update(void *state, const pj_value *args, char **err)
{
	return evaluate(state, args, err);
}

const pj_component_type pj_discovery_relabel_type = {
	.name = "discovery.relabel",
	.args = &relabel_args,
	.exports = &relabel_exports,
	.build = relabel_build,
	.update = relabel_update,
	.destroy = relabel_destroy,
};
