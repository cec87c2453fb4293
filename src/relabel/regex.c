#define PCRE2_CODE_UNIT_WIDTH 8
#include "relabel/regex.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "relabel/re2.h"
#include "base/unicode.h"
#include "base/utf8.h"

/*
 * Go guarantees linear-time matching; PCRE2 backtracks. These limits bound the
 * work one match may do so a hostile pattern cannot stall discovery.
 */
#define MATCH_LIMIT 10000000u
#define DEPTH_LIMIT 100000u
#define PARENS_LIMIT 2100u /* above Go's nesting limit of 1000, with our own groups */

struct relabel_regex {
	pcre2_code *code;
	char *source;
	relabel_re2 tr;
};

static pcre2_match_context *match_context;
static pcre2_compile_context *compile_context;
static pthread_once_t contexts_once = PTHREAD_ONCE_INIT;

static void contexts_init(void)
{
	compile_context = pcre2_compile_context_create(NULL);
	match_context = pcre2_match_context_create(NULL);
	if (!compile_context || !match_context)
		abort();
	pcre2_set_newline(compile_context, PCRE2_NEWLINE_LF);
	pcre2_set_parens_nest_limit(compile_context, PARENS_LIMIT);
	pcre2_set_match_limit(match_context, MATCH_LIMIT);
	pcre2_set_depth_limit(match_context, DEPTH_LIMIT);
}

relabel_regex *relabel_regex_compile(const char *pattern, size_t len, char **err)
{
	pthread_once(&contexts_once, contexts_init);
	pj_buf wrapped = PJ_BUF_INIT;
	pj_buf_puts(&wrapped, "^(?s:");
	pj_buf_append(&wrapped, pattern, len);
	pj_buf_puts(&wrapped, ")$");
	relabel_re2 tr;
	bool ok = relabel_re2_translate(wrapped.data, wrapped.len, &tr, err);
	pj_buf_free(&wrapped);
	if (!ok && strncmp(*err, "error parsing regexp", 20) != 0) {
		char *refusal = *err;
		*err = pj_asprintf("regexp `%.*s`: %s", (int)len, pattern, refusal);
		free(refusal);
	}
	if (!ok)
		return NULL;
	int code;
	PCRE2_SIZE offset;
	uint32_t options = PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_CIRCUMFLEX |
			   PCRE2_NEVER_UCP | PCRE2_NEVER_BACKSLASH_C;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)tr.pattern, PCRE2_ZERO_TERMINATED, options, &code, &offset,
		compile_context);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		*err = pj_asprintf("regexp `%.*s` cannot be compiled: %s", (int)len, pattern, (const char *)msg);
		relabel_re2_free(&tr);
		return NULL;
	}
	/* Without JIT support the interpreter is used; both give the same results. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	relabel_regex *r = pj_calloc(1, sizeof *r);
	r->code = re;
	r->source = pj_strndup(pattern, len);
	r->tr = tr;
	return r;
}

void relabel_regex_free(relabel_regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	free(re->source);
	relabel_re2_free(&re->tr);
	free(re);
}

const char *relabel_regex_source(const relabel_regex *re)
{
	return re->source;
}

size_t relabel_regex_ngroups(const relabel_regex *re)
{
	return re->tr.ngroups;
}

const char *relabel_regex_group_name(const relabel_regex *re, size_t i)
{
	return i >= 1 && i <= re->tr.ngroups ? re->tr.names[i - 1] : NULL;
}

void relabel_scratch_free(relabel_scratch *sc)
{
	pcre2_match_data_free(sc->match_data);
	pj_buf_free(&sc->clean);
	free(sc->map);
	*sc = (relabel_scratch)RELABEL_SCRATCH_INIT;
}

/* Copies s with every invalid byte replaced by U+FFFD, recording where each byte came from. */
static void sanitize(relabel_scratch *sc, const char *s, size_t len)
{
	size_t clean_len = 0;
	for (size_t i = 0; i < len;) {
		size_t w;
		int32_t r = pj_utf8_decode(s + i, len - i, &w);
		clean_len += r == PJ_RUNE_ERROR && w == 1 ? 3 : w;
		i += w;
	}
	pj_buf_reset(&sc->clean);
	pj_buf_reserve(&sc->clean, clean_len);
	sc->map = pj_grow(sc->map, &sc->map_cap, clean_len + 1, sizeof(size_t));
	for (size_t i = 0; i < len;) {
		size_t w;
		int32_t r = pj_utf8_decode(s + i, len - i, &w);
		size_t at = sc->clean.len;
		if (r == PJ_RUNE_ERROR && w == 1)
			pj_utf8_encode(&sc->clean, PJ_RUNE_ERROR);
		else
			pj_buf_append(&sc->clean, s + i, w);
		for (size_t k = at; k < sc->clean.len; k++)
			sc->map[k] = i;
		i += w;
	}
	sc->map[sc->clean.len] = len;
}

static int run_match(const relabel_regex *re, const char *s, size_t len, size_t start, pcre2_match_data *md)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, start, PCRE2_NO_UTF_CHECK, md, match_context);
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
		rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, start, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, md,
			match_context);
	return rc;
}

/* The subject PCRE2 sees: s itself, or its U+FFFD-substituted copy. */
typedef struct subject {
	const char *text;
	size_t len;
	bool clean; /* text == s: offsets need no mapping */
} subject;

static subject prepare(const relabel_regex *re, const char *s, size_t len, relabel_scratch *sc)
{
	uint32_t pairs = (uint32_t)re->tr.ngroups + 1;
	if (!sc->match_data || sc->match_pairs < pairs) {
		pcre2_match_data_free(sc->match_data);
		sc->match_data = pcre2_match_data_create(pairs, NULL);
		if (!sc->match_data)
			abort();
		sc->match_pairs = pairs;
	}
	if (pj_utf8_valid(s, len))
		return (subject){s, len, true};
	sanitize(sc, s, len);
	return (subject){sc->clean.data, sc->clean.len, false};
}

static size_t to_original(const relabel_scratch *sc, const subject *sub, size_t off)
{
	return sub->clean ? off : sc->map[off];
}

/* Searches from start; fills ovec (original offsets) on a match. */
static bool search(const relabel_regex *re, const subject *sub, size_t start, relabel_scratch *sc, size_t *ovec,
	size_t *clean_end)
{
	int rc = run_match(re, sub->text, sub->len, start, sc->match_data);
	if (rc < 0)
		return false;
	uint32_t pairs = (uint32_t)re->tr.ngroups + 1;
	const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->match_data);
	if (clean_end)
		*clean_end = ov[1];
	for (uint32_t k = 0; ovec && k < 2 * pairs; k++) {
		bool set = k / 2 < (uint32_t)rc && ov[k] != PCRE2_UNSET;
		ovec[k] = set ? to_original(sc, sub, ov[k]) : RELABEL_UNSET;
	}
	return true;
}

bool relabel_regex_match(const relabel_regex *re, const char *s, size_t len, relabel_scratch *sc, size_t *ovec)
{
	subject sub = prepare(re, s, len, sc);
	return search(re, &sub, 0, sc, ovec, NULL);
}

/* Go's ReplaceAllString loop: every match, skipping an empty match right after the previous one. */
void relabel_replace_all(const relabel_regex *re, const char *s, size_t len, const char *tmpl, size_t tmpl_len,
	relabel_scratch *sc, pj_buf *out)
{
	subject sub = prepare(re, s, len, sc);
	size_t *ovec = pj_calloc(2 * (re->tr.ngroups + 1), sizeof(size_t));
	size_t last_end = 0, pos = 0; /* clean offsets */
	while (pos <= sub.len) {
		size_t end;
		if (!search(re, &sub, pos, sc, ovec, &end))
			break;
		size_t orig_last = to_original(sc, &sub, last_end);
		pj_buf_append(out, s + orig_last, ovec[0] - orig_last);
		const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->match_data);
		if (ov[1] > last_end || ov[0] == 0)
			relabel_expand(re, tmpl, tmpl_len, s, ovec, out);
		last_end = end;
		size_t width = 1;
		if (pos < sub.len)
			pj_utf8_decode(sub.text + pos, sub.len - pos, &width);
		pos = pos + width > end ? pos + width : end;
	}
	size_t orig_last = to_original(sc, &sub, last_end);
	pj_buf_append(out, s + orig_last, len - orig_last);
	free(ovec);
}

/* Go's extract takes names of unicode.IsLetter, unicode.IsDigit and '_'. */
static bool is_name_rune(int32_t r)
{
	return r == '_' || pj_unicode_is_letter(r) || pj_unicode_is_digit(r);
}

/*
 * Go's extract: a name of letters, digits and '_' (optionally in braces) after
 * a '$'. *num is the group number for an all-digit name without a leading
 * zero, else -1. Returns false if there is no valid reference.
 */
static bool extract_ref(const char *t, size_t len, size_t *name_at, size_t *name_len, long *num, size_t *consumed)
{
	size_t i = 0;
	bool brace = len > 0 && t[0] == '{';
	if (brace)
		i = 1;
	size_t start = i;
	while (i < len) {
		size_t w;
		int32_t r = pj_utf8_decode(t + i, len - i, &w);
		if (!is_name_rune(r))
			break;
		i += w;
	}
	if (i == start)
		return false;
	*name_at = start;
	*name_len = i - start;
	if (brace) {
		if (i >= len || t[i] != '}')
			return false;
		i++;
	}
	*num = 0;
	for (size_t k = start; k < start + *name_len; k++) {
		if (t[k] < '0' || t[k] > '9' || *num >= 100000000) {
			*num = -1;
			break;
		}
		*num = *num * 10 + (t[k] - '0');
	}
	if (t[start] == '0' && *name_len > 1)
		*num = -1;
	*consumed = i;
	return true;
}

static void append_group(const char *s, const size_t *ovec, size_t g, pj_buf *out)
{
	if (ovec[2 * g] != RELABEL_UNSET)
		pj_buf_append(out, s + ovec[2 * g], ovec[2 * g + 1] - ovec[2 * g]);
}

void relabel_expand(const relabel_regex *re, const char *tmpl, size_t tmpl_len, const char *s, const size_t *ovec,
	pj_buf *out)
{
	size_t i = 0;
	pj_buf_reserve(out, tmpl_len);
	while (i < tmpl_len) {
		const char *dollar = memchr(tmpl + i, '$', tmpl_len - i);
		if (!dollar)
			break;
		size_t d = (size_t)(dollar - tmpl);
		pj_buf_append(out, tmpl + i, d - i);
		i = d + 1;
		if (i < tmpl_len && tmpl[i] == '$') {
			pj_buf_putc(out, '$');
			i++;
			continue;
		}
		size_t name_at, name_len, consumed;
		long num;
		if (!extract_ref(tmpl + i, tmpl_len - i, &name_at, &name_len, &num, &consumed)) {
			pj_buf_putc(out, '$');
			continue;
		}
		const char *name = tmpl + i + name_at;
		i += consumed;
		if (num >= 0) {
			if ((size_t)num <= re->tr.ngroups)
				append_group(s, ovec, (size_t)num, out);
			continue;
		}
		for (size_t g = 1; g <= re->tr.ngroups; g++) {
			const char *gn = re->tr.names[g - 1];
			if (gn && strlen(gn) == name_len && memcmp(gn, name, name_len) == 0 &&
			    ovec[2 * g] != RELABEL_UNSET) {
				append_group(s, ovec, g, out);
				break;
			}
		}
	}
	pj_buf_append(out, tmpl + i, tmpl_len - i);
}
