/*
 * RE2 -> PCRE2 translation. The parser follows the structure of Go's
 * regexp/syntax parser closely enough to reject the same patterns with the same
 * error codes; see re2.h for what is rewritten and what is refused.
 */
#include "relabel/re2.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "relabel/unicode.h"

#define RE2_MAX_DEPTH 1000 /* Go's maxHeight */
#define RE2_MAX_REPEAT 1000

/* What the last parsed item allows a following quantifier to do. */
typedef enum last_item {
	LAST_NONE, /* start of a group or alternative: nothing to repeat */
	LAST_ATOM, /* a repeatable item */
	LAST_REPEAT, /* a quantifier: another one would be nested */
	LAST_FLAGS, /* a flag group or empty \Q\E after an item: refused */
} last_item;

/*
 * What is known about the alternatives of one group, to spot a loop over a
 * group that can match empty and holds captures: Go never runs an empty
 * iteration of such a loop, PCRE2 runs one, so their captures differ.
 */
typedef struct shape {
	bool alt_nullable; /* the current alternative can match empty so far */
	bool any_nullable; /* some finished alternative can match empty */
	bool has_capture; /* a capturing group was seen inside */
} shape;

typedef struct group {
	bool fold; /* (?i) state to restore at the closing paren */
	bool capture;
	size_t out_start;
	shape outer; /* the enclosing group's shape, restored at the closing paren */
} group;

typedef struct tr {
	const char *s;
	size_t len;
	size_t pos;
	pj_buf out;
	group *stack;
	size_t depth, stack_cap;
	bool fold;
	last_item last;
	size_t atom_out; /* where the last atom starts in out */
	bool atom_is_assert;
	bool atom_nullable, atom_has_capture, atom_pending;
	shape cur;
	size_t repeat_src; /* where the last quantifier starts in s */
	char **names;
	size_t ngroups, names_cap;
	char *err;
} tr;

static bool fail(tr *t, const char *code, size_t from, size_t to)
{
	t->err = pj_asprintf("error parsing regexp: %s: `%.*s`", code, (int)(to - from), t->s + from);
	return false;
}

static bool refuse(tr *t, const char *what, size_t from, size_t to)
{
	t->err = pj_asprintf("%s (`%.*s`) is valid in Alloy but not supported by pyrojava, "
			     "because PCRE2 would match it differently; rewrite the pattern",
		what, (int)(to - from), t->s + from);
	return false;
}

static bool is_alnum(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_octal(const tr *t, size_t i)
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
static uint32_t next_rune(const tr *t, size_t *i)
{
	size_t w;
	uint32_t r = relabel_utf8_decode(t->s + *i, t->len - *i, &w);
	*i += w;
	return r;
}

static void emit_char(pj_buf *out, uint32_t r)
{
	if (is_alnum(r))
		pj_buf_putc(out, (char)r);
	else
		pj_buf_printf(out, "\\x{%X}", (unsigned)r);
}

/* Folds the last atom (with its quantifier) into the current alternative. */
static void commit_atom(tr *t)
{
	if (t->atom_pending)
		t->cur.alt_nullable = t->cur.alt_nullable && t->atom_nullable;
	t->atom_pending = false;
}

static void begin_atom(tr *t, bool assertion)
{
	commit_atom(t);
	t->atom_out = t->out.len;
	t->atom_is_assert = assertion;
	t->atom_nullable = assertion;
	t->atom_has_capture = false;
	t->atom_pending = true;
	t->last = LAST_ATOM;
}

/* Go's parseEscape: a backslash escape standing for one character. */
static bool parse_escape(tr *t, size_t *i, uint32_t *r)
{
	size_t start = *i;
	size_t p = start + 1;
	if (p >= t->len)
		return fail(t, "trailing backslash at end of expression", start, start);
	uint32_t c = next_rune(t, &p);
	switch (c) {
	case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		if (!is_octal(t, p))
			break; /* \1 alone would be a backreference */
		/* fallthrough */
	case '0':
		*r = c - '0';
		for (int k = 1; k < 3 && is_octal(t, p); k++)
			*r = *r * 8 + (uint32_t)(t->s[p++] - '0');
		*i = p;
		return true;
	case 'x': {
		if (p >= t->len)
			break;
		c = next_rune(t, &p);
		if (c == '{') {
			uint32_t v = 0;
			int nhex = 0;
			for (;;) {
				if (p >= t->len)
					goto invalid;
				c = next_rune(t, &p);
				if (c == '}')
					break;
				int h = unhex(c);
				if (h < 0)
					goto invalid;
				v = v * 16 + (uint32_t)h;
				if (v > 0x10FFFF)
					goto invalid;
				nhex++;
			}
			if (nhex == 0)
				break;
			*r = v;
			*i = p;
			return true;
		}
		int x = unhex(c);
		if (p >= t->len)
			break;
		int y = unhex(next_rune(t, &p));
		if (x < 0 || y < 0)
			break;
		*r = (uint32_t)(x * 16 + y);
		*i = p;
		return true;
	}
	case 'a': *r = 7; *i = p; return true;
	case 'f': *r = 12; *i = p; return true;
	case 'n': *r = 10; *i = p; return true;
	case 'r': *r = 13; *i = p; return true;
	case 't': *r = 9; *i = p; return true;
	case 'v': *r = 11; *i = p; return true;
	default:
		if (c < 0x80 && !is_alnum(c)) {
			*r = c;
			*i = p;
			return true;
		}
	}
invalid:
	return fail(t, "invalid escape sequence", start, p);
}

static const char *const go_categories[] = {
	"C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd",
	"Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl",
	"Zp", "Zs",
};

static bool is_category(const char *name, size_t len)
{
	for (size_t k = 0; k < sizeof go_categories / sizeof go_categories[0]; k++)
		if (strlen(go_categories[k]) == len && memcmp(go_categories[k], name, len) == 0)
			return true;
	return false;
}

/* Go's category C is Cc|Cf|Co|Cs; PCRE2's also holds unassigned code points. */
#define CATEGORY_C_ITEMS "\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}"
#define ANY_ITEMS "\\x{0}-\\x{10FFFF}"

/*
 * \p{Name}, \pN, \P..., \p{^Name} at t->pos. in_class: emit class items
 * rather than a standalone item. Sets *emitted to false when the item adds
 * nothing to a class (\P{Any}).
 */
static bool parse_unicode_class(tr *t, size_t *i, bool in_class, bool *emitted)
{
	size_t start = *i;
	bool negated = t->s[start + 1] == 'P';
	size_t p = start + 2;
	const char *name;
	size_t name_len;
	if (p >= t->len)
		return fail(t, "invalid character class range", start, p);
	if (t->s[p] != '{') {
		name = t->s + p;
		next_rune(t, &p);
		name_len = (size_t)(t->s + p - name);
	} else {
		const char *end = memchr(t->s + p, '}', t->len - p);
		if (!end)
			return fail(t, "invalid character class range", start, t->len);
		name = t->s + p + 1;
		name_len = (size_t)(end - name);
		p = (size_t)(end - t->s) + 1;
	}
	if (name_len > 0 && name[0] == '^') {
		negated = !negated;
		name++;
		name_len--;
	}
	*i = p;
	bool any = name_len == 3 && memcmp(name, "Any", 3) == 0;
	bool category = !any && is_category(name, name_len);
	if (!any && !category && !relabel_unicode_is_script(name, name_len))
		return fail(t, "invalid character class range", start, p);
	if (t->fold)
		return refuse(t, "a \\p class under (?i) (Go folds its case)", start, p);
	*emitted = true;
	pj_buf *o = &t->out;
	bool c_group = category && name_len == 1 && name[0] == 'C';
	if (in_class) {
		if (any && negated)
			*emitted = false;
		else if (any)
			pj_buf_puts(o, ANY_ITEMS);
		else if (c_group && negated)
			return refuse(t, "\\P{C} inside [...]", start, p);
		else if (c_group)
			pj_buf_puts(o, CATEGORY_C_ITEMS);
		else
			pj_buf_printf(o, "\\%c{%s%.*s}", negated ? 'P' : 'p', category ? "" : "sc:", (int)name_len, name);
		return true;
	}
	if (any)
		pj_buf_puts(o, negated ? "(?!)" : "[" ANY_ITEMS "]");
	else if (c_group)
		pj_buf_puts(o, negated ? "[^" CATEGORY_C_ITEMS "]" : "[" CATEGORY_C_ITEMS "]");
	else
		pj_buf_printf(o, "\\%c{%s%.*s}", negated ? 'P' : 'p', category ? "" : "sc:", (int)name_len, name);
	return true;
}

/*
 * Under (?i) Go folds ASCII classes to include U+212A KELVIN SIGN (k) and
 * U+017F LONG S (s); PCRE2 does not fold class escapes, so add them.
 */
#define FOLD_EXTRA "\\x{212A}\\x{17F}"
#define GO_SPACE_ITEMS "\\x{9}\\x{A}\\x{C}\\x{D}\\x{20}" /* Go's \s has no \v */

/* \d \D \s \S \w \W at *i, outside or inside a class. Returns false if not one. */
static bool perl_class(tr *t, size_t *i, bool in_class, bool *ok)
{
	*ok = true;
	if (*i + 1 >= t->len || t->s[*i] != '\\')
		return false;
	char c = t->s[*i + 1];
	pj_buf *o = &t->out;
	switch (c) {
	case 'd':
	case 'D':
		pj_buf_printf(o, "\\%c", c);
		break;
	case 's':
		pj_buf_puts(o, in_class ? GO_SPACE_ITEMS : "[" GO_SPACE_ITEMS "]");
		break;
	case 'S':
		pj_buf_puts(o, in_class ? "\\S\\x{B}" : "[^" GO_SPACE_ITEMS "]");
		break;
	case 'w':
		if (!t->fold)
			pj_buf_puts(o, "\\w");
		else
			pj_buf_puts(o, in_class ? "\\w" FOLD_EXTRA : "[\\w" FOLD_EXTRA "]");
		break;
	case 'W':
		if (!t->fold)
			pj_buf_puts(o, "\\W");
		else if (in_class)
			*ok = refuse(t, "\\W inside [...] under (?i)", *i, *i + 2);
		else
			pj_buf_puts(o, "[^\\w" FOLD_EXTRA "]");
		break;
	default:
		return false;
	}
	*i += 2;
	return true;
}

static const char *const posix_names[] = {
	"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space",
	"upper", "word", "xdigit",
};

/* Classes holding k or s, which Go widens under (?i); see FOLD_EXTRA. */
static bool posix_has_k_or_s(const char *name, size_t len)
{
	static const char *const with[] = {"alnum", "alpha", "ascii", "graph", "lower", "print", "upper", "word"};
	for (size_t k = 0; k < sizeof with / sizeof with[0]; k++)
		if (strlen(with[k]) == len && memcmp(with[k], name, len) == 0)
			return true;
	return false;
}

/* [:name:] at *i inside a class. Returns 0 if not one, 1 if parsed, -1 on error. */
static int posix_class(tr *t, size_t *i)
{
	size_t start = *i;
	if (start + 2 >= t->len || t->s[start] != '[' || t->s[start + 1] != ':')
		return 0;
	const char *end = NULL;
	for (size_t k = start + 2; k + 1 < t->len; k++)
		if (t->s[k] == ':' && t->s[k + 1] == ']') {
			end = t->s + k;
			break;
		}
	if (!end)
		return 0;
	size_t stop = (size_t)(end - t->s) + 2;
	const char *name = t->s + start + 2;
	size_t len = (size_t)(end - name);
	bool negated = len > 0 && name[0] == '^';
	if (negated) {
		name++;
		len--;
	}
	bool known = false;
	for (size_t k = 0; k < sizeof posix_names / sizeof posix_names[0]; k++)
		if (strlen(posix_names[k]) == len && memcmp(posix_names[k], name, len) == 0)
			known = true;
	if (!known)
		return fail(t, "invalid character class range", start, stop) ? 1 : -1;
	bool widen = t->fold && posix_has_k_or_s(name, len);
	if (widen && negated)
		return refuse(t, "a negated letter class under (?i)", start, stop) ? 1 : -1;
	pj_buf_printf(&t->out, "[:%s%.*s:]%s", negated ? "^" : "", (int)len, name, widen ? FOLD_EXTRA : "");
	*i = stop;
	return 1;
}

/* One class character at *i (Go's parseClassChar). */
static bool class_char(tr *t, size_t *i, size_t class_start, uint32_t *r)
{
	if (*i >= t->len)
		return fail(t, "missing closing ]", class_start, t->len);
	if (t->s[*i] == '\\')
		return parse_escape(t, i, r);
	*r = next_rune(t, i);
	return true;
}

/* A bracket class starting at t->pos. */
static bool parse_class(tr *t)
{
	size_t start = t->pos;
	size_t i = start + 1;
	bool negated = i < t->len && t->s[i] == '^';
	if (negated)
		i++;
	begin_atom(t, false);
	size_t open_at = t->out.len;
	pj_buf_puts(&t->out, negated ? "[^" : "[");
	size_t items_at = t->out.len;
	bool first = true;
	while (i >= t->len || t->s[i] != ']' || first) {
		first = false;
		int named = posix_class(t, &i);
		if (named < 0)
			return false;
		if (named > 0)
			continue;
		if (i + 1 < t->len && t->s[i] == '\\' && (t->s[i + 1] == 'p' || t->s[i + 1] == 'P')) {
			bool emitted;
			if (!parse_unicode_class(t, &i, true, &emitted))
				return false;
			continue;
		}
		bool ok;
		if (perl_class(t, &i, true, &ok)) {
			if (!ok)
				return false;
			continue;
		}
		size_t range_start = i;
		uint32_t lo, hi;
		if (!class_char(t, &i, start, &lo))
			return false;
		hi = lo;
		if (i + 1 < t->len && t->s[i] == '-' && t->s[i + 1] != ']') {
			i++;
			if (!class_char(t, &i, start, &hi))
				return false;
			if (hi < lo)
				return fail(t, "invalid character class range", range_start, i);
		}
		pj_buf_printf(&t->out, "\\x{%X}", (unsigned)lo);
		if (hi != lo)
			pj_buf_printf(&t->out, "-\\x{%X}", (unsigned)hi);
	}
	t->pos = i + 1;
	if (t->out.len == items_at) {
		/* Only \P{Any}: an empty set, which [] cannot spell in PCRE2. */
		t->out.len = open_at;
		pj_buf_puts(&t->out, negated ? "[" ANY_ITEMS "]" : "(?!)");
		return true;
	}
	pj_buf_putc(&t->out, ']');
	return true;
}

/* Go's parseInt: decimal without leading zeros; values past 1e8 become -1. */
static bool parse_int(const tr *t, size_t *i, long *n)
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
static bool parse_repeat(const tr *t, size_t *i, long *min, long *max)
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
 * A quantifier spanning s[from, to) whose PCRE2 spelling is emit (without
 * laziness); min is its lower bound, unbounded whether it has no upper one.
 */
static bool apply_repeat(tr *t, size_t from, size_t to, const char *emit, long min, bool unbounded)
{
	bool lazy = to < t->len && t->s[to] == '?';
	if (lazy)
		to++;
	if (t->last == LAST_REPEAT)
		return fail(t, "invalid nested repetition operator", t->repeat_src, to);
	if (t->last == LAST_NONE)
		return fail(t, "missing argument to repetition operator", from, to);
	if (t->last == LAST_FLAGS)
		return refuse(t, "a quantifier right after a flag group or empty \\Q\\E", from, to);
	if (unbounded && t->atom_nullable && t->atom_has_capture)
		return refuse(t, "an unbounded loop over a group that can match empty and captures", from, to);
	if (min == 0)
		t->atom_nullable = true;
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
	t->last = LAST_REPEAT;
	t->repeat_src = from;
	return true;
}

static bool parse_brace(tr *t)
{
	size_t from = t->pos, p = t->pos;
	long min, max;
	if (!parse_repeat(t, &p, &min, &max)) {
		begin_atom(t, false);
		pj_buf_puts(&t->out, "\\x{7B}"); /* x{,n} and friends are literal in Go */
		t->pos++;
		return true;
	}
	size_t to = p < t->len && t->s[p] == '?' ? p + 1 : p;
	if (min < 0 || min > RE2_MAX_REPEAT || max > RE2_MAX_REPEAT || (max >= 0 && min > max))
		return fail(t, "invalid repeat count", from, to);
	char emit[32];
	if (max == -2)
		snprintf(emit, sizeof emit, "{%ld,}", min);
	else if (max == min)
		snprintf(emit, sizeof emit, "{%ld}", min);
	else
		snprintf(emit, sizeof emit, "{%ld,%ld}", min, max);
	t->pos = p;
	if (!apply_repeat(t, from, p, emit, min, max == -2))
		return false;
	t->pos = to;
	return true;
}

static bool push_group(tr *t, bool capture, const char *name, size_t name_len)
{
	if (t->depth >= RE2_MAX_DEPTH)
		return fail(t, "expression nests too deeply", 0, t->len);
	commit_atom(t);
	t->stack = pj_grow(t->stack, &t->stack_cap, t->depth + 1, sizeof(group));
	t->stack[t->depth++] = (group){t->fold, capture, t->out.len, t->cur};
	t->cur = (shape){true, false, false};
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
		if (s[k] != '_' && !is_alnum((unsigned char)s[k]))
			return false;
	return true;
}

static bool parse_named_group(tr *t, size_t name_at)
{
	size_t start = t->pos;
	const char *gt = memchr(t->s + start, '>', t->len - start);
	if (!gt)
		return fail(t, "invalid named capture", start, t->len);
	size_t end = (size_t)(gt - t->s);
	if (!is_capture_name(t->s + name_at, end - name_at))
		return fail(t, "invalid named capture", start, end + 1);
	if (!push_group(t, true, t->s + name_at, end - name_at))
		return false;
	pj_buf_putc(&t->out, '(');
	t->pos = end + 1;
	return true;
}

/* (?flags) or (?flags:...) at t->pos; flags from i m s U with one optional '-'. */
static bool parse_flags(tr *t)
{
	size_t start = t->pos, p = start + 2;
	bool fold = t->fold, negate = false, saw_flag = false;
	while (p < t->len) {
		uint32_t c = next_rune(t, &p);
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
				return fail(t, "invalid or unsupported Perl syntax", start, p);
			negate = true;
			saw_flag = false;
			continue;
		case ':':
		case ')':
			if (negate && !saw_flag)
				return fail(t, "invalid or unsupported Perl syntax", start, p);
			break;
		default:
			return fail(t, "invalid or unsupported Perl syntax", start, p);
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
		if (flags_len > 0)
			pj_buf_printf(&t->out, "(?%.*s)", (int)flags_len, t->s + start + 2);
		if (t->last != LAST_NONE)
			t->last = LAST_FLAGS;
		return true;
	}
	return fail(t, "invalid or unsupported Perl syntax", start, t->len);
}

static bool parse_open(tr *t)
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

static bool parse_close(tr *t)
{
	if (t->depth == 0)
		return fail(t, "unexpected )", 0, t->len);
	group g = t->stack[--t->depth];
	commit_atom(t);
	bool nullable = t->cur.any_nullable || t->cur.alt_nullable;
	bool has_capture = t->cur.has_capture || g.capture;
	t->cur = g.outer;
	t->cur.has_capture = t->cur.has_capture || has_capture;
	t->fold = g.fold;
	pj_buf_putc(&t->out, ')');
	t->atom_out = g.out_start;
	t->atom_is_assert = false;
	t->atom_nullable = nullable;
	t->atom_has_capture = has_capture;
	t->atom_pending = true;
	t->last = LAST_ATOM;
	t->pos++;
	return true;
}

static void parse_quoted(tr *t)
{
	size_t p = t->pos + 2, end = t->len;
	for (size_t k = p; k + 1 < t->len; k++)
		if (t->s[k] == '\\' && t->s[k + 1] == 'E') {
			end = k;
			break;
		}
	if (p == end && t->last != LAST_NONE)
		t->last = LAST_FLAGS;
	while (p < end) {
		begin_atom(t, false);
		emit_char(&t->out, next_rune(t, &p));
	}
	t->pos = end < t->len ? end + 2 : end;
}

static bool parse_backslash(tr *t)
{
	size_t start = t->pos;
	if (start + 1 >= t->len)
		return fail(t, "trailing backslash at end of expression", start, start);
	char c = t->s[start + 1];
	switch (c) {
	case 'A':
	case 'z':
	case 'b':
	case 'B':
		begin_atom(t, true);
		pj_buf_printf(&t->out, "\\%c", c);
		t->pos += 2;
		return true;
	case 'C':
		return fail(t, "invalid escape sequence", start, start + 2);
	case 'Q':
		parse_quoted(t);
		return true;
	case 'p':
	case 'P': {
		bool emitted;
		begin_atom(t, false);
		return parse_unicode_class(t, &t->pos, false, &emitted);
	}
	default:
		break;
	}
	bool ok;
	begin_atom(t, false);
	if (perl_class(t, &t->pos, false, &ok))
		return ok;
	uint32_t r;
	if (!parse_escape(t, &t->pos, &r))
		return false;
	begin_atom(t, false);
	emit_char(&t->out, r);
	return true;
}

static bool parse_item(tr *t)
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
		begin_atom(t, true);
		pj_buf_putc(&t->out, c);
		t->pos++;
		return true;
	case '.':
		begin_atom(t, false);
		pj_buf_putc(&t->out, '.');
		t->pos++;
		return true;
	case '[':
		return parse_class(t);
	case '*':
	case '+':
	case '?': {
		char op[2] = {c, '\0'};
		size_t from = t->pos;
		if (!apply_repeat(t, from, from + 1, op, c == '+', c != '?'))
			return false;
		t->pos = from + 1 + (from + 1 < t->len && t->s[from + 1] == '?');
		return true;
	}
	case '{':
		return parse_brace(t);
	case '\\':
		return parse_backslash(t);
	default:
		begin_atom(t, false);
		emit_char(&t->out, next_rune(t, &t->pos));
		return true;
	}
}

static void tr_release(tr *t)
{
	pj_buf_free(&t->out);
	free(t->stack);
	for (size_t k = 0; k < t->ngroups; k++)
		free(t->names[k]);
	free(t->names);
}

/* Go rejects invalid UTF-8 up front, quoting the pattern from the first bad byte. */
static bool check_utf8(tr *t)
{
	for (size_t i = 0; i < t->len;) {
		size_t w;
		if (relabel_utf8_decode(t->s + i, t->len - i, &w) == RELABEL_RUNE_ERROR && w == 1)
			return fail(t, "invalid UTF-8", i, t->len);
		i += w;
	}
	return true;
}

bool relabel_re2_translate(const char *re, size_t len, relabel_re2 *out, char **err)
{
	tr t = {.s = re, .len = len, .cur = {true, false, false}};
	*out = (relabel_re2){NULL, 0, NULL};
	bool ok = check_utf8(&t);
	while (ok && t.pos < t.len)
		ok = parse_item(&t);
	if (ok && t.depth > 0)
		ok = fail(&t, "missing closing )", 0, len);
	if (!ok) {
		*err = t.err;
		tr_release(&t);
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
