/*
 * Fuzzes the relabel engine end to end: RE2 -> PCRE2 translation and
 * matching of arbitrary patterns on arbitrary subjects, $-expansion, a rule
 * built from fuzzed fields applied to a fuzzed label set, case mapping and
 * container-ID extraction. Input: NUL-separated fields
 *   pattern \0 subject \0 template \0 action-byte separator \0 labels...
 * where labels are "name=value" fields.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "jvm/process_scan.h"
#include "relabel/labels.h"
#include "relabel/regex.h"
#include "relabel/relabel.h"
#include "base/unicode.h"
#include "base/utf8.h"

#define MAX_FIELDS 12

static const char *const actions[] = {"replace", "keep", "drop", "hashmod", "labelmap", "labeldrop", "labelkeep",
	"lowercase", "uppercase", "keepequal", "dropequal"};

static void check_regex(const char *pattern, size_t plen, const char *subject, size_t slen, const char *tmpl)
{
	char *err = NULL;
	relabel_regex *re = relabel_regex_compile(pattern, plen, &err);
	if (!re) {
		if (!err || strlen(err) == 0)
			abort();
		free(err);
		return;
	}
	size_t ngroups = relabel_regex_ngroups(re);
	size_t *ovec = malloc(2 * (ngroups + 1) * sizeof(size_t));
	if (!ovec)
		abort();
	relabel_scratch sc = RELABEL_SCRATCH_INIT;
	if (relabel_regex_match(re, subject, slen, &sc, ovec)) {
		if (ovec[0] > ovec[1] || ovec[1] > slen)
			abort();
		for (size_t g = 1; g <= ngroups; g++)
			if (ovec[2 * g] != RELABEL_UNSET && (ovec[2 * g] > ovec[2 * g + 1] || ovec[2 * g + 1] > slen))
				abort();
		pj_buf out = PJ_BUF_INIT;
		relabel_expand(re, tmpl, strlen(tmpl), subject, ovec, &out);
		pj_buf_reset(&out);
		relabel_replace_all(re, subject, slen, tmpl, strlen(tmpl), &sc, &out);
		pj_buf_free(&out);
	}
	relabel_scratch_free(&sc);
	free(ovec);
	relabel_regex_free(re);
}

static bool name_before(const pj_label *a, const pj_label *b)
{
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(a->name, b->name, n);
	return c < 0 || (c == 0 && a->name_len < b->name_len);
}

static void check_rule(const char *pattern, const char *tmpl, const char *target, uint8_t action_byte,
	const char *const *fields, size_t nfields)
{
	const char *src[2] = {"a", target};
	relabel_rule_config cfg = {
		.source_labels = src,
		.n_source_labels = 2,
		.regex = pattern,
		.target_label = target,
		.replacement = tmpl,
		.modulus = action_byte % 7,
		.action = actions[action_byte % (sizeof actions / sizeof actions[0])],
	};
	if (action_byte & 0x80) {
		cfg.source_labels = NULL;
		cfg.n_source_labels = 0;
		cfg.target_label = NULL;
		cfg.replacement = NULL;
		cfg.modulus = 0;
	}
	char *err = NULL;
	relabel_rules *rules = relabel_rules_compile(&cfg, 1, &err);
	if (!rules) {
		free(err);
		return;
	}
	pj_labels in = PJ_LABELS_INIT, out = PJ_LABELS_INIT;
	for (size_t i = 0; i < nfields; i++) {
		const char *eq = strchr(fields[i], '=');
		if (eq)
			pj_labels_setn(&in, fields[i], (size_t)(eq - fields[i]), eq + 1, strlen(eq + 1));
	}
	relabel_apply(rules, &in, &out);
	for (size_t i = 0; i < out.len; i++)
		if (out.items[i].value_len == 0 || (i > 0 && !name_before(&out.items[i - 1], &out.items[i])))
			abort(); /* sets stay sorted, unique and free of empty values */
	pj_labels_free(&in);
	pj_labels_free(&out);
	relabel_rules_unref(rules);
}

static void check_text(const char *s, size_t len)
{
	pj_buf b = PJ_BUF_INIT;
	pj_unicode_lower_string(&b, s, len);
	if (!pj_utf8_valid(b.data ? b.data : "", b.len))
		abort();
	pj_buf_reset(&b);
	pj_unicode_upper_string(&b, s, len);
	pj_buf_free(&b);
	const char *id;
	if (pj_container_id_from_cgroup_line(s, len, &id) && (id < s || id + 64 > s + len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	const char *fields[MAX_FIELDS];
	size_t lens[MAX_FIELDS], n = 0;
	for (size_t start = 0; n < MAX_FIELDS && start <= size;) {
		const char *end = memchr(buf + start, '\0', size + 1 - start);
		fields[n] = buf + start;
		lens[n++] = (size_t)(end - (buf + start));
		start = (size_t)(end - buf) + 1;
	}
	const char *empty = "";
	const char *pattern = fields[0], *subject = n > 1 ? fields[1] : empty, *tmpl = n > 2 ? fields[2] : empty;
	const char *target = n > 3 && lens[3] > 0 ? fields[3] + 1 : empty;
	uint8_t action_byte = n > 3 && lens[3] > 0 ? (uint8_t)fields[3][0] : 0;
	check_regex(pattern, lens[0], subject, n > 1 ? lens[1] : 0, tmpl);
	check_rule(pattern, tmpl, target, action_byte, n > 4 ? fields + 4 : NULL, n > 4 ? n - 4 : 0);
	check_text(subject, n > 1 ? lens[1] : 0);
	free(buf);
	return 0;
}
