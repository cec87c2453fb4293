/*
 * RE2 -> PCRE2 translation. The parser follows the structure of Go's
 * regexp/syntax parser closely enough to reject the same patterns with the same
 * error codes; see re2.h for what is rewritten and what is refused. Character
 * classes are in re2_class.c.
 */
#include "relabel/re2.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "relabel/re2_parser.h"
#include "base/utf8.h"

bool re2_fail(re2_state *t, const char *code, size_t from, size_t to)
{
	t->err = pj_asprintf("error parsing regexp: %s: `%.*s`", code, (int)(to - from), t->s + from);
	return false;
}

bool re2_refuse(re2_state *t, const char *what, size_t from, size_t to)
{
	t->err = pj_asprintf("%s (`%.*s`) is valid in Alloy but not supported by pyrojava, "
			     "because PCRE2 would match it differently; rewrite the pattern",
		what, (int)(to - from), t->s + from);
	return false;
}

bool re2_is_alnum(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_octal(const re2_state *t, size_t i)
{
	return i < t->len && t->s[i] >= '0' && t->s[i] <= '7';
}

static int unhex(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* The pattern was checked to be valid UTF-8 up front, so decoding cannot fail. */
uint32_t re2_next_rune(const re2_state *t, size_t *i)
{
	size_t w;
	uint32_t r = pj_utf8_decode(t->s + *i, t->len - *i, &w);
	*i += w;
	return r;
}

void re2_emit_char(pj_buf *out, uint32_t r)
{
	if (re2_is_alnum(r))
		pj_buf_putc(out, (char)r);
	else
		pj_buf_printf(out, "\\x{%X}", (unsigned)r);
}

/* Folds the last atom (with its quantifier) into the current alternative. */
static void commit_atom(re2_state *t)
{
	if (t->atom_pending) {
		t->cur.alt_nullable = t->cur.alt_nullable && t->atom_nullable;
		t->cur.need = t->cur.need > t->atom_need ? t->cur.need : t->atom_need;
	}
	t->atom_pending = false;
}

void re2_begin_atom(re2_state *t, bool assertion)
{
	commit_atom(t);
	t->atom_out = t->out.len;
	t->atom_is_assert = assertion;
	t->atom_nullable = assertion;
	t->atom_has_capture = false;
	t->atom_need = 0;
	t->atom_pending = true;
	t->last = LAST_ATOM;
}

/*
 * The hex digits after \x at *p: two digits, or any number of them in braces
 * up to U+10FFFF. Advances *p over what it read, also on failure.
 */
static bool parse_hex_escape(const re2_state *t, size_t *p, uint32_t *r)
{
	if (*p >= t->len)
		return false;
	uint32_t c = re2_next_rune(t, p);
	if (c != '{') {
		int x = unhex(c);
		if (*p >= t->len)
			return false;
		int y = unhex(re2_next_rune(t, p));
		*r = (uint32_t)(x * 16 + y);
		return x >= 0 && y >= 0;
	}
	uint32_t v = 0;
	int nhex = 0;
	while (*p < t->len) {
		c = re2_next_rune(t, p);
		if (c == '}') {
			*r = v;
			return nhex > 0;
		}
		int h = unhex(c);
		if (h < 0)
			return false;
		v = v * 16 + (uint32_t)h;
		if (v > 0x10FFFF)
			return false;
		nhex++;
	}
	return false;
}

/* The character a C-style escape letter stands for, or -1. */
static int c_escape(uint32_t c)
{
	switch (c) {
	case 'a': return 7;
	case 'f': return 12;
	case 'n': return 10;
	case 'r': return 13;
	case 't': return 9;
	case 'v': return 11;
	default: return -1;
	}
}

/* Go's parseEscape: a backslash escape standing for one character. */
bool re2_parse_escape(re2_state *t, size_t *i, uint32_t *r)
{
	size_t start = *i;
	size_t p = start + 1;
	if (p >= t->len)
		return re2_fail(t, "trailing backslash at end of expression", start, start);
	uint32_t c = re2_next_rune(t, &p);
	bool ok = false;
	if (c >= '0' && c <= '7' && (c == '0' || is_octal(t, p))) {
		/* Octal, up to three digits; a lone \1-\7 would be a backreference. */
		*r = c - '0';
		for (int k = 1; k < 3 && is_octal(t, p); k++)
			*r = *r * 8 + (uint32_t)(t->s[p++] - '0');
		ok = true;
	} else if (c == 'x') {
		ok = parse_hex_escape(t, &p, r);
	} else if (c_escape(c) >= 0) {
		*r = (uint32_t)c_escape(c);
		ok = true;
	} else if (c < 0x80 && !re2_is_alnum(c)) {
		*r = c; /* escaped punctuation is itself */
		ok = true;
	}
	if (!ok)
		return re2_fail(t, "invalid escape sequence", start, p);
	*i = p;
	return true;
}

/* Go's parseInt: decimal without leading zeros; values past 1e8 become -1. */
static bool parse_int(const re2_state *t, size_t *i, long *n)
{
	size_t p = *i;
	if (p >= t->len || t->s[p] < '0' || t->s[p] > '9')
		return false;
	if (p + 1 < t->len && t->s[p] == '0' && t->s[p + 1] >= '0' && t->s[p + 1] <= '9')
		return false;
	*n = 0;
	for (; p < t->len && t->s[p] >= '0' && t->s[p] <= '9'; p++)
		if (*n >= 0)
			*n = *n >= 100000000 ? -1 : *n * 10 + (t->s[p] - '0');
	*i = p;
	return true;
}

/* {n}, {n,} or {n,m} at *i; false if the text is not a repeat (then '{' is a literal). */
static bool parse_repeat(const re2_state *t, size_t *i, long *min, long *max)
{
	size_t p = *i + 1;
	if (!parse_int(t, &p, min) || p >= t->len)
		return false;
	if (t->s[p] != ',') {
		*max = *min;
	} else {
		p++;
		if (p >= t->len)
			return false;
		if (t->s[p] == '}') {
			*max = -2; /* unbounded */
		} else {
			if (!parse_int(t, &p, max))
				return false;
			if (*max < 0)
				*min = -1;
		}
	}
	if (p >= t->len || t->s[p] != '}')
		return false;
	*i = p + 1;
	return true;
}

/*
 * Go's repeatIsValid, as a number: the smallest budget n for which a counted
 * repeat {min,max} around contents needing `inner` stays within "n copies of
 * the innermost thing". Go rejects a counted repeat whose need exceeds 1000,
 * so (a{100}){100} is an error although each count alone is fine.
 */
static long repeat_need(long min, long max, long inner)
{
	long m = max == -2 ? min : max;
	if (max == 0)
		return 0;
	if (m == 0)
		return inner;
	long need = m * (inner > 1 ? inner : 1);
	return need > RE2_MAX_REPEAT ? RE2_MAX_REPEAT + 1 : need;
}

/*
 * A quantifier spanning s[from, to) whose PCRE2 spelling is emit (without
 * laziness); min and max are its bounds (max -2: unbounded), counted whether
 * it was written with braces.
 */
static bool apply_repeat(re2_state *t, size_t from, size_t to, const char *emit, long min, long max, bool counted)
{
	bool unbounded = max == -2;
	bool lazy = to < t->len && t->s[to] == '?';
	if (lazy)
		to++;
	if (t->last == LAST_REPEAT)
		return re2_fail(t, "invalid nested repetition operator", t->repeat_src, to);
	if (t->last == LAST_NONE)
		return re2_fail(t, "missing argument to repetition operator", from, to);
	if (t->last == LAST_FLAGS)
		return re2_refuse(t, "a second quantifier after a flag group or empty \\Q\\E", from, to);
	if (counted) {
		long need = repeat_need(min, max, t->atom_need);
		if ((min >= 2 || max >= 2) && need > RE2_MAX_REPEAT)
			return re2_fail(t, "invalid repeat count", from, to);
		t->atom_need = need;
	}
	if (unbounded && t->atom_nullable && t->atom_has_capture)
		return re2_refuse(t, "an unbounded loop over a group that can match empty and captures", from, to);
	if (min == 0)
		t->atom_nullable = true;
	char *flags_tail = NULL;
	if (t->last == LAST_ATOM_FLAGS) {
		/* Go repeats the atom before the flags: a(?i)* is a*(?i). Move the flags behind. */
		flags_tail = pj_strndup(t->out.data + t->flags_out, t->out.len - t->flags_out);
		t->out.len = t->flags_out;
		t->out.data[t->out.len] = '\0';
	}
	if (t->atom_is_assert) {
		/* PCRE2 does not repeat assertions the way Go does; a group it repeats. */
		size_t tail = t->out.len - t->atom_out;
		pj_buf_reserve(&t->out, 3);
		memmove(t->out.data + t->atom_out + 3, t->out.data + t->atom_out, tail);
		memcpy(t->out.data + t->atom_out, "(?:", 3);
		t->out.len += 3;
		t->out.data[t->out.len] = '\0';
		pj_buf_putc(&t->out, ')');
	}
	pj_buf_puts(&t->out, emit);
	if (lazy)
		pj_buf_putc(&t->out, '?');
	if (flags_tail)
		pj_buf_puts(&t->out, flags_tail);
	free(flags_tail);
	t->last = LAST_REPEAT;
	t->repeat_src = from;
	return true;
}

static bool parse_brace(re2_state *t)
{
	size_t from = t->pos, p = t->pos;
	long min, max;
	if (!parse_repeat(t, &p, &min, &max)) {
		re2_begin_atom(t, false);
		pj_buf_puts(&t->out, "\\x{7B}"); /* x{,n} and friends are literal in Go */
		t->pos++;
		return true;
	}
	size_t to = p < t->len && t->s[p] == '?' ? p + 1 : p;
	if (min < 0 || min > RE2_MAX_REPEAT || max > RE2_MAX_REPEAT || (max >= 0 && min > max))
		return re2_fail(t, "invalid repeat count", from, to);
	char emit[32];
	if (max == -2)
		snprintf(emit, sizeof emit, "{%ld,}", min);
	else if (max == min)
		snprintf(emit, sizeof emit, "{%ld}", min);
	else
		snprintf(emit, sizeof emit, "{%ld,%ld}", min, max);
	t->pos = p;
	if (!apply_repeat(t, from, p, emit, min, max, true))
		return false;
	t->pos = to;
	return true;
}

static bool push_group(re2_state *t, bool capture, const char *name, size_t name_len)
{
	/*
	 * Go limits the height of its syntax tree, which capturing groups build
	 * and (?:...) groups do not: 1,000 nested captures are too many.
	 */
	if (capture && t->captures_open + 1 >= RE2_MAX_DEPTH)
		return re2_fail(t, "expression nests too deeply", 0, t->len);
	t->captures_open += capture;
	commit_atom(t);
	t->stack = pj_grow(t->stack, &t->stack_cap, t->depth + 1, sizeof(re2_group));
	t->stack[t->depth++] = (re2_group){t->fold, capture, t->out.len, t->cur};
	t->cur = (re2_shape){true, false, false, 0};
	if (capture) {
		t->names = pj_grow(t->names, &t->names_cap, t->ngroups + 1, sizeof(char *));
		t->names[t->ngroups++] = name ? pj_strndup(name, name_len) : NULL;
	}
	t->last = LAST_NONE;
	return true;
}

static bool is_capture_name(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t k = 0; k < len; k++)
		if (s[k] != '_' && !re2_is_alnum((unsigned char)s[k]))
			return false;
	return true;
}

static bool parse_named_group(re2_state *t, size_t name_at)
{
	size_t start = t->pos;
	const char *gt = memchr(t->s + start, '>', t->len - start);
	if (!gt)
		return re2_fail(t, "invalid named capture", start, t->len);
	size_t end = (size_t)(gt - t->s);
	if (!is_capture_name(t->s + name_at, end - name_at))
		return re2_fail(t, "invalid named capture", start, end + 1);
	if (!push_group(t, true, t->s + name_at, end - name_at))
		return false;
	pj_buf_putc(&t->out, '(');
	t->pos = end + 1;
	return true;
}

/*
 * Flag groups and an empty \Q\E push nothing in Go, so a quantifier after
 * them still applies to the item before them.
 */
static void after_flags(re2_state *t)
{
	if (t->last == LAST_ATOM) {
		t->last = LAST_ATOM_FLAGS;
		t->flags_out = t->out.len;
	} else if (t->last == LAST_REPEAT) {
		t->last = LAST_FLAGS;
	}
}

/* (?flags) or (?flags:...) at t->pos; flags from i m s U with one optional '-'. */
static bool parse_flags(re2_state *t)
{
	size_t start = t->pos, p = start + 2;
	bool fold = t->fold, negate = false, saw_flag = false;
	while (p < t->len) {
		uint32_t c = re2_next_rune(t, &p);
		switch (c) {
		case 'i':
			fold = !negate;
			saw_flag = true;
			continue;
		case 'm':
		case 's':
		case 'U':
			saw_flag = true;
			continue;
		case '-':
			if (negate)
				return re2_fail(t, "invalid or unsupported Perl syntax", start, p);
			negate = true;
			saw_flag = false;
			continue;
		case ':':
		case ')':
			if (negate && !saw_flag)
				return re2_fail(t, "invalid or unsupported Perl syntax", start, p);
			break;
		default:
			return re2_fail(t, "invalid or unsupported Perl syntax", start, p);
		}
		size_t flags_len = p - 1 - (start + 2);
		t->pos = p;
		if (c == ':') {
			if (!push_group(t, false, NULL, 0))
				return false;
			t->fold = fold;
			pj_buf_printf(&t->out, "(?%.*s:", (int)flags_len, t->s + start + 2);
			return true;
		}
		t->fold = fold;
		after_flags(t);
		if (flags_len > 0)
			pj_buf_printf(&t->out, "(?%.*s)", (int)flags_len, t->s + start + 2);
		return true;
	}
	return re2_fail(t, "invalid or unsupported Perl syntax", start, t->len);
}

static bool parse_open(re2_state *t)
{
	size_t rest = t->len - t->pos;
	const char *s = t->s + t->pos;
	if (rest >= 2 && s[1] == '?') {
		if (rest > 4 && s[2] == 'P' && s[3] == '<')
			return parse_named_group(t, t->pos + 4);
		if (rest > 3 && s[2] == '<')
			return parse_named_group(t, t->pos + 3);
		return parse_flags(t);
	}
	if (!push_group(t, true, NULL, 0))
		return false;
	pj_buf_putc(&t->out, '(');
	t->pos++;
	return true;
}

static bool parse_close(re2_state *t)
{
	if (t->depth == 0)
		return re2_fail(t, "unexpected )", 0, t->len);
	re2_group g = t->stack[--t->depth];
	t->captures_open -= g.capture;
	commit_atom(t);
	bool nullable = t->cur.any_nullable || t->cur.alt_nullable;
	bool has_capture = t->cur.has_capture || g.capture;
	long need = t->cur.need;
	t->cur = g.outer;
	t->cur.has_capture = t->cur.has_capture || has_capture;
	t->fold = g.fold;
	pj_buf_putc(&t->out, ')');
	t->atom_out = g.out_start;
	t->atom_is_assert = false;
	t->atom_nullable = nullable;
	t->atom_has_capture = has_capture;
	t->atom_need = need;
	t->atom_pending = true;
	t->last = LAST_ATOM;
	t->pos++;
	return true;
}

static void parse_quoted(re2_state *t)
{
	size_t p = t->pos + 2, end = t->len;
	for (size_t k = p; k + 1 < t->len; k++)
		if (t->s[k] == '\\' && t->s[k + 1] == 'E') {
			end = k;
			break;
		}
	if (p == end)
		after_flags(t);
	while (p < end) {
		re2_begin_atom(t, false);
		re2_emit_char(&t->out, re2_next_rune(t, &p));
	}
	t->pos = end < t->len ? end + 2 : end;
}

static bool parse_backslash(re2_state *t)
{
	size_t start = t->pos;
	if (start + 1 >= t->len)
		return re2_fail(t, "trailing backslash at end of expression", start, start);
	char c = t->s[start + 1];
	switch (c) {
	case 'A':
	case 'z':
	case 'b':
	case 'B':
		re2_begin_atom(t, true);
		pj_buf_printf(&t->out, "\\%c", c);
		t->pos += 2;
		return true;
	case 'C':
		return re2_fail(t, "invalid escape sequence", start, start + 2);
	case 'Q':
		parse_quoted(t);
		return true;
	case 'p':
	case 'P': {
		bool emitted;
		re2_begin_atom(t, false);
		return re2_parse_unicode_class(t, &t->pos, false, &emitted);
	}
	default:
		break;
	}
	bool ok;
	re2_begin_atom(t, false);
	if (re2_perl_class(t, &t->pos, false, &ok))
		return ok;
	uint32_t r;
	if (!re2_parse_escape(t, &t->pos, &r))
		return false;
	re2_begin_atom(t, false);
	re2_emit_char(&t->out, r);
	return true;
}

static bool parse_item(re2_state *t)
{
	char c = t->s[t->pos];
	switch (c) {
	case '(':
		return parse_open(t);
	case ')':
		return parse_close(t);
	case '|':
		commit_atom(t);
		t->cur.any_nullable = t->cur.any_nullable || t->cur.alt_nullable;
		t->cur.alt_nullable = true;
		pj_buf_putc(&t->out, '|');
		t->last = LAST_NONE;
		t->pos++;
		return true;
	case '^':
	case '$':
		re2_begin_atom(t, true);
		pj_buf_putc(&t->out, c);
		t->pos++;
		return true;
	case '.':
		re2_begin_atom(t, false);
		pj_buf_putc(&t->out, '.');
		t->pos++;
		return true;
	case '[':
		return re2_parse_class(t);
	case '*':
	case '+':
	case '?': {
		char op[2] = {c, '\0'};
		size_t from = t->pos;
		if (!apply_repeat(t, from, from + 1, op, c == '+', c == '?' ? 1 : -2, false))
			return false;
		t->pos = from + 1 + (from + 1 < t->len && t->s[from + 1] == '?');
		return true;
	}
	case '{':
		return parse_brace(t);
	case '\\':
		return parse_backslash(t);
	default:
		re2_begin_atom(t, false);
		re2_emit_char(&t->out, re2_next_rune(t, &t->pos));
		return true;
	}
}

static void state_release(re2_state *t)
{
	pj_buf_free(&t->out);
	free(t->stack);
	for (size_t k = 0; k < t->ngroups; k++)
		free(t->names[k]);
	free(t->names);
}

/* Go rejects invalid UTF-8 up front, quoting the pattern from the first bad byte. */
static bool check_utf8(re2_state *t)
{
	for (size_t i = 0; i < t->len;) {
		size_t w;
		if (pj_utf8_decode(t->s + i, t->len - i, &w) == PJ_RUNE_ERROR && w == 1)
			return re2_fail(t, "invalid UTF-8", i, t->len);
		i += w;
	}
	return true;
}

bool relabel_re2_translate(const char *re, size_t len, relabel_re2 *out, char **err)
{
	re2_state t = {.s = re, .len = len, .cur = {true, false, false, 0}};
	*out = (relabel_re2){NULL, 0, NULL};
	bool ok = check_utf8(&t);
	while (ok && t.pos < t.len)
		ok = parse_item(&t);
	if (ok && t.depth > 0)
		ok = re2_fail(&t, "missing closing )", 0, len);
	if (!ok) {
		*err = t.err;
		state_release(&t);
		return false;
	}
	out->pattern = pj_buf_detach(&t.out);
	if (!out->pattern)
		out->pattern = pj_strdup("");
	out->ngroups = t.ngroups;
	out->names = t.names;
	free(t.stack);
	return true;
}

void relabel_re2_free(relabel_re2 *r)
{
	free(r->pattern);
	for (size_t k = 0; k < r->ngroups; k++)
		free(r->names[k]);
	free(r->names);
	*r = (relabel_re2){NULL, 0, NULL};
}
