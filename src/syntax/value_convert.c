/*
 * Assignment conversions (spec 3.2) and Go's duration syntax. The messages
 * are the ones Alloy's decoder produces, without the expression prefix the
 * evaluator adds.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "syntax/internal.h"
#include "syntax/value.h"

static pj_value *pj_type_error(const pj_value *v, const char *want, char **err)
{
	*err = pj_asprintf("should be %s, got %s", want, pj_value_type_name(v));
	return NULL;
}

pj_value *pj_convert_string(const pj_value *v, char **err)
{
	pj_buf b = PJ_BUF_INIT;
	size_t len;
	switch (pj_value_kind(v)) {
	case PJ_STRING:
		return pj_value_ref(v);
	case PJ_NULL:
		return pj_string("", 0);
	case PJ_NUMBER:
		pj_number_text(&b, v);
		len = b.len;
		return pj_string_take(pj_buf_detach(&b), len);
	case PJ_SECRET:
		*err = pj_strdup("secrets may not be converted into strings");
		return NULL;
	default:
		return pj_type_error(v, "string", err);
	}
}

/* strconv.ParseUint(s, 10, 64) / ParseInt(s, 10, 64): plain decimal digits, no underscores. */
static bool pj_parse_decimal(const char *s, size_t len, bool neg_allowed, pj_value **out)
{
	bool neg = false;
	size_t i = 0;
	if (neg_allowed && len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return false;
	uint64_t u = 0;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (u > (UINT64_MAX - d) / 10)
			return false;
		u = u * 10 + d;
	}
	if (!neg_allowed) {
		*out = pj_uint(u);
		return true;
	}
	if (neg ? u > UINT64_C(1) << 63 : u > INT64_MAX)
		return false;
	*out = pj_int(neg ? (int64_t)(0 - u) : (int64_t)u);
	return true;
}

static size_t pj_span_of(const char *s, size_t len, size_t i, int (*pred)(int))
{
	while (i < len && pred((unsigned char)s[i]))
		i++;
	return i;
}

/* The syntax strconv.ParseFloat accepts for the strings that reach it here. */
static bool pj_float_syntax(const char *s, size_t len)
{
	size_t i = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	bool hex = len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X');
	int (*digit)(int) = hex ? isxdigit : isdigit;
	if (hex)
		i += 2;
	size_t start = i;
	i = pj_span_of(s, len, i, digit);
	size_t ndig = i - start;
	if (i < len && s[i] == '.') {
		size_t f = ++i;
		i = pj_span_of(s, len, i, digit);
		ndig += i - f;
	}
	if (ndig == 0)
		return false;
	char e = hex ? 'p' : 'e';
	if (i < len && (s[i] | 0x20) == e) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t d = i;
		i = pj_span_of(s, len, i, isdigit);
		if (i == d)
			return false;
	} else if (hex) {
		return false;
	}
	return i == len;
}

/* strconv's underscoreOK: '_' only between digits (a 0x prefix counts as one). */
static bool pj_underscores_ok(const char *s, size_t len)
{
	char saw = '^';
	size_t i = 0;
	if (len && (s[0] == '-' || s[0] == '+'))
		i = 1;
	bool hex = len - i >= 2 && s[i] == '0' && ((s[i + 1] | 0x20) == 'x' || (s[i + 1] | 0x20) == 'b' ||
		(s[i + 1] | 0x20) == 'o');
	if (hex) {
		hex = (s[i + 1] | 0x20) == 'x';
		i += 2;
		saw = '0';
	}
	for (; i < len; i++) {
		char c = s[i];
		if ((c >= '0' && c <= '9') || (hex && isxdigit((unsigned char)c))) {
			saw = '0';
		} else if (c == '_') {
			if (saw != '0')
				return false;
			saw = '_';
		} else if (saw == '_') {
			return false;
		} else {
			saw = '!';
		}
	}
	return saw != '_';
}

/* strconv.ParseFloat(s, 64) for the strings Alloy sends it; false on error or overflow. */
static bool pj_parse_float(const char *s, size_t len, double *out)
{
	if (memchr(s, '_', len) && !pj_underscores_ok(s, len))
		return false;
	char *clean = pj_malloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '_')
			clean[n++] = s[i];
	}
	clean[n] = '\0';
	bool ok = pj_float_syntax(clean, n);
	if (ok) {
		*out = strtod(clean, NULL);
		ok = !isinf(*out);
	}
	free(clean);
	return ok;
}

static pj_value *pj_string_to_number(const pj_value *v, char **err)
{
	size_t len;
	const char *s = pj_value_str(v, &len);
	pj_value *out = NULL;
	bool ok;
	if (len == 0) {
		ok = false;
	} else if (s[0] == '-') {
		ok = pj_parse_decimal(s, len, true, &out);
	} else if (memchr(s, '.', len) || memchr(s, 'e', len) || memchr(s, 'E', len)) {
		double f;
		ok = pj_parse_float(s, len, &f);
		if (ok)
			out = pj_float(f);
	} else {
		ok = pj_parse_decimal(s, len, false, &out);
	}
	if (!ok)
		return pj_type_error(v, "number", err);
	return out;
}

pj_value *pj_convert_number(const pj_value *v, char **err)
{
	switch (pj_value_kind(v)) {
	case PJ_NUMBER:
		return pj_value_ref(v);
	case PJ_NULL:
		return pj_int(0);
	case PJ_STRING:
		return pj_string_to_number(v, err);
	default:
		return pj_type_error(v, "number", err);
	}
}

pj_value *pj_convert_secret(const pj_value *v, char **err)
{
	size_t len;
	const char *s;
	switch (pj_value_kind(v)) {
	case PJ_SECRET:
		return pj_value_ref(v);
	case PJ_NULL:
		return pj_secret("", 0);
	case PJ_STRING:
		s = pj_value_str(v, &len);
		return pj_secret(s, len);
	default:
		return pj_type_error(v, "capsule", err);
	}
}

/* The time package's own quoting: ASCII kept, everything else as \xNN bytes. */
static void pj_time_quote(pj_buf *out, const char *s, size_t len)
{
	pj_buf_putc(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || c < ' ') {
			pj_buf_printf(out, "\\x%02x", c);
			continue;
		}
		if (c == '"' || c == '\\')
			pj_buf_putc(out, '\\');
		pj_buf_putc(out, (char)c);
	}
	pj_buf_putc(out, '"');
}

static bool pj_duration_error(const char *s, size_t len, const char *unit, size_t unit_len,
	bool missing, char **err)
{
	pj_buf b = PJ_BUF_INIT;
	if (unit) {
		pj_buf_puts(&b, "time: unknown unit ");
		pj_time_quote(&b, unit, unit_len);
		pj_buf_puts(&b, " in duration ");
	} else {
		pj_buf_puts(&b, missing ? "time: missing unit in duration " : "time: invalid duration ");
	}
	pj_time_quote(&b, s, len);
	*err = pj_buf_detach(&b);
	return false;
}

static uint64_t pj_duration_unit(const char *u, size_t n)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{"ns", 1}, {"us", 1000}, {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000},
		{"ms", 1000000}, {"s", 1000000000}, {"m", 60000000000ULL}, {"h", 3600000000000ULL},
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0)
			return units[i].ns;
	}
	return 0;
}

#define PJ_DUR_LIMIT (UINT64_C(1) << 63)

/* One "<int>[.<frac>]<unit>" group; returns false on a syntax error (*p unchanged then). */
static bool pj_duration_group(const char *s, size_t len, size_t *pos, uint64_t *total, char **err)
{
	size_t i = *pos;
	if (!(s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
		return pj_duration_error(s, len, NULL, 0, false, err);
	uint64_t v = 0;
	size_t start = i;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > PJ_DUR_LIMIT / 10)
			return pj_duration_error(s, len, NULL, 0, false, err);
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > PJ_DUR_LIMIT)
			return pj_duration_error(s, len, NULL, 0, false, err);
	}
	bool pre = i != start, post = false;
	uint64_t frac = 0;
	double scale = 1;
	if (i < len && s[i] == '.') {
		bool overflow = false;
		size_t fstart = ++i;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (overflow || frac > (PJ_DUR_LIMIT - 1) / 10) {
				overflow = true;
				continue;
			}
			frac = frac * 10 + (uint64_t)(s[i] - '0');
			scale *= 10;
		}
		post = i != fstart;
	}
	if (!pre && !post)
		return pj_duration_error(s, len, NULL, 0, false, err);
	size_t ustart = i;
	while (i < len && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9'))
		i++;
	if (i == ustart)
		return pj_duration_error(s, len, NULL, 0, true, err);
	uint64_t unit = pj_duration_unit(s + ustart, i - ustart);
	if (!unit)
		return pj_duration_error(s, len, s + ustart, i - ustart, false, err);
	if (v > PJ_DUR_LIMIT / unit)
		return pj_duration_error(s, len, NULL, 0, false, err);
	v *= unit;
	if (frac > 0) {
		v += (uint64_t)((double)frac * ((double)unit / scale));
		if (v > PJ_DUR_LIMIT)
			return pj_duration_error(s, len, NULL, 0, false, err);
	}
	*total += v;
	if (*total > PJ_DUR_LIMIT)
		return pj_duration_error(s, len, NULL, 0, false, err);
	*pos = i;
	return true;
}

bool pj_parse_duration(const char *s, size_t len, int64_t *ns, char **err)
{
	size_t i = 0;
	bool neg = false;
	if (len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (len - i == 1 && s[i] == '0') {
		*ns = 0;
		return true;
	}
	if (i == len)
		return pj_duration_error(s, len, NULL, 0, false, err);
	uint64_t total = 0;
	while (i < len) {
		if (!pj_duration_group(s, len, &i, &total, err))
			return false;
	}
	if (neg) {
		*ns = (int64_t)(0 - total);
		return true;
	}
	if (total > INT64_MAX)
		return pj_duration_error(s, len, NULL, 0, false, err);
	*ns = (int64_t)total;
	return true;
}

/* Writes v / 10^prec's fraction (".5") into buf ending at *w, dropping trailing zeros. */
static uint64_t pj_frac(char *buf, size_t *w, uint64_t v, int prec)
{
	bool print = false;
	for (int i = 0; i < prec; i++) {
		unsigned digit = (unsigned)(v % 10);
		print = print || digit != 0;
		if (print)
			buf[--*w] = (char)('0' + digit);
		v /= 10;
	}
	if (print)
		buf[--*w] = '.';
	return v;
}

static void pj_int_digits(char *buf, size_t *w, uint64_t v)
{
	do {
		buf[--*w] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
}

void pj_format_duration(pj_buf *out, int64_t ns)
{
	char buf[40];
	size_t w = sizeof(buf);
	uint64_t u = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;
	if (u < 1000000000) {
		int prec = 0;
		buf[--w] = 's';
		if (u == 0) {
			pj_buf_puts(out, "0s");
			return;
		} else if (u < 1000) {
			buf[--w] = 'n';
		} else if (u < 1000000) {
			prec = 3;
			buf[--w] = '\xb5';
			buf[--w] = '\xc2';
		} else {
			prec = 6;
			buf[--w] = 'm';
		}
		u = pj_frac(buf, &w, u, prec);
		pj_int_digits(buf, &w, u);
	} else {
		buf[--w] = 's';
		u = pj_frac(buf, &w, u, 9);
		pj_int_digits(buf, &w, u % 60);
		u /= 60;
		if (u > 0) {
			buf[--w] = 'm';
			pj_int_digits(buf, &w, u % 60);
			u /= 60;
			if (u > 0) {
				buf[--w] = 'h';
				pj_int_digits(buf, &w, u);
			}
		}
	}
	if (ns < 0)
		buf[--w] = '-';
	pj_buf_append(out, buf + w, sizeof(buf) - w);
}
