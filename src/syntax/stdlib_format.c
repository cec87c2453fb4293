/*
 * string.format: Go's fmt.Sprintf over Alloy values. Arguments arrive as the
 * Go values Alloy's decoder makes of them (numbers stay int, uint64 or
 * float64), so a verb that does not fit prints Go's %!verb(type=value) text
 * instead of converting.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "syntax/gostr.h"
#include "syntax/quote.h"
#include "syntax/internal.h"
#include "syntax/stdlib.h"

typedef struct pj_spec {
	bool minus, plus, sharp, space, zero;
	int width, prec; /* -1 when absent */
	int32_t verb;
} pj_spec;

static void pj_fmt_value(pj_buf *out, const pj_value *v, const pj_spec *sp, int depth);

/* Go's type name for the value the decoder would hand to Sprintf. */
static const char *pj_go_type(const pj_value *v)
{
	switch (pj_value_kind(v)) {
	case PJ_BOOL: return "bool";
	case PJ_STRING: return "string";
	case PJ_SECRET: return "alloytypes.Secret";
	case PJ_ARRAY: return "[]interface {}";
	case PJ_OBJECT: return "map[string]interface {}";
	case PJ_FUNCTION: return "func";
	case PJ_CAPSULE: return pj_capsule_type_of(v)->name;
	case PJ_NUMBER:
		if (pj_value_numkind(v) == PJ_NUM_FLOAT)
			return "float64";
		if (pj_value_numkind(v) == PJ_NUM_UINT && pj_value_uint(v) > INT64_MAX)
			return "uint64";
		return "int";
	default: return "<nil>";
	}
}

static size_t pj_rune_count(const char *s, size_t len)
{
	size_t n = 0, w;
	for (size_t i = 0; i < len; i += w, n++)
		pj_utf8_decode(s + i, len - i, &w);
	return n;
}

/* Pads text to the width; numbers with the 0 flag get their zeros after the sign. */
static void pj_pad(pj_buf *out, const char *s, size_t len, const pj_spec *sp, bool numeric)
{
	size_t runes = pj_rune_count(s, len);
	size_t pad = sp->width > 0 && (size_t)sp->width > runes ? (size_t)sp->width - runes : 0;
	if (sp->minus) {
		pj_buf_append(out, s, len);
		pj_buf_fill(out, ' ', pad);
	} else if (sp->zero && pad) {
		if (numeric && len && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) {
			pj_buf_putc(out, s[0]);
			s++, len--;
		}
		pj_buf_fill(out, '0', pad);
		pj_buf_append(out, s, len);
	} else {
		pj_buf_fill(out, ' ', pad);
		pj_buf_append(out, s, len);
	}
}

static void pj_pad_buf(pj_buf *out, pj_buf *text, const pj_spec *sp, bool numeric)
{
	pj_pad(out, text->data ? text->data : "", text->len, sp, numeric);
	pj_buf_free(text);
}

static void pj_bad_verb(pj_buf *out, const pj_value *v, int32_t verb)
{
	pj_buf_puts(out, "%!");
	pj_utf8_encode(out, verb);
	pj_buf_putc(out, '(');
	if (pj_value_kind(v) == PJ_NULL) {
		pj_buf_puts(out, "<nil>");
	} else {
		pj_spec plain = {.width = -1, .prec = -1, .verb = 'v'};
		pj_buf_puts(out, pj_go_type(v));
		pj_buf_putc(out, '=');
		pj_fmt_value(out, v, &plain, 0);
	}
	pj_buf_putc(out, ')');
}

static void pj_sign(pj_buf *t, bool neg, const pj_spec *sp)
{
	if (neg)
		pj_buf_putc(t, '-');
	else if (sp->plus)
		pj_buf_putc(t, '+');
	else if (sp->space)
		pj_buf_putc(t, ' ');
}

static void pj_quote_rune_literal(pj_buf *t, uint64_t u)
{
	int32_t r = u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF) ? PJ_RUNE_ERROR : (int32_t)u;
	pj_buf q = PJ_BUF_INIT;
	pj_buf enc = PJ_BUF_INIT;
	pj_utf8_encode(&enc, r);
	if (r == '\'') {
		pj_buf_puts(t, "'\\''");
	} else if (r == '"') {
		pj_buf_puts(t, "'\"'");
	} else {
		pj_quote_go(&q, enc.data, enc.len);
		pj_buf_putc(t, '\'');
		pj_buf_append(t, q.data + 1, q.len - 2);
		pj_buf_putc(t, '\'');
	}
	pj_buf_free(&q);
	pj_buf_free(&enc);
}

static bool pj_fmt_integer(pj_buf *out, const pj_value *v, const pj_spec *sp)
{
	bool is_uint = pj_value_numkind(v) == PJ_NUM_UINT;
	uint64_t mag = is_uint ? pj_value_uint(v) : (uint64_t)pj_value_int(v);
	bool neg = !is_uint && pj_value_int(v) < 0;
	if (neg)
		mag = 0 - mag;
	pj_buf t = PJ_BUF_INIT;
	switch (sp->verb) {
	case 'v': case 'd':
		pj_sign(&t, neg, sp);
		pj_buf_printf(&t, "%llu", (unsigned long long)mag);
		break;
	case 'x': case 'X': case 'o': case 'O': case 'b': {
		pj_sign(&t, neg, sp);
		if (sp->verb == 'O' || (sp->sharp && sp->verb != 'o' && sp->verb != 'b'))
			pj_buf_puts(&t, sp->verb == 'X' ? "0X" : sp->verb == 'O' ? "0o" : "0x");
		else if (sp->sharp && sp->verb == 'o')
			pj_buf_putc(&t, '0');
		else if (sp->sharp && sp->verb == 'b')
			pj_buf_puts(&t, "0b");
		char digits[65];
		int n = 0;
		unsigned base = sp->verb == 'b' ? 2 : (sp->verb == 'o' || sp->verb == 'O') ? 8 : 16;
		const char *set = sp->verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
		do {
			digits[n++] = set[mag % base];
			mag /= base;
		} while (mag);
		while (n)
			pj_buf_putc(&t, digits[--n]);
		break;
	}
	case 'c':
		pj_utf8_encode(&t, neg || mag > 0x10FFFF ? PJ_RUNE_ERROR : (int32_t)mag);
		break;
	case 'q':
		pj_quote_rune_literal(&t, neg ? UINT64_MAX : mag);
		break;
	case 'U':
		pj_buf_printf(&t, "U+%04llX", (unsigned long long)(neg ? 0 - mag : mag));
		break;
	default:
		pj_buf_free(&t);
		return false;
	}
	pj_pad_buf(out, &t, sp, true);
	return true;
}

static void pj_hex_float(pj_buf *t, double f, bool upper)
{
	char tmp[64];
	snprintf(tmp, sizeof(tmp), upper ? "%A" : "%a", f);
	char *p = strchr(tmp, upper ? 'P' : 'p');
	if (!p) {
		pj_buf_puts(t, tmp);
		return;
	}
	/* Go writes at least two exponent digits. */
	pj_buf_append(t, tmp, (size_t)(p - tmp) + 2);
	if (strlen(p + 2) < 2)
		pj_buf_putc(t, '0');
	pj_buf_puts(t, p + 2);
}

static bool pj_fmt_float(pj_buf *out, const pj_value *v, const pj_spec *sp)
{
	double f = pj_value_float(v);
	int prec = sp->prec;
	char fmt;
	switch (sp->verb) {
	case 'v': case 'g': fmt = 'g'; break;
	case 'f': case 'F': fmt = 'f'; prec = prec < 0 ? 6 : prec; break;
	case 'e': case 'E': fmt = 'e'; prec = prec < 0 ? 6 : prec; break;
	case 'G': fmt = 'G'; break;
	case 'x': case 'X': fmt = 'x'; break;
	default: return false;
	}
	pj_buf num = PJ_BUF_INIT;
	if (fmt == 'x') {
		pj_hex_float(&num, f, sp->verb == 'X');
	} else {
		pj_go_format_float(&num, f, fmt == 'G' ? 'g' : fmt, prec);
		if (sp->verb == 'E' || sp->verb == 'G') {
			for (size_t i = 0; i < num.len; i++)
				num.data[i] = num.data[i] == 'e' ? 'E' : num.data[i];
		}
	}
	/* Go shows a plus sign only when asked for one, except on +Inf. */
	const char *digits = num.data[0] == '+' && !isinf(f) ? num.data + 1 : num.data;
	pj_buf t = PJ_BUF_INIT;
	if (isinf(f) && f > 0 && sp->space && !sp->plus)
		digits = " Inf";
	else if (digits[0] != '-' && digits[0] != '+')
		pj_sign(&t, false, sp);
	pj_buf_puts(&t, digits);
	pj_buf_free(&num);
	pj_pad_buf(out, &t, sp, !isinf(f) && !isnan(f));
	return true;
}

static bool pj_fmt_string(pj_buf *out, const pj_value *v, const pj_spec *sp)
{
	size_t len;
	const char *s = pj_value_str(v, &len);
	if (sp->prec >= 0 && sp->verb != 'x' && sp->verb != 'X') {
		size_t i = 0, w;
		for (int n = 0; n < sp->prec && i < len; n++, i += w)
			pj_utf8_decode(s + i, len - i, &w);
		len = i;
	}
	pj_buf t = PJ_BUF_INIT;
	switch (sp->verb) {
	case 'v': case 's':
		if (sp->verb == 'v' && sp->sharp)
			pj_quote_go(&t, s, len); /* %#v is Go syntax */
		else
			pj_buf_append(&t, s, len);
		break;
	case 'q':
		pj_quote_go(&t, s, len);
		break;
	case 'x': case 'X':
		if (sp->prec >= 0 && (size_t)sp->prec < len)
			len = (size_t)sp->prec;
		for (size_t i = 0; i < len; i++) {
			if (i && sp->space)
				pj_buf_putc(&t, ' ');
			pj_buf_printf(&t, sp->verb == 'x' ? "%02x" : "%02X", (unsigned char)s[i]);
		}
		break;
	default:
		pj_buf_free(&t);
		return false;
	}
	pj_pad_buf(out, &t, sp, false);
	return true;
}

static int pj_key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go prints maps as map[k:v k:v] with keys sorted. */
static void pj_fmt_map(pj_buf *out, const pj_value *v, const pj_spec *sp, int depth)
{
	size_t n = pj_object_len(v);
	const char **keys = pj_malloc((n ? n : 1) * sizeof(*keys));
	for (size_t i = 0; i < n; i++)
		keys[i] = pj_object_key(v, i);
	qsort(keys, n, sizeof(*keys), pj_key_cmp);
	pj_buf_puts(out, "map[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			pj_buf_putc(out, ' ');
		pj_value *k = pj_cstring(keys[i]);
		pj_fmt_value(out, k, sp, depth + 1);
		pj_value_unref(k);
		pj_buf_putc(out, ':');
		pj_fmt_value(out, pj_object_get(v, keys[i]), sp, depth + 1);
	}
	pj_buf_putc(out, ']');
	free(keys);
}

static void pj_fmt_value(pj_buf *out, const pj_value *v, const pj_spec *sp, int depth)
{
	bool ok = true;
	switch (pj_value_kind(v)) {
	case PJ_NULL:
		if (sp->verb == 'v' || depth > 0)
			pj_pad(out, "<nil>", 5, sp, false);
		else
			ok = false;
		break;
	case PJ_BOOL:
		if (sp->verb == 'v' || sp->verb == 't')
			pj_pad(out, pj_value_bool(v) ? "true" : "false", pj_value_bool(v) ? 4 : 5, sp, false);
		else
			ok = false;
		break;
	case PJ_NUMBER:
		ok = pj_value_numkind(v) == PJ_NUM_FLOAT ? pj_fmt_float(out, v, sp) : pj_fmt_integer(out, v, sp);
		break;
	case PJ_STRING:
	case PJ_SECRET:
		ok = pj_fmt_string(out, v, sp);
		break;
	case PJ_ARRAY:
		pj_buf_putc(out, '[');
		for (size_t i = 0; i < pj_array_len(v); i++) {
			if (i)
				pj_buf_putc(out, ' ');
			pj_fmt_value(out, pj_array_get(v, i), sp, depth + 1);
		}
		pj_buf_putc(out, ']');
		break;
	case PJ_OBJECT:
		pj_fmt_map(out, v, sp, depth);
		break;
	default: {
		pj_buf t = PJ_BUF_INIT;
		pj_value_write(&t, v);
		pj_pad_buf(out, &t, sp, false);
		break;
	}
	}
	if (!ok)
		pj_bad_verb(out, v, sp->verb);
}

/* The arguments of one string.format call and where the next directive takes from. */
typedef struct pj_fmt_args {
	pj_value *const *args;
	size_t n, next;
	bool reordered; /* an explicit [n] index was used: surplus arguments are not reported */
	bool good_index;
} pj_fmt_args;

/* An explicit argument index "[n]" (1-based) at f[*i], as Go's fmt accepts. */
static void pj_fmt_index(const char *f, size_t len, size_t *i, pj_fmt_args *a)
{
	if (*i >= len || f[*i] != '[')
		return;
	a->reordered = true;
	const char *close = memchr(f + *i, ']', len - *i);
	if (!close || close - (f + *i) < 2) {
		a->good_index = false;
		(*i)++;
		return;
	}
	size_t end = (size_t)(close - f), n = 0;
	bool ok = true;
	for (size_t k = *i + 1; k < end; k++) {
		if (f[k] < '0' || f[k] > '9' || n > 1000000)
			ok = false;
		else
			n = n * 10 + (size_t)(f[k] - '0');
	}
	*i = end + 1;
	if (ok && n >= 1 && n <= a->n)
		a->next = n - 1;
	else
		a->good_index = false;
}

/* Parses a width or precision: digits, or '*' taking an int argument. */
static bool pj_fmt_number(const char *f, size_t len, size_t *i, pj_fmt_args *a, int *out, bool *bad)
{
	pj_fmt_index(f, len, i, a);
	if (*i < len && f[*i] == '*') {
		(*i)++;
		const pj_value *v = a->next < a->n ? a->args[a->next] : NULL;
		if (!v || pj_value_kind(v) != PJ_NUMBER || pj_value_numkind(v) == PJ_NUM_FLOAT) {
			*bad = true;
			if (v)
				a->next++;
			return true;
		}
		int64_t n = pj_value_int(v);
		a->next++;
		*bad = n > 1000000 || n < -1000000;
		*out = *bad ? -1 : (int)n;
		return true;
	}
	if (*i >= len || f[*i] < '0' || f[*i] > '9')
		return false;
	int n = 0;
	while (*i < len && f[*i] >= '0' && f[*i] <= '9') {
		if (n < 1000000)
			n = n * 10 + (f[*i] - '0');
		(*i)++;
	}
	*out = n;
	return true;
}

static void pj_fmt_flags(const char *f, size_t len, size_t *i, pj_spec *sp)
{
	for (; *i < len; (*i)++) {
		switch (f[*i]) {
		case '-': sp->minus = true, sp->zero = false; break;
		case '+': sp->plus = true; break;
		case '#': sp->sharp = true; break;
		case ' ': sp->space = true; break;
		case '0': sp->zero = !sp->minus; break;
		default: return;
		}
	}
}

/* Formats one directive starting after '%'; returns the index after it. */
static size_t pj_fmt_directive(pj_buf *out, const char *f, size_t len, size_t i, pj_fmt_args *a)
{
	pj_spec sp = {.width = -1, .prec = -1};
	bool bad = false;
	a->good_index = true;
	pj_fmt_flags(f, len, &i, &sp);
	if (pj_fmt_number(f, len, &i, a, &sp.width, &bad) && bad)
		pj_buf_puts(out, "%!(BADWIDTH)");
	if (sp.width < 0 && sp.width != -1) {
		sp.minus = true, sp.zero = false;
		sp.width = -sp.width;
	}
	if (i < len && f[i] == '.') {
		i++;
		bad = false;
		if (!pj_fmt_number(f, len, &i, a, &sp.prec, &bad))
			sp.prec = 0;
		if (bad || sp.prec < -1) {
			pj_buf_puts(out, "%!(BADPREC)");
			sp.prec = -1;
		}
	}
	pj_fmt_index(f, len, &i, a);
	if (i >= len) {
		pj_buf_puts(out, "%!(NOVERB)");
		return i;
	}
	size_t w;
	sp.verb = pj_utf8_decode(f + i, len - i, &w);
	i += w;
	if (sp.verb == '%') {
		pj_buf_putc(out, '%');
	} else if (!a->good_index || a->next >= a->n) {
		pj_buf_puts(out, "%!");
		pj_utf8_encode(out, sp.verb);
		pj_buf_puts(out, a->good_index ? "(MISSING)" : "(BADINDEX)");
	} else if (sp.verb == 'T') {
		const char *type = pj_go_type(a->args[a->next++]);
		pj_pad(out, type, strlen(type), &sp, false);
	} else {
		pj_fmt_value(out, a->args[a->next++], &sp, 0);
	}
	return i;
}

PJ_BUILTIN(pj_std_format)
{
	if (!pj_check_arity(nargs, 1, true, err))
		return NULL;
	pj_value *fmtv = pj_arg_string(args[0], 0, err);
	if (!fmtv)
		return NULL;
	size_t len;
	const char *f = pj_value_str(fmtv, &len);
	pj_fmt_args a = {.args = args + 1, .n = nargs - 1};
	pj_buf out = PJ_BUF_INIT;
	size_t i = 0;
	while (i < len) {
		const char *pct = memchr(f + i, '%', len - i);
		size_t end = pct ? (size_t)(pct - f) : len;
		pj_buf_append(&out, f + i, end - i);
		if (!pct)
			break;
		i = pj_fmt_directive(&out, f, len, end + 1, &a);
	}
	if (!a.reordered && a.next < a.n) {
		pj_spec plain = {.width = -1, .prec = -1, .verb = 'v'};
		pj_buf_puts(&out, "%!(EXTRA ");
		for (size_t k = a.next; k < a.n; k++) {
			if (k > a.next)
				pj_buf_puts(&out, ", ");
			if (pj_value_kind(a.args[k]) == PJ_NULL) {
				pj_buf_puts(&out, "<nil>");
				continue;
			}
			pj_buf_puts(&out, pj_go_type(a.args[k]));
			pj_buf_putc(&out, '=');
			pj_fmt_value(&out, a.args[k], &plain, 0);
		}
		pj_buf_putc(&out, ')');
	}
	pj_value_unref(fmtv);
	size_t n = out.len;
	return out.data ? pj_string_take(pj_buf_detach(&out), n) : pj_string("", 0);
}
