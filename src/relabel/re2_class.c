/* Character classes for the RE2 -> PCRE2 translation: [...], \p{...}, \d \s \w and friends. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "relabel/re2_parser.h"
#include "base/unicode.h"

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
 * The positive items of \p{name} for use inside a class: PCRE2's property
 * (Go's C spelled out), plus the code points Go's (?i) adds to it.
 */
static void emit_unicode_items(pj_buf *o, const char *name, size_t len, bool category, bool c_group,
	const pj_fold_range *extra, size_t nextra)
{
	if (c_group)
		pj_buf_puts(o, CATEGORY_C_ITEMS);
	else
		pj_buf_printf(o, "\\p{%s%.*s}", category ? "" : "sc:", (int)len, name);
	for (size_t k = 0; k < nextra; k++) {
		if (extra[k].stride == 1) {
			pj_buf_printf(o, "\\x{%X}-\\x{%X}", (unsigned)extra[k].lo, (unsigned)extra[k].hi);
			continue;
		}
		for (uint32_t cp = extra[k].lo; cp <= extra[k].hi; cp += extra[k].stride)
			pj_buf_printf(o, "\\x{%X}", (unsigned)cp);
	}
}

/*
 * \p{Name}, \pN, \P..., \p{^Name} at t->pos. in_class: emit class items
 * rather than a standalone item. Sets *emitted to false when the item adds
 * nothing to a class (\P{Any}).
 */
bool re2_parse_unicode_class(re2_state *t, size_t *i, bool in_class, bool *emitted)
{
	size_t start = *i;
	bool negated = t->s[start + 1] == 'P';
	size_t p = start + 2;
	const char *name;
	size_t name_len;
	if (p >= t->len)
		return re2_fail(t, "invalid character class range", start, p);
	if (t->s[p] != '{') {
		name = t->s + p;
		re2_next_rune(t, &p);
		name_len = (size_t)(t->s + p - name);
	} else {
		const char *end = memchr(t->s + p, '}', t->len - p);
		if (!end)
			return re2_fail(t, "invalid character class range", start, t->len);
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
	if (!any && !category && !pj_unicode_is_script(name, name_len))
		return re2_fail(t, "invalid character class range", start, p);
	*emitted = true;
	if (any) {
		if (in_class && negated)
			*emitted = false;
		else
			pj_buf_puts(&t->out, in_class ? ANY_ITEMS : negated ? "(?!)" : "[" ANY_ITEMS "]");
		return true;
	}
	const pj_fold_range *extra = NULL;
	size_t nextra = t->fold ? pj_unicode_fold_extras(name, name_len, &extra) : 0;
	bool c_group = category && name_len == 1 && name[0] == 'C';
	bool plain = nextra == 0 && !c_group; /* PCRE2's \p or \P says it all */
	if (plain) {
		pj_buf_printf(&t->out, "\\%c{%s%.*s}", negated ? 'P' : 'p', category ? "" : "sc:", (int)name_len, name);
		return true;
	}
	if (in_class && negated)
		return re2_refuse(t, "a negated \\P class inside [...] that PCRE2 cannot spell", start, p);
	if (!in_class)
		pj_buf_puts(&t->out, negated ? "[^" : "[");
	emit_unicode_items(&t->out, name, name_len, category, c_group, extra, nextra);
	if (!in_class)
		pj_buf_putc(&t->out, ']');
	return true;
}

/*
 * Under (?i) Go folds ASCII classes to include U+212A KELVIN SIGN (k) and
 * U+017F LONG S (s); PCRE2 does not fold class escapes, so add them.
 */
#define FOLD_EXTRA "\\x{212A}\\x{17F}"
#define GO_SPACE_ITEMS "\\x{9}\\x{A}\\x{C}\\x{D}\\x{20}" /* Go's \s has no \v */

/* \d \D \s \S \w \W at *i, outside or inside a class. Returns false if not one. */
bool re2_perl_class(re2_state *t, size_t *i, bool in_class, bool *ok)
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
			*ok = re2_refuse(t, "\\W inside [...] under (?i)", *i, *i + 2);
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
static int posix_class(re2_state *t, size_t *i)
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
		return re2_fail(t, "invalid character class range", start, stop) ? 1 : -1;
	bool widen = t->fold && posix_has_k_or_s(name, len);
	if (widen && negated)
		return re2_refuse(t, "a negated letter class under (?i)", start, stop) ? 1 : -1;
	pj_buf_printf(&t->out, "[:%s%.*s:]%s", negated ? "^" : "", (int)len, name, widen ? FOLD_EXTRA : "");
	*i = stop;
	return 1;
}

/* One class character at *i (Go's parseClassChar). */
static bool class_char(re2_state *t, size_t *i, size_t class_start, uint32_t *r)
{
	if (*i >= t->len)
		return re2_fail(t, "missing closing ]", class_start, t->len);
	if (t->s[*i] == '\\')
		return re2_parse_escape(t, i, r);
	*r = re2_next_rune(t, i);
	return true;
}

/* A bracket class starting at t->pos. */
bool re2_parse_class(re2_state *t)
{
	size_t start = t->pos;
	size_t i = start + 1;
	bool negated = i < t->len && t->s[i] == '^';
	if (negated)
		i++;
	re2_begin_atom(t, false);
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
			if (!re2_parse_unicode_class(t, &i, true, &emitted))
				return false;
			continue;
		}
		bool ok;
		if (re2_perl_class(t, &i, true, &ok)) {
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
				return re2_fail(t, "invalid character class range", range_start, i);
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
