#include "relabel/relabel.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/goquote.h"
#include "base/md5.h"
#include "relabel/regex.h"
#include "base/unicode.h"
#include "base/utf8.h"

#define DEFAULT_SEPARATOR ";"
#define DEFAULT_REGEX "(.*)"
#define DEFAULT_REPLACEMENT "$1"
#define DEFAULT_ACTION "replace"

typedef struct rule {
	relabel_action action;
	char **source_labels;
	size_t n_source_labels;
	char *separator;
	relabel_regex *regex;
	uint64_t modulus;
	char *target_label;
	char *replacement;
} rule;

struct relabel_rules {
	atomic_size_t refs;
	rule *rules;
	size_t n;
};

static const char *const action_names[] = {
	[RELABEL_REPLACE] = "replace",
	[RELABEL_KEEP] = "keep",
	[RELABEL_DROP] = "drop",
	[RELABEL_HASHMOD] = "hashmod",
	[RELABEL_LABELMAP] = "labelmap",
	[RELABEL_LABELDROP] = "labeldrop",
	[RELABEL_LABELKEEP] = "labelkeep",
	[RELABEL_LOWERCASE] = "lowercase",
	[RELABEL_UPPERCASE] = "uppercase",
	[RELABEL_KEEPEQUAL] = "keepequal",
	[RELABEL_DROPEQUAL] = "dropequal",
};

bool relabel_action_parse(const char *name, relabel_action *out)
{
	for (size_t i = 0; i < sizeof action_names / sizeof action_names[0]; i++)
		if (strcmp(name, action_names[i]) == 0) {
			*out = (relabel_action)i;
			return true;
		}
	return false;
}

const char *relabel_action_name(relabel_action a)
{
	return action_names[a];
}

static bool fail_quoted(char **err, const char *value, const char *what, relabel_action a)
{
	pj_buf b = PJ_BUF_INIT;
	pj_quote_go(&b, value, strlen(value));
	pj_buf_printf(&b, " is invalid '%s' for %s action", what, relabel_action_name(a));
	*err = pj_buf_detach(&b);
	return false;
}

/* Label names follow prometheus/common's UTF-8 scheme: any non-empty valid UTF-8. */
static bool valid_label_name(const char *s)
{
	return s[0] != '\0' && pj_utf8_valid(s, strlen(s));
}

static bool is_word(char c)
{
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Alloy's ^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$: word characters and
 * $-references only, not starting with a digit.
 */
static bool valid_template_name(const char *s)
{
	if (s[0] >= '0' && s[0] <= '9')
		return false;
	size_t i = 0;
	if (s[0] == '\0')
		return false;
	while (s[i]) {
		if (is_word(s[i])) {
			i++;
			continue;
		}
		if (s[i] != '$')
			return false;
		i++;
		size_t start = i + (s[i] == '{');
		size_t k = start;
		while (is_word(s[k]))
			k++;
		if (k == start)
			return false;
		if (s[i] == '{') {
			if (s[k] != '}')
				return false;
			k++;
		}
		i = k;
	}
	return true;
}

static bool needs_target(relabel_action a)
{
	return a == RELABEL_REPLACE || a == RELABEL_HASHMOD || a == RELABEL_LOWERCASE || a == RELABEL_UPPERCASE ||
	       a == RELABEL_KEEPEQUAL || a == RELABEL_DROPEQUAL;
}

static bool is_case_or_equal(relabel_action a)
{
	return a == RELABEL_LOWERCASE || a == RELABEL_UPPERCASE || a == RELABEL_KEEPEQUAL || a == RELABEL_DROPEQUAL;
}

/* The checks of Alloy's Config.Validate, in its order, for a known action. */
static bool validate_fields(const relabel_rule_config *c, relabel_action a, char **err)
{
	const char *target = c->target_label ? c->target_label : "";
	const char *sep = c->separator ? c->separator : DEFAULT_SEPARATOR;
	const char *repl = c->replacement ? c->replacement : DEFAULT_REPLACEMENT;
	const char *regex = c->regex ? c->regex : DEFAULT_REGEX;
	const char *name = relabel_action_name(a);
	if (a == RELABEL_HASHMOD && c->modulus == 0) {
		*err = pj_strdup("relabel configuration for hashmod requires non-zero modulus");
		return false;
	}
	if (needs_target(a) && target[0] == '\0') {
		*err = pj_asprintf("relabel configuration for %s action requires 'target_label' value", name);
		return false;
	}
	if (a == RELABEL_REPLACE && !strchr(target, '$') && !valid_label_name(target))
		return fail_quoted(err, target, "target_label", a);
	if (a == RELABEL_REPLACE && strchr(target, '$') && !valid_template_name(target))
		return fail_quoted(err, target, "target_label", a);
	if (is_case_or_equal(a) && !valid_label_name(target))
		return fail_quoted(err, target, "target_label", a);
	if (is_case_or_equal(a) && strcmp(repl, DEFAULT_REPLACEMENT) != 0) {
		*err = pj_asprintf("'replacement' can not be set for %s action", name);
		return false;
	}
	if (a == RELABEL_LABELMAP && !valid_template_name(repl))
		return fail_quoted(err, repl, "replacement", a);
	if (a == RELABEL_HASHMOD && !valid_label_name(target))
		return fail_quoted(err, target, "target_label", a);
	if ((a == RELABEL_LABELDROP || a == RELABEL_LABELKEEP) &&
	    (c->source_labels || target[0] != '\0' || c->modulus != 0 || strcmp(sep, DEFAULT_SEPARATOR) != 0 ||
		    strcmp(repl, DEFAULT_REPLACEMENT) != 0)) {
		*err = pj_asprintf("%s action requires only 'regex', and no other fields", name);
		return false;
	}
	if ((a == RELABEL_KEEPEQUAL || a == RELABEL_DROPEQUAL) &&
	    (strcmp(regex, DEFAULT_REGEX) != 0 || c->modulus != 0 || strcmp(sep, DEFAULT_SEPARATOR) != 0 ||
		    strcmp(repl, DEFAULT_REPLACEMENT) != 0)) {
		*err = pj_asprintf("%s action requires only 'source_labels' and 'target_label', and no other fields", name);
		return false;
	}
	return true;
}

static bool parse_action(const relabel_rule_config *c, relabel_action *a, char **err)
{
	const char *name = c->action ? c->action : DEFAULT_ACTION;
	if (relabel_action_parse(name, a))
		return true;
	pj_buf b = PJ_BUF_INIT;
	pj_buf_puts(&b, "unrecognized action type ");
	pj_quote_go(&b, name, strlen(name));
	*err = pj_buf_detach(&b);
	return false;
}

static void rule_release(rule *r)
{
	for (size_t i = 0; i < r->n_source_labels; i++)
		free(r->source_labels[i]);
	free(r->source_labels);
	free(r->separator);
	relabel_regex_free(r->regex);
	free(r->target_label);
	free(r->replacement);
}

static bool rule_build(const relabel_rule_config *c, rule *r, char **err)
{
	relabel_action a;
	if (!parse_action(c, &a, err))
		return false;
	const char *regex = c->regex ? c->regex : DEFAULT_REGEX;
	relabel_regex *re = relabel_regex_compile(regex, strlen(regex), err);
	if (!re)
		return false;
	if (!validate_fields(c, a, err)) {
		relabel_regex_free(re);
		return false;
	}
	*r = (rule){.action = a, .regex = re, .modulus = c->modulus};
	r->n_source_labels = c->source_labels ? c->n_source_labels : 0;
	r->source_labels = pj_calloc(r->n_source_labels, sizeof(char *));
	for (size_t i = 0; i < r->n_source_labels; i++)
		r->source_labels[i] = pj_strdup(c->source_labels[i]);
	r->separator = pj_strdup(c->separator ? c->separator : DEFAULT_SEPARATOR);
	r->target_label = pj_strdup(c->target_label ? c->target_label : "");
	r->replacement = pj_strdup(c->replacement ? c->replacement : DEFAULT_REPLACEMENT);
	return true;
}

bool relabel_rule_validate(const relabel_rule_config *cfg, char **err)
{
	rule r;
	if (!rule_build(cfg, &r, err))
		return false;
	rule_release(&r);
	return true;
}

relabel_rules *relabel_rules_compile(const relabel_rule_config *cfgs, size_t n, char **err)
{
	relabel_rules *rs = pj_calloc(1, sizeof *rs);
	atomic_init(&rs->refs, 1);
	rs->rules = pj_calloc(n, sizeof(rule));
	for (; rs->n < n; rs->n++) {
		if (!rule_build(&cfgs[rs->n], &rs->rules[rs->n], err)) {
			relabel_rules_unref(rs);
			return NULL;
		}
	}
	return rs;
}

relabel_rules *relabel_rules_ref(relabel_rules *r)
{
	atomic_fetch_add(&r->refs, 1);
	return r;
}

void relabel_rules_unref(relabel_rules *r)
{
	if (!r || atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	for (size_t i = 0; i < r->n; i++)
		rule_release(&r->rules[i]);
	free(r->rules);
	free(r);
}

size_t relabel_rules_count(const relabel_rules *r)
{
	return r->n;
}

/* Per-call working memory, so compiled rules stay shareable between threads. */
typedef struct apply_state {
	relabel_scratch scratch;
	pj_buf value; /* joined source labels */
	pj_buf a, b; /* expansion results */
	size_t *ovec;
	size_t ovec_cap;
	pj_labels snapshot;
} apply_state;

static size_t *ovec_for(apply_state *st, const relabel_regex *re)
{
	st->ovec = pj_grow(st->ovec, &st->ovec_cap, 2 * (relabel_regex_ngroups(re) + 1), sizeof(size_t));
	return st->ovec;
}

static void join_sources(const rule *r, const pj_labels *l, pj_buf *out)
{
	pj_buf_reset(out);
	for (size_t i = 0; i < r->n_source_labels; i++) {
		if (i > 0)
			pj_buf_puts(out, r->separator);
		const pj_label *lb = pj_labels_find(l, r->source_labels[i], strlen(r->source_labels[i]));
		if (lb)
			pj_buf_append(out, lb->value, lb->value_len);
	}
}

static bool label_equals(const pj_labels *l, const char *name, const pj_buf *v)
{
	const pj_label *lb = pj_labels_find(l, name, strlen(name));
	size_t len = lb ? lb->value_len : 0;
	return len == v->len && (len == 0 || memcmp(lb->value, v->data, len) == 0);
}

static void do_replace(const rule *r, pj_labels *l, apply_state *st)
{
	size_t *ov = ovec_for(st, r->regex);
	const char *v = pj_buf_cstr(&st->value);
	if (!relabel_regex_match(r->regex, v, st->value.len, &st->scratch, ov))
		return;
	pj_buf_reset(&st->a);
	relabel_expand(r->regex, r->target_label, strlen(r->target_label), v, ov, &st->a);
	if (st->a.len == 0 || !pj_utf8_valid(st->a.data, st->a.len))
		return;
	pj_buf_reset(&st->b);
	relabel_expand(r->regex, r->replacement, strlen(r->replacement), v, ov, &st->b);
	pj_labels_setn(l, st->a.data, st->a.len, pj_buf_cstr(&st->b), st->b.len);
}

static void do_hashmod(const rule *r, pj_labels *l, apply_state *st)
{
	uint8_t d[PJ_MD5_DIGEST_LEN];
	pj_md5_sum(st->value.data ? st->value.data : "", st->value.len, d);
	uint64_t tail = 0;
	for (int i = 8; i < 16; i++)
		tail = tail << 8 | d[i];
	char num[24];
	int n = snprintf(num, sizeof num, "%llu", (unsigned long long)(tail % r->modulus));
	pj_labels_setn(l, r->target_label, strlen(r->target_label), num, (size_t)n);
}

static void do_labelmap(const rule *r, pj_labels *l, apply_state *st)
{
	/* Iterate over the labels as they were when the rule started, like Prometheus. */
	pj_labels_copy(&st->snapshot, l);
	for (size_t i = 0; i < st->snapshot.len; i++) {
		const pj_label *lb = &st->snapshot.items[i];
		if (!relabel_regex_match(r->regex, lb->name, lb->name_len, &st->scratch, NULL))
			continue;
		/* Alloy uses ReplaceAllString; for a fully anchored regex that is one expansion. */
		pj_buf_reset(&st->a);
		relabel_replace_all(r->regex, lb->name, lb->name_len, r->replacement, strlen(r->replacement),
			&st->scratch, &st->a);
		pj_labels_setn(l, pj_buf_cstr(&st->a), st->a.len, lb->value, lb->value_len);
	}
}

static void do_labelfilter(const rule *r, pj_labels *l, apply_state *st, bool drop_matching)
{
	for (size_t i = 0; i < l->len;) {
		const pj_label *lb = &l->items[i];
		bool match = relabel_regex_match(r->regex, lb->name, lb->name_len, &st->scratch, NULL);
		if (match == drop_matching)
			pj_labels_del_at(l, i);
		else
			i++;
	}
}

static void do_case(const rule *r, pj_labels *l, apply_state *st, bool upper)
{
	pj_buf_reset(&st->a);
	if (upper)
		pj_unicode_upper_string(&st->a, pj_buf_cstr(&st->value), st->value.len);
	else
		pj_unicode_lower_string(&st->a, pj_buf_cstr(&st->value), st->value.len);
	pj_labels_setn(l, r->target_label, strlen(r->target_label), pj_buf_cstr(&st->a), st->a.len);
}

/* One rule; returns false when it drops the label set. */
static bool apply_rule(const rule *r, pj_labels *l, apply_state *st)
{
	join_sources(r, l, &st->value);
	const char *v = pj_buf_cstr(&st->value);
	switch (r->action) {
	case RELABEL_KEEP:
		return relabel_regex_match(r->regex, v, st->value.len, &st->scratch, NULL);
	case RELABEL_DROP:
		return !relabel_regex_match(r->regex, v, st->value.len, &st->scratch, NULL);
	case RELABEL_KEEPEQUAL:
		return label_equals(l, r->target_label, &st->value);
	case RELABEL_DROPEQUAL:
		return !label_equals(l, r->target_label, &st->value);
	case RELABEL_REPLACE:
		do_replace(r, l, st);
		return true;
	case RELABEL_HASHMOD:
		do_hashmod(r, l, st);
		return true;
	case RELABEL_LABELMAP:
		do_labelmap(r, l, st);
		return true;
	case RELABEL_LABELDROP:
		do_labelfilter(r, l, st, true);
		return true;
	case RELABEL_LABELKEEP:
		do_labelfilter(r, l, st, false);
		return true;
	case RELABEL_LOWERCASE:
	case RELABEL_UPPERCASE:
		do_case(r, l, st, r->action == RELABEL_UPPERCASE);
		return true;
	}
	return true;
}

bool relabel_apply(const relabel_rules *r, const pj_labels *in, pj_labels *out)
{
	pj_labels_copy(out, in);
	apply_state st = {.scratch = RELABEL_SCRATCH_INIT};
	bool keep = true;
	for (size_t i = 0; keep && i < r->n; i++)
		keep = apply_rule(&r->rules[i], out, &st);
	relabel_scratch_free(&st.scratch);
	pj_buf_free(&st.value);
	pj_buf_free(&st.a);
	pj_buf_free(&st.b);
	free(st.ovec);
	pj_labels_free(&st.snapshot);
	return keep;
}
