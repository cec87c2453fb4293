/*
 * encoding.from_json and encoding.to_json. The decoder is strict RFC 8259
 * JSON and reports problems with Go's encoding/json wording, since that is
 * what Alloy users see: "invalid character 'x' looking for beginning of value".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/jsonquote.h"
#include "base/utf8.h"
#include "syntax/gostr.h"
#include "syntax/quote.h"
#include "syntax/internal.h"
#include "syntax/stdlib.h"

#define PJ_JSON_MAX_DEPTH 10000

typedef struct pj_json {
	const char *s;
	size_t len, pos;
	int depth;
	char *err; /* first syntax error */
	char *range_err; /* a number out of range; reported only if the syntax is fine */
} pj_json;

static pj_value *pj_json_value(pj_json *j);

/*
 * Go's scanner feeds a space at the end of input: where a space is fine the
 * input was merely cut short, elsewhere (inside a literal, number or escape)
 * the space itself is the invalid character.
 */
static void pj_json_fail_at(pj_json *j, const char *context, bool space_at_end)
{
	if (j->err)
		return;
	if (j->pos >= j->len && !space_at_end) {
		j->err = pj_strdup("unexpected end of JSON input");
		return;
	}
	unsigned char c = j->pos < j->len ? (unsigned char)j->s[j->pos] : ' ';
	pj_buf b = PJ_BUF_INIT;
	pj_buf_puts(&b, "invalid character ");
	if (c == '\'') {
		pj_buf_puts(&b, "'\\''");
	} else if (c == '"') {
		pj_buf_puts(&b, "'\"'");
	} else {
		/* Go quotes the byte as if it were a code point. */
		pj_buf enc = PJ_BUF_INIT, q = PJ_BUF_INIT;
		pj_utf8_encode(&enc, c);
		pj_quote_go(&q, enc.data, enc.len);
		pj_buf_putc(&b, '\'');
		pj_buf_append(&b, q.data + 1, q.len - 2);
		pj_buf_putc(&b, '\'');
		pj_buf_free(&enc);
		pj_buf_free(&q);
	}
	pj_buf_putc(&b, ' ');
	pj_buf_puts(&b, context);
	j->err = pj_buf_detach(&b);
}

static void pj_json_fail(pj_json *j, const char *context)
{
	pj_json_fail_at(j, context, false);
}

/* For errors inside a token, where the end of input counts as a space. */
static void pj_json_fail_token(pj_json *j, const char *context)
{
	pj_json_fail_at(j, context, true);
}

static void pj_json_ws(pj_json *j)
{
	while (j->pos < j->len) {
		char c = j->s[j->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		j->pos++;
	}
}

static bool pj_json_peek(pj_json *j, char c)
{
	return j->pos < j->len && j->s[j->pos] == c;
}

/* Reads the 4 hex digits of a \u escape; -1 after reporting an error. */
static int32_t pj_json_u4(pj_json *j)
{
	int32_t r = 0;
	for (int k = 0; k < 4; k++, j->pos++) {
		int h = j->pos < j->len ? pj_hex_digit(j->s[j->pos]) : -1;
		if (h < 0) {
			pj_json_fail_token(j, "in \\u hexadecimal character escape");
			return -1;
		}
		r = r * 16 + h;
	}
	return r;
}

static bool pj_json_escape(pj_json *j, pj_buf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char c = j->pos < j->len ? j->s[j->pos] : 0;
	const char *e = c ? strchr(from, c) : NULL;
	if (e) {
		pj_buf_putc(out, to[e - from]);
		j->pos++;
		return true;
	}
	if (c != 'u') {
		pj_json_fail_token(j, "in string escape code");
		return false;
	}
	j->pos++;
	int32_t r = pj_json_u4(j);
	if (r < 0)
		return false;
	if (r >= 0xD800 && r < 0xDC00 && j->pos + 1 < j->len && j->s[j->pos] == '\\' &&
		j->s[j->pos + 1] == 'u') {
		size_t save = j->pos;
		j->pos += 2;
		int32_t lo = pj_json_u4(j);
		if (lo < 0)
			return false;
		if (lo >= 0xDC00 && lo < 0xE000) {
			pj_utf8_encode(out, 0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00));
			return true;
		}
		j->pos = save; /* decode the second escape on its own */
	}
	pj_utf8_encode(out, r);
	return true;
}

static pj_value *pj_json_string_value(pj_json *j, pj_buf *out)
{
	j->pos++; /* opening quote */
	while (j->pos < j->len) {
		unsigned char c = (unsigned char)j->s[j->pos];
		if (c == '"') {
			j->pos++;
			size_t n = out->len;
			return out->data ? pj_string_take(pj_buf_detach(out), n) : pj_string("", 0);
		}
		if (c < 0x20) {
			pj_json_fail(j, "in string literal");
			return NULL;
		}
		if (c == '\\') {
			j->pos++;
			if (!pj_json_escape(j, out))
				return NULL;
			continue;
		}
		size_t w;
		pj_utf8_encode(out, pj_utf8_decode(j->s + j->pos, j->len - j->pos, &w));
		j->pos += w;
	}
	pj_json_fail(j, "");
	return NULL;
}

static pj_value *pj_jp_string(pj_json *j)
{
	pj_buf b = PJ_BUF_INIT;
	pj_value *v = pj_json_string_value(j, &b);
	pj_buf_free(&b);
	return v;
}

static bool pj_json_digits(pj_json *j, const char *context)
{
	if (j->pos >= j->len || j->s[j->pos] < '0' || j->s[j->pos] > '9') {
		pj_json_fail_token(j, context);
		return false;
	}
	while (j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
		j->pos++;
	return true;
}

static pj_value *pj_jp_number(pj_json *j)
{
	size_t start = j->pos;
	if (pj_json_peek(j, '-'))
		j->pos++;
	if (pj_json_peek(j, '0'))
		j->pos++;
	else if (!pj_json_digits(j, "in numeric literal"))
		return NULL;
	if (pj_json_peek(j, '.')) {
		j->pos++;
		if (!pj_json_digits(j, "after decimal point in numeric literal"))
			return NULL;
	}
	if (pj_json_peek(j, 'e') || pj_json_peek(j, 'E')) {
		j->pos++;
		if (pj_json_peek(j, '+') || pj_json_peek(j, '-'))
			j->pos++;
		if (!pj_json_digits(j, "in exponent of numeric literal"))
			return NULL;
	}
	char *text = pj_strndup(j->s + start, j->pos - start);
	double f = strtod(text, NULL);
	if (isinf(f) && !j->range_err)
		j->range_err = pj_asprintf("json: cannot unmarshal number %s into Go value of type float64", text);
	free(text);
	return pj_float(f);
}

static pj_value *pj_json_literal(pj_json *j, const char *word, pj_value *v)
{
	j->pos++;
	for (const char *p = word + 1; *p; p++, j->pos++) {
		if (j->pos >= j->len || j->s[j->pos] != *p) {
			char context[48];
			snprintf(context, sizeof(context), "in literal %s (expecting '%c')", word, *p);
			pj_json_fail_token(j, context);
			return NULL;
		}
	}
	return v;
}

static pj_value *pj_json_array(pj_json *j)
{
	pj_value *arr = pj_array_new(0);
	j->pos++;
	pj_json_ws(j);
	if (pj_json_peek(j, ']')) {
		j->pos++;
		return arr;
	}
	for (;;) {
		pj_value *elem = pj_json_value(j);
		if (!elem)
			break;
		pj_array_push(arr, elem);
		pj_json_ws(j);
		if (pj_json_peek(j, ']')) {
			j->pos++;
			return arr;
		}
		if (!pj_json_peek(j, ',')) {
			pj_json_fail(j, "after array element");
			break;
		}
		j->pos++;
	}
	pj_value_unref(arr);
	return NULL;
}

static pj_value *pj_json_member(pj_json *j, pj_value *obj)
{
	pj_json_ws(j);
	if (!pj_json_peek(j, '"')) {
		pj_json_fail(j, "looking for beginning of object key string");
		return NULL;
	}
	pj_value *key = pj_jp_string(j);
	if (!key)
		return NULL;
	pj_json_ws(j);
	pj_value *val = NULL;
	if (!pj_json_peek(j, ':')) {
		pj_json_fail(j, "after object key");
	} else {
		j->pos++;
		val = pj_json_value(j);
	}
	if (val)
		pj_object_set(obj, pj_value_str(key, NULL), val);
	pj_value_unref(key);
	return val;
}

static pj_value *pj_json_object(pj_json *j)
{
	pj_value *obj = pj_object_new();
	j->pos++;
	pj_json_ws(j);
	if (pj_json_peek(j, '}')) {
		j->pos++;
		return obj;
	}
	for (;;) {
		if (!pj_json_member(j, obj))
			break;
		pj_json_ws(j);
		if (pj_json_peek(j, '}')) {
			j->pos++;
			return obj;
		}
		if (!pj_json_peek(j, ',')) {
			pj_json_fail(j, "after object key:value pair");
			break;
		}
		j->pos++;
	}
	pj_value_unref(obj);
	return NULL;
}

static pj_value *pj_json_value(pj_json *j)
{
	pj_json_ws(j);
	if (j->pos >= j->len) {
		pj_json_fail(j, "");
		return NULL;
	}
	char c = j->s[j->pos];
	if ((c == '[' || c == '{') && ++j->depth > PJ_JSON_MAX_DEPTH) {
		pj_json_fail(j, "exceeded max depth");
		return NULL;
	}
	pj_value *v;
	switch (c) {
	case '[': v = pj_json_array(j); j->depth--; return v;
	case '{': v = pj_json_object(j); j->depth--; return v;
	case '"': return pj_jp_string(j);
	case 't': return pj_json_literal(j, "true", pj_bool(true));
	case 'f': return pj_json_literal(j, "false", pj_bool(false));
	case 'n': return pj_json_literal(j, "null", pj_null());
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return pj_jp_number(j);
		pj_json_fail(j, "looking for beginning of value");
		return NULL;
	}
}

pj_value *pj_json_parse(const char *text, size_t len, char **err)
{
	pj_json j = {0};
	j.s = text;
	j.len = len;
	pj_value *v = pj_json_value(&j);
	if (v) {
		pj_json_ws(&j);
		if (j.pos < j.len)
			pj_json_fail(&j, "after top-level value");
	}
	if (!j.err && j.range_err) {
		j.err = j.range_err;
		j.range_err = NULL;
	}
	if (j.err) {
		pj_value_unref(v);
		v = NULL;
		*err = j.err;
	}
	free(j.range_err);
	return v;
}

PJ_BUILTIN(pj_std_from_json)
{
	if (!pj_check_arity(nargs, 1, false, err))
		return NULL;
	pj_value *text = pj_arg_string(args[0], 0, err);
	if (!text)
		return NULL;
	size_t len;
	const char *s = pj_value_str(text, &len);
	pj_value *v = pj_json_parse(s, len, err);
	pj_value_unref(text);
	return v;
}

static int pj_cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go's json.Marshal of the decoded value: map keys sorted, floats in Go's JSON form. */
static bool pj_json_encode(pj_buf *out, const pj_value *v, char **err)
{
	size_t len;
	const char *s;
	switch (pj_value_kind(v)) {
	case PJ_NUMBER:
		if (!pj_json_number(out, v)) {
			pj_buf f = PJ_BUF_INIT;
			pj_go_format_float(&f, pj_value_float(v), 'g', -1);
			*err = pj_asprintf("json: unsupported value: %s", f.data);
			pj_buf_free(&f);
			return false;
		}
		return true;
	case PJ_STRING:
	case PJ_SECRET:
		s = pj_value_str(v, &len);
		pj_json_quote(out, s, len, PJ_JSON_ENCODING | PJ_JSON_RAW_FFFD);
		return true;
	case PJ_ARRAY:
		pj_buf_putc(out, '[');
		for (size_t i = 0; i < pj_array_len(v); i++) {
			if (i)
				pj_buf_putc(out, ',');
			if (!pj_json_encode(out, pj_array_get(v, i), err))
				return false;
		}
		pj_buf_putc(out, ']');
		return true;
	case PJ_OBJECT: {
		size_t n = pj_object_len(v);
		const char **keys = pj_malloc((n ? n : 1) * sizeof(*keys));
		for (size_t i = 0; i < n; i++)
			keys[i] = pj_object_key(v, i);
		qsort(keys, n, sizeof(*keys), pj_cmp_keys);
		bool ok = true;
		pj_buf_putc(out, '{');
		for (size_t i = 0; i < n && ok; i++) {
			if (i)
				pj_buf_putc(out, ',');
			pj_json_quote(out, keys[i], strlen(keys[i]), PJ_JSON_ENCODING | PJ_JSON_RAW_FFFD);
			pj_buf_putc(out, ':');
			ok = pj_json_encode(out, pj_object_get(v, keys[i]), err);
		}
		pj_buf_putc(out, '}');
		free(keys);
		return ok;
	}
	default:
		pj_value_write_json(out, v);
		return true;
	}
}

PJ_BUILTIN(pj_std_to_json)
{
	if (!pj_check_arity(nargs, 1, false, err))
		return NULL;
	if (pj_value_kind(args[0]) != PJ_OBJECT) {
		*err = pj_strdup("jsonEncode only supports map");
		return NULL;
	}
	pj_buf out = PJ_BUF_INIT;
	if (!pj_json_encode(&out, args[0], err)) {
		pj_buf_free(&out);
		return NULL;
	}
	size_t n = out.len;
	return pj_string_take(pj_buf_detach(&out), n);
}
