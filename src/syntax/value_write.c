/* Rendering values as Alloy syntax text and as JSON. */
#include <math.h>
#include <string.h>

#include "base/jsonquote.h"
#include "base/utf8.h"
#include "syntax/gostr.h"
#include "syntax/quote.h"
#include "syntax/internal.h"
#include "syntax/scanner.h"
#include "syntax/value.h"

void pj_number_text(pj_buf *out, const pj_value *v)
{
	switch (pj_value_numkind(v)) {
	case PJ_NUM_UINT:
		pj_buf_printf(out, "%llu", (unsigned long long)pj_value_uint(v));
		break;
	case PJ_NUM_INT:
		pj_buf_printf(out, "%lld", (long long)pj_value_int(v));
		break;
	default:
		pj_go_format_float(out, pj_value_float(v), 'f', -1);
		break;
	}
}

static void pj_write_key(pj_buf *out, const char *key)
{
	size_t len = strlen(key);
	if (pj_scanner_is_identifier(key, len))
		pj_buf_append(out, key, len);
	else
		pj_quote_go(out, key, len);
}

void pj_value_write(pj_buf *out, const pj_value *v)
{
	size_t len;
	const char *s;
	switch (pj_value_kind(v)) {
	case PJ_NULL:
		pj_buf_puts(out, "null");
		break;
	case PJ_BOOL:
		pj_buf_puts(out, pj_value_bool(v) ? "true" : "false");
		break;
	case PJ_NUMBER:
		pj_number_text(out, v);
		break;
	case PJ_STRING:
		s = pj_value_str(v, &len);
		pj_quote_go(out, s, len);
		break;
	case PJ_SECRET:
		pj_buf_puts(out, "(secret)");
		break;
	case PJ_ARRAY:
		pj_buf_putc(out, '[');
		for (size_t i = 0; i < pj_array_len(v); i++) {
			if (i)
				pj_buf_puts(out, ", ");
			pj_value_write(out, pj_array_get(v, i));
		}
		pj_buf_putc(out, ']');
		break;
	case PJ_OBJECT:
		pj_buf_putc(out, '{');
		for (size_t i = 0; i < pj_object_len(v); i++) {
			if (i)
				pj_buf_puts(out, ", ");
			pj_write_key(out, pj_object_key(v, i));
			pj_buf_puts(out, " = ");
			pj_value_write(out, pj_object_value(v, i));
		}
		pj_buf_putc(out, '}');
		break;
	case PJ_FUNCTION:
		pj_buf_puts(out, "function");
		break;
	case PJ_CAPSULE:
		pj_buf_puts(out, "capsule(");
		s = pj_capsule_type_of(v)->name;
		pj_quote_go(out, s, strlen(s));
		pj_buf_putc(out, ')');
		break;
	}
}

bool pj_json_number(pj_buf *out, const pj_value *v)
{
	if (pj_value_numkind(v) != PJ_NUM_FLOAT) {
		pj_number_text(out, v);
		return true;
	}
	double f = pj_value_float(v);
	if (isnan(f) || isinf(f))
		return false;
	double a = fabs(f);
	if (a != 0 && (a < 1e-6 || a >= 1e21)) {
		/* Go writes 1e-07 as 1e-7 in JSON. */
		pj_buf tmp = PJ_BUF_INIT;
		pj_go_format_float(&tmp, f, 'e', -1);
		char *e = strchr(tmp.data, 'e');
		if (e && e[2] == '0' && e[3])
			memmove(e + 2, e + 3, strlen(e + 3) + 1);
		pj_buf_puts(out, tmp.data);
		pj_buf_free(&tmp);
	} else {
		pj_go_format_float(out, f, 'f', -1);
	}
	return true;
}

void pj_value_write_json(pj_buf *out, const pj_value *v)
{
	size_t len;
	const char *s;
	switch (pj_value_kind(v)) {
	case PJ_NULL:
		pj_buf_puts(out, "null");
		break;
	case PJ_BOOL:
		pj_buf_puts(out, pj_value_bool(v) ? "true" : "false");
		break;
	case PJ_NUMBER:
		if (!pj_json_number(out, v))
			pj_buf_puts(out, "null");
		break;
	case PJ_STRING:
		s = pj_value_str(v, &len);
		pj_json_quote(out, s, len, PJ_JSON_ENCODING | PJ_JSON_RAW_FFFD);
		break;
	case PJ_ARRAY:
		pj_buf_putc(out, '[');
		for (size_t i = 0; i < pj_array_len(v); i++) {
			if (i)
				pj_buf_putc(out, ',');
			pj_value_write_json(out, pj_array_get(v, i));
		}
		pj_buf_putc(out, ']');
		break;
	case PJ_OBJECT:
		pj_buf_putc(out, '{');
		for (size_t i = 0; i < pj_object_len(v); i++) {
			if (i)
				pj_buf_putc(out, ',');
			s = pj_object_key(v, i);
			pj_json_quote(out, s, strlen(s), PJ_JSON_ENCODING | PJ_JSON_RAW_FFFD);
			pj_buf_putc(out, ':');
			pj_value_write_json(out, pj_object_value(v, i));
		}
		pj_buf_putc(out, '}');
		break;
	default: {
		/* Secrets, capsules and functions have no data to show; use their Alloy text. */
		pj_buf text = PJ_BUF_INIT;
		pj_value_write(&text, v);
		pj_json_quote(out, text.data, text.len, PJ_JSON_ENCODING | PJ_JSON_RAW_FFFD);
		pj_buf_free(&text);
		break;
	}
	}
}
