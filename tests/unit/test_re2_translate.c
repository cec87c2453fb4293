/*
 * RE2 -> PCRE2 translation (spec 9.6). Besides hand-written cases, the whole
 * of tests/data/relabel/regex_cases.txt is replayed: how Go's own regexp
 * package matched ~13,000 pattern/subject pairs (scripts/gen-regex-cases.go).
 * Every pattern Go rejects must be rejected here; every pattern Go accepts
 * must give the same match and captures, or be refused outright.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "relabel/re2.h"
#include "relabel/regex.h"

#define REFUSAL_MARK "not supported by pyrojava"

static relabel_regex *compile(const char *p, char **err)
{
	*err = NULL;
	return relabel_regex_compile(p, strlen(p), err);
}

static void check_error(const char *pattern, const char *want)
{
	char *err;
	relabel_regex *re = compile(pattern, &err);
	if (re)
		fail_msg("%s compiled, want error %s", pattern, want);
	assert_string_equal(err, want);
	free(err);
}

static void check_refused(const char *pattern)
{
	char *err;
	relabel_regex *re = compile(pattern, &err);
	if (re)
		fail_msg("%s compiled, want a refusal", pattern);
	if (!strstr(err, REFUSAL_MARK))
		fail_msg("%s: %s", pattern, err);
	free(err);
}

static bool matches(const char *pattern, const char *subject)
{
	char *err;
	relabel_regex *re = compile(pattern, &err);
	if (!re)
		fail_msg("%s: %s", pattern, err);
	relabel_scratch sc = RELABEL_SCRATCH_INIT;
	bool m = relabel_regex_match(re, subject, strlen(subject), &sc, NULL);
	relabel_scratch_free(&sc);
	relabel_regex_free(re);
	return m;
}

static size_t unhex(const char *h, size_t hlen, char *out)
{
	for (size_t i = 0; i + 1 < hlen; i += 2) {
		unsigned v;
		if (sscanf(h + i, "%2x", &v) != 1)
			fail_msg("bad hex in case file");
		out[i / 2] = (char)v;
	}
	return hlen / 2;
}

static void test_anchoring_and_dollar(void **state)
{
	(void)state;
	assert_false(matches("metrics", "metrics\n")); /* PCRE's $ would accept the trailing newline */
	assert_false(matches("^metrics$", "metrics\n"));
	assert_true(matches("^metrics$", "metrics"));
	assert_false(matches("a", "ba"));
	assert_true(matches("a|ab", "ab")); /* the anchor forces the longer alternative */
	assert_true(matches("(?m)a$\n^b", "a\nb"));
	assert_true(matches("(?m)a\n^", "a\n")); /* Go's multi-line ^ also matches after a final newline */
}

static void test_space_class_has_no_vt(void **state)
{
	(void)state;
	assert_false(matches("\\s", "\v"));
	assert_false(matches("[\\s]", "\v"));
	assert_true(matches("\\S", "\v"));
	assert_true(matches("[\\S]", "\v"));
	assert_true(matches("\\v", "\v")); /* PCRE2 would read \v as any vertical space */
	assert_false(matches("\\v", "\n"));
	assert_true(matches("[[:space:]]", "\v"));
}

static void test_literal_braces(void **state)
{
	(void)state;
	assert_true(matches("x{,2}", "x{,2}")); /* a literal in Go; newer PCRE2 reads {0,2} */
	assert_false(matches("x{,2}", "xx"));
	assert_true(matches("x{02}", "x{02}"));
	assert_true(matches("a{", "a{"));
	assert_true(matches("x{2}", "xx"));
}

static void test_octal_and_hex(void **state)
{
	(void)state;
	assert_true(matches("\\101\\x42\\x{43}", "ABC"));
	assert_true(matches("(a)\\12", "a\n")); /* octal in Go, never a backreference */
}

static void test_classes_and_folding(void **state)
{
	(void)state;
	assert_true(matches("(?i)\\w", "\xe2\x84\xaa")); /* KELVIN SIGN folds to k in Go */
	assert_true(matches("(?i)[[:lower:]]", "\xc5\xbf")); /* LONG S folds to s */
	assert_false(matches("(?i)\\W", "\xe2\x84\xaa"));
	assert_false(matches("\\p{C}", "\xcd\xb8")); /* U+0378 is unassigned: not in Go's C */
	/* Under (?i) Go adds the case-fold partners to \p classes (unicode.FoldCategory/FoldScript). */
	assert_true(matches("(?i)\\p{Lu}", "a"));
	assert_false(matches("\\p{Lu}", "a"));
	assert_false(matches("(?i)\\P{Lu}", "a"));
	assert_true(matches("(?i)\\p{Greek}", "\xc2\xb5")); /* MICRO SIGN, script Common, folds to mu */
	assert_false(matches("\\p{Greek}", "\xc2\xb5"));
	assert_true(matches("(?i)[x\\p{Ll}]", "Q"));
	assert_true(matches("(?i)\\p{Han}", "\xe4\xb8\xad")); /* no fold partners: plain \p */
	assert_true(matches("\\p{Greek}+", "\xce\xb1\xce\xb2"));
	assert_true(matches("\\p{^Greek}", "a"));
	assert_false(matches("\\P{Any}", "a"));
	assert_false(matches("[\\P{Any}]", "a"));
	assert_true(matches("[^\\P{Any}]", "a"));
	assert_true(matches("[]a]+", "]a"));
	assert_true(matches("[\\d-z]+", "1-z"));
	assert_true(matches("[:alpha:]+", ":ahlp"));
	assert_true(matches("^*a", "a"));
	/* Flag groups push nothing in Go: a quantifier after them repeats the item before. */
	assert_true(matches("a(?i)*b", "aaB"));
	assert_false(matches("a(?i)*b", "AAB"));
	assert_true(matches("a\\Q\\E*", "aa"));
	assert_true(matches("a(?i)(?m)+", "aa"));
	assert_true(matches("\\Q.*\\E", ".*"));
	assert_false(matches("\\Q.*\\E", "ab"));
}

static void test_go_error_messages(void **state)
{
	(void)state;
	check_error("a**", "error parsing regexp: invalid nested repetition operator: `**`");
	check_error("a*+", "error parsing regexp: invalid nested repetition operator: `*+`");
	check_error("x{1001}", "error parsing regexp: invalid repeat count: `{1001}`");
	check_error("x{3,2}", "error parsing regexp: invalid repeat count: `{3,2}`");
	check_error("*a", "error parsing regexp: missing argument to repetition operator: `*`");
	check_error("(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
	check_error("(?!a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`");
	check_error("(?<=a)", "error parsing regexp: invalid named capture: `(?<=a))$`");
	check_error("(?>a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?>`");
	check_error("(?x)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?x`");
	check_error("(?P=n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`");
	check_error("(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`");
	check_error("\\Z", "error parsing regexp: invalid escape sequence: `\\Z`");
	check_error("\\h", "error parsing regexp: invalid escape sequence: `\\h`");
	check_error("\\C", "error parsing regexp: invalid escape sequence: `\\C`");
	check_error("[\\b]", "error parsing regexp: invalid escape sequence: `\\b`");
	check_error("[z-a]", "error parsing regexp: invalid character class range: `z-a`");
	check_error("\\p{greek}", "error parsing regexp: invalid character class range: `\\p{greek}`");
	check_error("[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`");
	check_error("(?P<a-b>x)", "error parsing regexp: invalid named capture: `(?P<a-b>`");
	check_error("(a{100}){100}", "error parsing regexp: invalid repeat count: `{100}`");
	check_error("(a", "error parsing regexp: missing closing ): `^(?s:(a)$`");
	check_error("a)", "error parsing regexp: unexpected ): `^(?s:a))$`");
	check_error("[a", "error parsing regexp: missing closing ]: `[a)$`");
	check_error("a\xff", "error parsing regexp: invalid UTF-8: `\xff)$`");
}

/* Spec 9.6's list of PCRE features Go rejects: each must be a Go-style error here. */
static void test_pcre_only_features_are_errors(void **state)
{
	(void)state;
	const char *pcre_only[] = {"(?=a)", "(?!a)", "(?<=a)", "(?<!a)", "(?>a)", "a*+", "a++", "a?+", "a**", "(a)\\1",
		"(?R)", "(?1)", "(?(1)a|b)", "(?'n'a)", "(?|a)", "(?x)a", "(?#c)", "(?J)a", "\\Z", "\\h", "\\R",
		"\\K", "\\G", "\\e", "\\X", "\\N", "\\C", "x{1001}", "(*FAIL)", "(*UTF)a"};
	for (size_t i = 0; i < sizeof pcre_only / sizeof pcre_only[0]; i++) {
		char *err;
		relabel_regex *re = compile(pcre_only[i], &err);
		if (re)
			fail_msg("%s compiled", pcre_only[i]);
		if (strncmp(err, "error parsing regexp: ", 22) != 0)
			fail_msg("%s: %s", pcre_only[i], err);
		free(err);
	}
}

static void test_nesting_limit(void **state)
{
	(void)state;
	pj_buf p = PJ_BUF_INIT;
	for (int i = 0; i < 999; i++)
		pj_buf_putc(&p, '(');
	pj_buf_fill(&p, ')', 999);
	assert_true(matches(pj_buf_cstr(&p), ""));
	pj_buf_reset(&p);
	pj_buf_fill(&p, '(', 1000);
	pj_buf_fill(&p, ')', 1000);
	char *err;
	relabel_regex *re = compile(pj_buf_cstr(&p), &err);
	assert_null(re);
	assert_true(strncmp(err, "error parsing regexp: expression nests too deeply: `^(?s:((", 57) == 0);
	free(err);
	/* Non-capturing groups do not count in Go (PCRE2 stops at a few hundred nested ones). */
	pj_buf_reset(&p);
	pj_buf_fill(&p, '(', 900);
	for (int i = 0; i < 200; i++)
		pj_buf_puts(&p, "(?:");
	pj_buf_fill(&p, ')', 1100);
	assert_true(matches(pj_buf_cstr(&p), ""));
	pj_buf_free(&p);
}

static void test_refusals(void **state)
{
	(void)state;
	check_refused("(?i)[\\P{Lu}]"); /* Go folds \p classes under (?i); PCRE2 cannot spell this one */
	check_refused("(?i)[[:^lower:]]");
	check_refused("(?i)[\\W]");
	check_refused("a*(?i)*"); /* Go repeats a* again; PCRE2 would need a rewrite */
	check_refused("a*\\Q\\E+");
	check_refused("[\\P{C}]");
	check_refused("(a*)*"); /* Go skips the empty last iteration, PCRE2 records it */
	check_refused("(a|b*)+");
	check_refused("(?:(a)|)*");
	char *err;
	relabel_regex *re = compile("x(?i)[a\\P{Ll}]", &err);
	assert_null(re);
	assert_string_equal(err, "regexp `x(?i)[a\\P{Ll}]`: a negated \\P class inside [...] that PCRE2 cannot spell "
				 "(`\\P{Ll}`) is valid in Alloy but not supported by pyrojava, because PCRE2 would "
				 "match it differently; rewrite the pattern");
	free(err);
	/* Loops over groups that cannot match empty, or hold no capture, are fine. */
	assert_true(matches("(a+)*", "aa"));
	assert_true(matches("(?:a*)*", "aa"));
	assert_true(matches("(a*){2}", "aa"));
}

static void test_named_groups_are_plain_groups(void **state)
{
	(void)state;
	relabel_re2 tr;
	char *err = NULL;
	const char *p = "(?P<first>a)(b)(?<1x>c)";
	assert_true(relabel_re2_translate(p, strlen(p), &tr, &err));
	assert_int_equal(tr.ngroups, 3);
	assert_string_equal(tr.names[0], "first");
	assert_null(tr.names[1]);
	assert_string_equal(tr.names[2], "1x"); /* legal in Go, not as a PCRE2 name */
	assert_null(strstr(tr.pattern, "first"));
	relabel_re2_free(&tr);
}

/* Compares ReplaceAllString(subject, "<$1|$0>") with Go's, recorded after " =". */
static void replay_replace(relabel_regex *re, const char *pat, const char *subj, size_t slen, const char *want,
	relabel_scratch *sc, int lineno)
{
	const char *eq = strstr(want, " =");
	if (!eq)
		fail_msg("line %d: no replacement recorded", lineno);
	char expected[2048];
	size_t elen = unhex(eq + 2, strlen(eq + 2), expected);
	pj_buf got = PJ_BUF_INIT;
	relabel_replace_all(re, subj, slen, "<$1|$0>", 7, sc, &got);
	if (got.len != elen || memcmp(pj_buf_cstr(&got), expected, elen) != 0)
		fail_msg("line %d: /%s/ replaced to %s; Go says %.*s", lineno, pat, pj_buf_cstr(&got), (int)elen, expected);
	pj_buf_free(&got);
}

/* Compares our match of one case line with Go's recorded result. */
static void replay_match(relabel_regex *re, const char *pat, const char *subj, size_t slen, const char *want,
	relabel_scratch *sc, int lineno)
{
	replay_replace(re, pat, subj, slen, want, sc, lineno);
	size_t ovec[64];
	size_t ngroups = relabel_regex_ngroups(re);
	assert_true(ngroups < 31);
	bool m = relabel_regex_match(re, subj, slen, sc, ovec);
	if (want[0] == '-') {
		if (m)
			fail_msg("line %d: /%s/ matched, Go did not", lineno, pat);
		return;
	}
	if (!m)
		fail_msg("line %d: /%s/ did not match, Go did", lineno, pat);
	const char *p = want + 1;
	for (size_t g = 0; g <= ngroups; g++) {
		long s, e;
		int used;
		if (sscanf(p, " %ld,%ld%n", &s, &e, &used) != 2)
			fail_msg("line %d: group count differs from Go for /%s/", lineno, pat);
		p += used;
		long gs = ovec[2 * g] == RELABEL_UNSET ? -1 : (long)ovec[2 * g];
		long ge = ovec[2 * g + 1] == RELABEL_UNSET ? -1 : (long)ovec[2 * g + 1];
		if (gs != s || ge != e)
			fail_msg("line %d: /%s/ group %zu is %ld,%ld; Go says %ld,%ld", lineno, pat, g, gs, ge, s, e);
	}
}

static void test_matches_go_recordings(void **state)
{
	(void)state;
	FILE *f = fopen(PJ_SOURCE_DIR "/tests/data/relabel/regex_cases.txt", "r");
	assert_non_null(f);
	char line[4096], pat[1024], last_pat[1024] = "", subj[1024];
	relabel_regex *re = NULL;
	bool last_err = false;
	relabel_scratch sc = RELABEL_SCRATCH_INIT;
	int lineno = 0, compared = 0, refused = 0, rejected = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		char *sp1 = strchr(line, ' ');
		char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		assert_non_null(sp2);
		size_t plen = unhex(line, (size_t)(sp1 - line), pat);
		pat[plen] = '\0';
		size_t slen = unhex(sp1 + 1, (size_t)(sp2 - sp1 - 1), subj);
		const char *want = sp2 + 1;
		if (strcmp(pat, last_pat) != 0 || lineno == 2) {
			relabel_regex_free(re);
			char *err = NULL;
			re = relabel_regex_compile(pat, plen, &err);
			last_err = re == NULL;
			if (re && want[0] == 'E')
				fail_msg("line %d: /%s/ compiled; Go rejects it", lineno, pat);
			if (!re && want[0] != 'E' && !strstr(err, REFUSAL_MARK))
				fail_msg("line %d: /%s/ rejected (%s); Go accepts it", lineno, pat, err);
			if (!re)
				(want[0] == 'E' ? rejected++ : refused++);
			free(err);
			strcpy(last_pat, pat);
		}
		if (last_err)
			continue;
		replay_match(re, pat, subj, slen, want, &sc, lineno);
		compared++;
	}
	fclose(f);
	relabel_regex_free(re);
	relabel_scratch_free(&sc);
	print_message("compared %d matches with Go; %d patterns rejected like Go, %d refused\n", compared, rejected,
		refused);
	assert_true(compared > 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anchoring_and_dollar),
		cmocka_unit_test(test_space_class_has_no_vt),
		cmocka_unit_test(test_literal_braces),
		cmocka_unit_test(test_octal_and_hex),
		cmocka_unit_test(test_classes_and_folding),
		cmocka_unit_test(test_go_error_messages),
		cmocka_unit_test(test_pcre_only_features_are_errors),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_named_groups_are_plain_groups),
		cmocka_unit_test(test_matches_go_recordings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
