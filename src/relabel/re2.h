#ifndef PJ_RELABEL_RE2_H
#define PJ_RELABEL_RE2_H

/*
 * Translation of Go (RE2) regular expressions into PCRE2 patterns that match
 * exactly the same strings with the same capture groups, for the PCRE2 options
 * relabel_regex uses (UTF, DOLLAR_ENDONLY, ALT_CIRCUMFLEX, newline LF, no UCP).
 *
 * The translator parses the pattern the way Go's regexp/syntax does (Perl
 * flags) and re-emits it: every literal is written as an escape, named groups
 * become plain groups (their names are returned separately, since `$name`
 * expansion is done by us), and constructs PCRE2 reads differently are
 * rewritten (\s, \S, \v, x{,n}, octal, quantified assertions, \p{Script},
 * \p{C}, and the classes Go widens under (?i)).
 *
 * Patterns Go rejects are rejected with Go's message
 * ("error parsing regexp: <code>: `<text>`"). The few valid RE2 patterns that
 * cannot be rendered faithfully (negated classes that (?i) widens inside
 * [...], a second quantifier after a flag group, an unbounded loop over a
 * capturing group that can match empty) are refused with a message saying
 * so, never translated approximately.
 */

#include <stdbool.h>
#include <stddef.h>

typedef struct relabel_re2 {
	char *pattern; /* PCRE2 syntax, NUL-terminated */
	size_t ngroups; /* capturing groups, numbered as in Go */
	char **names; /* names[i] names group i + 1; NULL when unnamed */
} relabel_re2;

/* Translates `re` (len bytes). On failure returns false and sets *err (caller frees). */
bool relabel_re2_translate(const char *re, size_t len, relabel_re2 *out, char **err);
void relabel_re2_free(relabel_re2 *r);

#endif
