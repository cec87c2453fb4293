/*
 * Go's fmt verbs over Alloy values, following fmt's own rules for signs,
 * zero padding, prefixes and the %!verb(type=value) marker, so that
 * string.format prints what Alloy prints.
 */
#include "syntax/gofmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/unicode.h"
#include "base/utf8.h"
#include "syntax/gostr.h"
#include "syntax/quote.h"

static void pj_fmt(pj_buf *out, const pj_value *v, const pj_gofmt_spec *sp, int depth);

const char *pj_gofmt_type(const pj_value *v)
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

static size_t pj_pad_len(const pj_gofmt_spec *sp, size_t used)
{
	return sp->width > 0 && (size_t)sp->width > used ? (size_t)sp->width - used : 0;
}

void pj_gofmt_pad(pj_buf *out, const char *s, size_t len, const pj_gofmt_spec *sp)
{
	size_t pad = pj_pad_len(sp, pj_rune_count(s, len));
	if (!sp->minus)
		pj_buf_fill(out, sp->zero ? '0' : ' ', pad);
	pj_buf_append(out, s, len);
	if (sp->minus)
		pj_buf_fill(out, ' ', pad);
}

static void pj_pad_spaces(pj_buf *out, pj_buf *text, const pj_gofmt_spec *sp)
{
	pj_gofmt_spec nozero = *sp;
	nozero.zero = false;
	pj_gofmt_pad(out, text->data ? text->data : "", text->len, &nozero);
	pj_buf_free(text);
}

static void pj_bad_verb(pj_buf *out, const pj_value *v, const pj_gofmt_spec *sp, int depth)
{
	pj_buf_puts(out, "%!");
	pj_utf8_encode(out, sp->verb);
	pj_buf_putc(out, '(');
	if (pj_value_kind(v) == PJ_NULL) {
		pj_buf_puts(out, "<nil>");
	} else {
		/* Go prints the value with %v but keeps the directive's flags. */
		pj_gofmt_spec as_v = *sp;
		as_v.verb = 'v';
		as_v.sharp_v = false;
		pj_buf_puts(out, pj_gofmt_type(v));
		pj_buf_putc(out, '=');
		pj_fmt(out, v, &as_v, depth);
	}
	pj_buf_putc(out, ')');
}

/* fmt's fmtInteger: precision or zero padding as leading zeros, then prefixes and sign. */
static void pj_fmt_int_base(pj_buf *out, uint64_t u, bool is_signed, unsigned base, bool upper,
	const pj_gofmt_spec *sp)
{
	bool negative = is_signed && (int64_t)u < 0;
	if (negative)
		u = 0 - u;
	size_t prec = 0;
	if (sp->prec >= 0) {
		prec = (size_t)sp->prec;
		if (prec == 0 && u == 0) {
			pj_buf_fill(out, ' ', pj_pad_len(sp, 0));
			return;
		}
	} else if (sp->zero && !sp->minus && sp->width > 0) {
		prec = (size_t)sp->width;
		if ((negative || sp->plus || sp->space) && prec > 0)
			prec--;
	}
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[72];
	size_t n = 0;
	do {
		digits[n++] = set[u % base];
		u /= base;
	} while (u);
	size_t zeros = prec > n ? prec - n : 0;
	pj_buf t = PJ_BUF_INIT;
	if (negative)
		pj_buf_putc(&t, '-');
	else if (sp->plus)
		pj_buf_putc(&t, '+');
	else if (sp->space)
		pj_buf_putc(&t, ' ');
	if (sp->verb == 'O')
		pj_buf_puts(&t, "0o");
	if (sp->sharp && base == 2)
		pj_buf_puts(&t, "0b");
	else if (sp->sharp && base == 16)
		pj_buf_puts(&t, upper ? "0X" : "0x");
	else if (sp->sharp && base == 8 && zeros == 0 && digits[n - 1] != '0')
		pj_buf_putc(&t, '0');
	pj_buf_fill(&t, '0', zeros);
	while (n)
		pj_buf_putc(&t, digits[--n]);
	pj_pad_spaces(out, &t, sp);
}

/* strconv.Quote, or QuoteToASCII (the + flag) which also escapes every non-ASCII rune. */
static void pj_quote(pj_buf *t, const char *s, size_t len, bool ascii)
{
	if (!ascii) {
		pj_quote_go(t, s, len);
		return;
	}
	pj_buf_putc(t, '"');
	size_t w;
	for (size_t i = 0; i < len; i += w) {
		int32_t r = pj_utf8_decode(s + i, len - i, &w);
		if (r < 0x80 || (r == PJ_RUNE_ERROR && w == 1)) {
			pj_buf q = PJ_BUF_INIT;
			pj_quote_go(&q, s + i, w);
			pj_buf_append(t, q.data + 1, q.len - 2);
			pj_buf_free(&q);
		} else {
			pj_buf_printf(t, r < 0x10000 ? "\\u%04x" : "\\U%08x", (unsigned)r);
		}
	}
	pj_buf_putc(t, '"');
}

/* strconv.QuoteRune (or QuoteRuneToASCII): a Go character literal. */
static void pj_quote_rune(pj_buf *t, uint64_t u, bool ascii)
{
	int32_t r = u > 0x10FFFF ? PJ_RUNE_ERROR : (int32_t)u;
	pj_buf enc = PJ_BUF_INIT, q = PJ_BUF_INIT;
	pj_utf8_encode(&enc, r);
	if (r == '\'') {
		pj_buf_puts(t, "'\\''");
	} else if (r == '"') {
		pj_buf_puts(t, "'\"'");
	} else {
		pj_quote(&q, enc.data, enc.len, ascii);
		pj_buf_putc(t, '\'');
		pj_buf_append(t, q.data + 1, q.len - 2);
		pj_buf_putc(t, '\'');
	}
	pj_buf_free(&enc);
	pj_buf_free(&q);
}

static void pj_fmt_unicode(pj_buf *out, uint64_t u, const pj_gofmt_spec *sp)
{
	pj_buf t = PJ_BUF_INIT;
	int prec = sp->prec > 4 ? sp->prec : 4;
	pj_buf_printf(&t, "U+%0*llX", prec, (unsigned long long)u);
	if (sp->sharp && u <= 0x10FFFF && pj_unicode_is_print((int32_t)u)) {
		pj_buf_puts(&t, " '");
		pj_utf8_encode(&t, (int32_t)u);
		pj_buf_putc(&t, '\'');
	}
	pj_pad_spaces(out, &t, sp);
}

static bool pj_fmt_integer(pj_buf *out, const pj_value *v, const pj_gofmt_spec *sp)
{
	uint64_t u = pj_value_uint(v);
	bool is_signed = !(pj_value_numkind(v) == PJ_NUM_UINT && u > INT64_MAX);
	pj_buf t = PJ_BUF_INIT;
	pj_gofmt_spec hex = *sp;
	switch (sp->verb) {
	case 'v':
		if (sp->sharp_v && !is_signed) {
			hex.sharp = true;
			pj_fmt_int_base(out, u, false, 16, false, &hex);
		} else {
			pj_fmt_int_base(out, u, is_signed, 10, false, sp);
		}
		return true;
	case 'd': pj_fmt_int_base(out, u, is_signed, 10, false, sp); return true;
	case 'b': pj_fmt_int_base(out, u, is_signed, 2, false, sp); return true;
	case 'o': case 'O': pj_fmt_int_base(out, u, is_signed, 8, false, sp); return true;
	case 'x': pj_fmt_int_base(out, u, is_signed, 16, false, sp); return true;
	case 'X': pj_fmt_int_base(out, u, is_signed, 16, true, sp); return true;
	case 'c':
		pj_utf8_encode(&t, u > 0x10FFFF ? PJ_RUNE_ERROR : (int32_t)u);
		break;
	case 'q':
		pj_quote_rune(&t, u, sp->plus);
		break;
	case 'U':
		pj_fmt_unicode(out, u, sp);
		return true;
	default:
		return false;
	}
	pj_gofmt_pad(out, t.data, t.len, sp);
	pj_buf_free(&t);
	return true;
}

/* strconv's 'b' format: mantissa "p" binary exponent. */
static void pj_float_binary(pj_buf *t, double f)
{
	uint64_t bits;
	memcpy(&bits, &f, sizeof(bits));
	uint64_t mant = bits & ((UINT64_C(1) << 52) - 1);
	int exp = (int)((bits >> 52) & 0x7FF);
	if (exp == 0)
		exp++;
	else
		mant |= UINT64_C(1) << 52;
	exp += -1023 - 52;
	pj_buf_printf(t, "%s%llup%c%d", (bits >> 63) ? "-" : "", (unsigned long long)mant, exp >= 0 ? '+' : '-',
		exp >= 0 ? exp : -exp);
}

/*
 * strconv's 'x' format: 0x1.hhhp+dd with the leading 1 normalised (also for
 * subnormals), rounded half to even to `prec` hex digits when prec >= 0.
 */
static void pj_float_hex(pj_buf *t, double f, int prec, bool upper)
{
	uint64_t bits;
	memcpy(&bits, &f, sizeof(bits));
	int exp = (int)((bits >> 52) & 0x7FF);
	uint64_t mant = bits & ((UINT64_C(1) << 52) - 1);
	if (exp == 0)
		exp++;
	else
		mant |= UINT64_C(1) << 52;
	exp -= 1023;
	if (mant == 0)
		exp = 0;
	mant <<= 8; /* leading 1 at bit 60 */
	while (mant && !(mant & (UINT64_C(1) << 60))) {
		mant <<= 1;
		exp--;
	}
	if (prec >= 0 && prec < 15) {
		unsigned shift = (unsigned)prec * 4;
		uint64_t extra = (mant << shift) & ((UINT64_C(1) << 60) - 1);
		mant >>= 60 - shift;
		if ((extra | (mant & 1)) > (UINT64_C(1) << 59))
			mant++;
		mant <<= 60 - shift;
		if (mant & (UINT64_C(1) << 61)) {
			mant >>= 1;
			exp++;
		}
	}
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	pj_buf_printf(t, "%s0%c%c", (bits >> 63) ? "-" : "", upper ? 'X' : 'x', (int)('0' + ((mant >> 60) & 1)));
	mant <<= 4;
	if ((prec < 0 && mant) || prec > 0)
		pj_buf_putc(t, '.');
	for (int i = 0; prec < 0 ? mant != 0 : i < prec; i++) {
		pj_buf_putc(t, hex[(mant >> 60) & 15]);
		mant <<= 4;
	}
	pj_buf_printf(t, "%c%c%02d", upper ? 'P' : 'p', exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

/* The number with Go's sign convention: a leading '+' when not negative. */
static void pj_float_text(pj_buf *num, double f, int32_t verb, int prec)
{
	if (isnan(f) || isinf(f)) {
		pj_buf_puts(num, isnan(f) ? "+NaN" : f > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (!signbit(f))
		pj_buf_putc(num, '+');
	switch (verb) {
	case 'b': pj_float_binary(num, f); return;
	case 'x': case 'X': pj_float_hex(num, f, prec, verb == 'X'); return;
	case 'v': case 'g': case 'G': pj_go_format_float(num, f, 'g', prec); break;
	case 'e': case 'E': pj_go_format_float(num, f, 'e', prec); break;
	default: pj_go_format_float(num, f, 'f', prec); break;
	}
	if (verb == 'E' || verb == 'G') {
		for (size_t i = 0; i < num->len; i++)
			num->data[i] = num->data[i] == 'e' ? 'E' : num->data[i];
	}
}

/* The # flag: always a decimal point, and %g keeps its trailing zeros up to the precision. */
static void pj_float_sharp(pj_buf *num, int32_t verb, int prec)
{
	int digits = 0;
	if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x')
		digits = prec < 0 ? 6 : prec;
	bool hex = verb == 'x' || verb == 'X', point = false, nonzero = false;
	size_t end = num->len;
	for (size_t i = 1; i < num->len; i++) {
		char c = num->data[i];
		if (c == '.') {
			point = true;
		} else if (c == 'p' || c == 'P' || (!hex && (c == 'e' || c == 'E'))) {
			end = i;
			break;
		} else {
			nonzero = nonzero || c != '0';
			if (nonzero)
				digits--;
		}
	}
	char *tail = pj_strndup(num->data + end, num->len - end);
	num->len = end;
	if (!point) {
		if (end == 2 && num->data[1] == '0')
			digits--;
		pj_buf_putc(num, '.');
	}
	if (digits > 0)
		pj_buf_fill(num, '0', (size_t)digits);
	pj_buf_puts(num, tail);
	free(tail);
}

static bool pj_fmt_float(pj_buf *out, const pj_value *v, const pj_gofmt_spec *sp)
{
	double f = pj_value_float(v);
	int prec = sp->prec;
	switch (sp->verb) {
	case 'v': case 'b': case 'g': case 'G': case 'x': case 'X': break;
	case 'f': case 'F': case 'e': case 'E': prec = prec < 0 ? 6 : prec; break;
	default: return false;
	}
	pj_buf num = PJ_BUF_INIT;
	pj_float_text(&num, f, sp->verb, prec);
	if (sp->space && num.data[0] == '+' && !sp->plus)
		num.data[0] = ' ';
	pj_gofmt_spec nozero = *sp;
	nozero.zero = false;
	if (sp->sharp && sp->verb != 'b' && !isnan(f) && !isinf(f))
		pj_float_sharp(&num, sp->verb, prec);
	if (isnan(f) || isinf(f)) {
		/* Infinities and NaN are never zero padded; NaN shows a sign only when asked. */
		bool drop = isnan(f) && !sp->space && !sp->plus;
		pj_gofmt_pad(out, num.data + drop, num.len - drop, &nozero);
	} else if (sp->plus || num.data[0] != '+') {
		if (sp->zero && sp->width > 0 && (size_t)sp->width > num.len) {
			pj_buf_putc(out, num.data[0]);
			pj_buf_fill(out, '0', (size_t)sp->width - num.len);
			pj_buf_append(out, num.data + 1, num.len - 1);
		} else {
			pj_gofmt_pad(out, num.data, num.len, sp);
		}
	} else {
		pj_gofmt_pad(out, num.data + 1, num.len - 1, sp);
	}
	pj_buf_free(&num);
	return true;
}

static bool pj_can_backquote(const char *s, size_t len)
{
	size_t w;
	for (size_t i = 0; i < len; i += w) {
		int32_t r = pj_utf8_decode(s + i, len - i, &w);
		if ((r == PJ_RUNE_ERROR && w == 1) || r == '`' || r == 0xFEFF || (r < ' ' && r != '\t') || r == 0x7F)
			return false;
	}
	return true;
}

/* fmt's fmtSbx: hex bytes, optionally spaced and 0x-prefixed. */
static void pj_fmt_hex_bytes(pj_buf *out, const char *s, size_t len, const pj_gofmt_spec *sp)
{
	if (sp->prec >= 0 && (size_t)sp->prec < len)
		len = (size_t)sp->prec;
	const char *set = sp->verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t width = 2 * len;
	if (len && sp->space)
		width = (sp->sharp ? 2 * width : width) + len - 1;
	else if (len && sp->sharp)
		width += 2;
	size_t pad = pj_pad_len(sp, width);
	char pad_char = sp->zero ? '0' : ' ';
	if (!sp->minus)
		pj_buf_fill(out, pad_char, pad);
	for (size_t i = 0; i < len; i++) {
		if (i && sp->space)
			pj_buf_putc(out, ' ');
		if (sp->sharp && (i == 0 || sp->space))
			pj_buf_puts(out, sp->verb == 'X' ? "0X" : "0x");
		unsigned char c = (unsigned char)s[i];
		pj_buf_putc(out, set[c >> 4]);
		pj_buf_putc(out, set[c & 15]);
	}
	if (sp->minus)
		pj_buf_fill(out, pad_char, pad);
}

static bool pj_fmt_string(pj_buf *out, const pj_value *v, const pj_gofmt_spec *sp)
{
	size_t len;
	const char *s = pj_value_str(v, &len);
	if (sp->verb == 'x' || sp->verb == 'X') {
		pj_fmt_hex_bytes(out, s, len, sp);
		return true;
	}
	if (sp->verb != 'v' && sp->verb != 's' && sp->verb != 'q')
		return false;
	if (sp->prec >= 0) {
		size_t i = 0, w;
		for (int n = 0; n < sp->prec && i < len; n++, i += w)
			pj_utf8_decode(s + i, len - i, &w);
		len = i;
	}
	bool quote = sp->verb == 'q' || (sp->verb == 'v' && sp->sharp_v);
	if (!quote) {
		pj_gofmt_pad(out, s, len, sp);
		return true;
	}
	pj_buf t = PJ_BUF_INIT;
	if (sp->verb == 'q' && sp->sharp && pj_can_backquote(s, len)) {
		pj_buf_putc(&t, '`');
		pj_buf_append(&t, s, len);
		pj_buf_putc(&t, '`');
	} else {
		pj_quote(&t, s, len, sp->plus);
	}
	pj_gofmt_pad(out, t.data, t.len, sp);
	pj_buf_free(&t);
	return true;
}

static int pj_key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Maps print as map[k:v k:v] (or Go syntax with %#v), keys sorted. */
static void pj_fmt_map(pj_buf *out, const pj_value *v, const pj_gofmt_spec *sp, int depth)
{
	size_t n = pj_object_len(v);
	const char **keys = pj_malloc((n ? n : 1) * sizeof(*keys));
	for (size_t i = 0; i < n; i++)
		keys[i] = pj_object_key(v, i);
	qsort(keys, n, sizeof(*keys), pj_key_cmp);
	pj_buf_puts(out, sp->sharp_v ? "map[string]interface {}{" : "map[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			pj_buf_puts(out, sp->sharp_v ? ", " : " ");
		pj_value *k = pj_cstring(keys[i]);
		pj_fmt(out, k, sp, depth + 1);
		pj_value_unref(k);
		pj_buf_putc(out, ':');
		pj_fmt(out, pj_object_get(v, keys[i]), sp, depth + 1);
	}
	pj_buf_putc(out, sp->sharp_v ? '}' : ']');
	free(keys);
}

static void pj_fmt_array(pj_buf *out, const pj_value *v, const pj_gofmt_spec *sp, int depth)
{
	pj_buf_puts(out, sp->sharp_v ? "[]interface {}{" : "[");
	for (size_t i = 0; i < pj_array_len(v); i++) {
		if (i)
			pj_buf_puts(out, sp->sharp_v ? ", " : " ");
		pj_fmt(out, pj_array_get(v, i), sp, depth + 1);
	}
	pj_buf_putc(out, sp->sharp_v ? '}' : ']');
}

static bool pj_fmt_null(pj_buf *out, const pj_gofmt_spec *sp, int depth)
{
	/* A nil element of a slice or map prints unpadded whatever the verb; a nil argument only for %v. */
	if (depth > 0)
		pj_buf_puts(out, sp->sharp_v ? "interface {}(nil)" : "<nil>");
	else if (sp->verb == 'v')
		pj_gofmt_pad(out, "<nil>", 5, sp);
	else
		return false;
	return true;
}

static void pj_fmt(pj_buf *out, const pj_value *v, const pj_gofmt_spec *sp, int depth)
{
	bool ok = true;
	pj_buf t = PJ_BUF_INIT;
	switch (pj_value_kind(v)) {
	case PJ_NULL:
		ok = pj_fmt_null(out, sp, depth);
		break;
	case PJ_BOOL:
		ok = sp->verb == 'v' || sp->verb == 't';
		if (ok)
			pj_gofmt_pad(out, pj_value_bool(v) ? "true" : "false", pj_value_bool(v) ? 4 : 5, sp);
		break;
	case PJ_NUMBER:
		ok = pj_value_numkind(v) == PJ_NUM_FLOAT ? pj_fmt_float(out, v, sp) : pj_fmt_integer(out, v, sp);
		break;
	case PJ_STRING:
	case PJ_SECRET:
		ok = pj_fmt_string(out, v, sp);
		break;
	case PJ_ARRAY:
		pj_fmt_array(out, v, sp, depth);
		break;
	case PJ_OBJECT:
		pj_fmt_map(out, v, sp, depth);
		break;
	default:
		pj_value_write(&t, v);
		pj_gofmt_pad(out, t.data, t.len, sp);
		pj_buf_free(&t);
		break;
	}
	if (!ok)
		pj_bad_verb(out, v, sp, depth);
}

void pj_gofmt_value(pj_buf *out, const pj_value *v, const pj_gofmt_spec *sp)
{
	pj_fmt(out, v, sp, 0);
}
