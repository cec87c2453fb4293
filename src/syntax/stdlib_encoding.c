/*
 * encoding.* builtins besides JSON: base64 (standard and URL alphabets, with
 * padding) and URL query escaping, behaving and failing like Go's
 * encoding/base64 and net/url, whose messages Alloy users see.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/base64.h"
#include "syntax/internal.h"
#include "syntax/quote.h"
#include "syntax/stdlib.h"

static pj_value *pj_buf_string(pj_buf *b)
{
	size_t n = b->len;
	return b->data ? pj_string_take(pj_buf_detach(b), n) : pj_string("", 0);
}

static pj_value *pj_b64_encode(pj_value *const *args, size_t nargs, char **err, const char *alphabet)
{
	if (!pj_check_arity(nargs, 1, false, err))
		return NULL;
	pj_value *in = pj_arg_string(args[0], 0, err);
	if (!in)
		return NULL;
	size_t len;
	const unsigned char *s = (const unsigned char *)pj_value_str(in, &len);
	pj_buf b = PJ_BUF_INIT;
	pj_base64_encode(&b, s, len, alphabet);
	pj_value_unref(in);
	return pj_buf_string(&b);
}

static int pj_b64_value(const char *alphabet, unsigned char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;
	return p ? (int)(p - alphabet) : -1;
}

static bool pj_b64_newline(unsigned char c)
{
	return c == '\n' || c == '\r';
}

static bool pj_b64_corrupt(size_t at, char **err)
{
	*err = pj_asprintf("illegal base64 data at input byte %zu", at);
	return false;
}

/*
 * Reads one quantum of up to 4 symbols at *si, as Go's decodeQuantum does:
 * newlines are skipped, '=' padding ends the input. Sets *n to the number of
 * symbols read (0 at the end of input).
 */
static bool pj_b64_quantum(const unsigned char *s, size_t len, size_t *si, const char *alphabet,
	uint8_t sym[4], size_t *n, char **err)
{
	*n = 0;
	for (size_t j = 0; j < 4; j++) {
		if (*si == len) {
			/* A padded encoding may only end between quanta. */
			return j == 0 ? true : pj_b64_corrupt(*si - j, err);
		}
		unsigned char in = s[(*si)++];
		int v = pj_b64_value(alphabet, in);
		if (v >= 0) {
			sym[j] = (uint8_t)v;
			continue;
		}
		if (pj_b64_newline(in)) {
			j--; /* unsigned wrap-around; the loop's j++ restores it */
			continue;
		}
		if (in != '=' || j < 2)
			return pj_b64_corrupt(*si - 1, err);
		if (j == 2) {
			while (*si < len && pj_b64_newline(s[*si]))
				(*si)++;
			if (*si == len)
				return pj_b64_corrupt(len, err);
			if (s[*si] != '=')
				return pj_b64_corrupt(*si - 1, err);
			(*si)++;
		}
		while (*si < len && pj_b64_newline(s[*si]))
			(*si)++;
		if (*si < len)
			return pj_b64_corrupt(*si, err);
		*n = j;
		return true;
	}
	*n = 4;
	return true;
}

static pj_value *pj_b64_decode(pj_value *const *args, size_t nargs, char **err, const char *alphabet)
{
	if (!pj_check_arity(nargs, 1, false, err))
		return NULL;
	pj_value *in = pj_arg_string(args[0], 0, err);
	if (!in)
		return NULL;
	size_t len, si = 0, n = 4;
	const unsigned char *s = (const unsigned char *)pj_value_str(in, &len);
	pj_buf b = PJ_BUF_INIT;
	bool ok = true;
	while (ok && n == 4 && si < len) {
		uint8_t sym[4] = {0};
		ok = pj_b64_quantum(s, len, &si, alphabet, sym, &n, err);
		uint32_t v = (uint32_t)sym[0] << 18 | (uint32_t)sym[1] << 12 | (uint32_t)sym[2] << 6 | sym[3];
		unsigned char out[3] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
		if (ok && n >= 2)
			pj_buf_append(&b, out, n - 1);
	}
	pj_value_unref(in);
	if (!ok) {
		pj_buf_free(&b);
		return NULL;
	}
	return pj_buf_string(&b);
}

PJ_BUILTIN(pj_std_to_base64)
{
	return pj_b64_encode(args, nargs, err, pj_base64_std);
}

PJ_BUILTIN(pj_std_to_urlbase64)
{
	return pj_b64_encode(args, nargs, err, pj_base64_url);
}

PJ_BUILTIN(pj_std_from_base64)
{
	return pj_b64_decode(args, nargs, err, pj_base64_std);
}

PJ_BUILTIN(pj_std_from_urlbase64)
{
	return pj_b64_decode(args, nargs, err, pj_base64_url);
}

/* url.QueryEscape: everything but letters, digits and -_.~ is %XX, space is '+'. */
PJ_BUILTIN(pj_std_url_encode)
{
	if (!pj_check_arity(nargs, 1, false, err))
		return NULL;
	pj_value *in = pj_arg_string(args[0], 0, err);
	if (!in)
		return NULL;
	size_t len;
	const unsigned char *s = (const unsigned char *)pj_value_str(in, &len);
	pj_buf b = PJ_BUF_INIT;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '_' || c == '.' || c == '~';
		if (unreserved)
			pj_buf_putc(&b, (char)c);
		else if (c == ' ')
			pj_buf_putc(&b, '+');
		else
			pj_buf_printf(&b, "%%%02X", c);
	}
	pj_value_unref(in);
	return pj_buf_string(&b);
}

/* url.QueryUnescape: '+' is a space, %XX a byte; a bad escape is an error naming it. */
PJ_BUILTIN(pj_std_url_decode)
{
	if (!pj_check_arity(nargs, 1, false, err))
		return NULL;
	pj_value *in = pj_arg_string(args[0], 0, err);
	if (!in)
		return NULL;
	size_t len;
	const unsigned char *s = (const unsigned char *)pj_value_str(in, &len);
	pj_buf b = PJ_BUF_INIT;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			pj_buf_putc(&b, ' ');
		} else if (s[i] != '%') {
			pj_buf_putc(&b, (char)s[i]);
		} else if (i + 2 < len && pj_hex_digit(s[i + 1]) >= 0 && pj_hex_digit(s[i + 2]) >= 0) {
			pj_buf_putc(&b, (char)(pj_hex_digit(s[i + 1]) << 4 | pj_hex_digit(s[i + 2])));
			i += 2;
		} else {
			size_t n = len - i < 3 ? len - i : 3;
			pj_buf q = PJ_BUF_INIT;
			pj_quote_go(&q, (const char *)s + i, n);
			*err = pj_asprintf("invalid URL escape %s", q.data);
			pj_buf_free(&q);
			pj_buf_free(&b);
			pj_value_unref(in);
			return NULL;
		}
	}
	pj_value_unref(in);
	return pj_buf_string(&b);
}
