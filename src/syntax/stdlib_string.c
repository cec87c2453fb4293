/*
 * string.* builtins. They follow Go's strings package byte for byte,
 * including how invalid UTF-8 is treated (as U+FFFD, one byte wide).
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/unicode.h"
#include "base/utf8.h"
#include "syntax/internal.h"
#include "syntax/stdlib.h"

/* Decodes the first `n` arguments as strings; on failure releases what it made. */
static bool pj_string_args(pj_value *const *args, size_t nargs, size_t n, pj_value **out, char **err)
{
	if (!pj_check_arity(nargs, n, false, err))
		return false;
	for (size_t i = 0; i < n; i++) {
		out[i] = pj_arg_string(args[i], i, err);
		if (!out[i]) {
			while (i--)
				pj_value_unref(out[i]);
			return false;
		}
	}
	return true;
}

static void pj_release(pj_value **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pj_value_unref(v[i]);
}

static pj_value *pj_buf_value(pj_buf *b)
{
	size_t n = b->len;
	if (!b->data)
		return pj_string("", 0);
	return pj_string_take(pj_buf_detach(b), n);
}

PJ_BUILTIN(pj_std_join)
{
	if (!pj_check_arity(nargs, 2, false, err))
		return NULL;
	pj_value *list = pj_arg_string_list(args[0], 0, err);
	if (!list)
		return NULL;
	pj_value *sep = pj_arg_string(args[1], 1, err);
	if (!sep) {
		pj_value_unref(list);
		return NULL;
	}
	pj_buf b = PJ_BUF_INIT;
	size_t seplen, len;
	const char *s = pj_value_str(sep, &seplen);
	for (size_t i = 0; i < pj_array_len(list); i++) {
		if (i)
			pj_buf_append(&b, s, seplen);
		const char *e = pj_value_str(pj_array_get(list, i), &len);
		pj_buf_append(&b, e, len);
	}
	pj_value_unref(list);
	pj_value_unref(sep);
	return pj_buf_value(&b);
}

/* Where the next match of an empty pattern ends: after one rune (or one bad byte). */
static size_t pj_rune_width(const char *s, size_t len)
{
	size_t w;
	pj_utf8_decode(s, len, &w);
	return w;
}

static const char *pj_find(const char *s, size_t len, const char *pat, size_t plen)
{
	if (plen == 0)
		return s;
	if (plen > len)
		return NULL;
	return memmem(s, len, pat, plen);
}

PJ_BUILTIN(pj_std_replace)
{
	pj_value *a[3];
	if (!pj_string_args(args, nargs, 3, a, err))
		return NULL;
	size_t len, olen, nlen;
	const char *s = pj_value_str(a[0], &len);
	const char *old = pj_value_str(a[1], &olen);
	const char *rep = pj_value_str(a[2], &nlen);
	pj_buf b = PJ_BUF_INIT;
	size_t i = 0;
	/* An empty pattern matches before every rune and at the end, as in Go. */
	for (;;) {
		const char *m = pj_find(s + i, len - i, old, olen);
		if (!m)
			break;
		size_t at = (size_t)(m - s);
		pj_buf_append(&b, s + i, at - i);
		pj_buf_append(&b, rep, nlen);
		i = at + olen;
		if (olen == 0) {
			if (i >= len)
				break;
			size_t w = pj_rune_width(s + i, len - i);
			pj_buf_append(&b, s + i, w);
			i += w;
			if (i == len) {
				pj_buf_append(&b, rep, nlen);
				break;
			}
		}
	}
	if (i < len)
		pj_buf_append(&b, s + i, len - i);
	pj_release(a, 3);
	return pj_buf_value(&b);
}

PJ_BUILTIN(pj_std_split)
{
	pj_value *a[2];
	if (!pj_string_args(args, nargs, 2, a, err))
		return NULL;
	size_t len, slen;
	const char *s = pj_value_str(a[0], &len);
	const char *sep = pj_value_str(a[1], &slen);
	pj_value *out = pj_array_new(0);
	size_t i = 0;
	if (slen == 0) {
		while (i < len) {
			size_t w = pj_rune_width(s + i, len - i);
			pj_array_push(out, pj_string(s + i, w));
			i += w;
		}
	} else {
		for (;;) {
			const char *m = pj_find(s + i, len - i, sep, slen);
			size_t end = m ? (size_t)(m - s) : len;
			pj_array_push(out, pj_string(s + i, end - i));
			if (!m)
				break;
			i = end + slen;
		}
	}
	pj_release(a, 2);
	return out;
}

static pj_value *pj_map_runes(pj_value *const *args, size_t nargs, char **err,
	void (*map)(pj_buf *, const char *, size_t))
{
	pj_value *a[1];
	if (!pj_string_args(args, nargs, 1, a, err))
		return NULL;
	size_t len;
	const char *s = pj_value_str(a[0], &len);
	pj_buf b = PJ_BUF_INIT;
	map(&b, s, len);
	pj_release(a, 1);
	return pj_buf_value(&b);
}

PJ_BUILTIN(pj_std_to_lower)
{
	return pj_map_runes(args, nargs, err, pj_unicode_lower_string);
}

PJ_BUILTIN(pj_std_to_upper)
{
	return pj_map_runes(args, nargs, err, pj_unicode_upper_string);
}

static bool pj_in_cutset(int32_t r, const char *cut, size_t clen)
{
	size_t w;
	for (size_t i = 0; i < clen; i += w) {
		if (pj_utf8_decode(cut + i, clen - i, &w) == r)
			return true;
	}
	return false;
}

/* The start of the last rune ending at s[end]. */
static size_t pj_last_rune(const char *s, size_t end, int32_t *r)
{
	size_t start = end - 1, w;
	while (start > 0 && end - start < 4 && ((unsigned char)s[start] & 0xC0) == 0x80)
		start--;
	*r = pj_utf8_decode(s + start, end - start, &w);
	if (start + w != end) {
		start = end - 1;
		*r = PJ_RUNE_ERROR;
	}
	return start;
}

/* Trims cutset runes (or white space) from both ends. */
static pj_value *pj_trim_runes(const char *s, size_t len, const char *cut, size_t clen, bool space)
{
	size_t i = 0, end = len, w;
	while (i < end) {
		int32_t r = pj_utf8_decode(s + i, end - i, &w);
		if (space ? !pj_unicode_is_space(r) : !pj_in_cutset(r, cut, clen))
			break;
		i += w;
	}
	while (end > i) {
		int32_t r;
		size_t start = pj_last_rune(s, end, &r);
		if (space ? !pj_unicode_is_space(r) : !pj_in_cutset(r, cut, clen))
			break;
		end = start;
	}
	return pj_string(s + i, end - i);
}

PJ_BUILTIN(pj_std_trim)
{
	pj_value *a[2];
	if (!pj_string_args(args, nargs, 2, a, err))
		return NULL;
	size_t len, clen;
	const char *s = pj_value_str(a[0], &len);
	const char *cut = pj_value_str(a[1], &clen);
	pj_value *out = pj_trim_runes(s, len, cut, clen, false);
	pj_release(a, 2);
	return out;
}

PJ_BUILTIN(pj_std_trim_space)
{
	pj_value *a[1];
	if (!pj_string_args(args, nargs, 1, a, err))
		return NULL;
	size_t len;
	const char *s = pj_value_str(a[0], &len);
	pj_value *out = pj_trim_runes(s, len, NULL, 0, true);
	pj_release(a, 1);
	return out;
}

static pj_value *pj_trim_affix(pj_value *const *args, size_t nargs, char **err, bool prefix)
{
	pj_value *a[2];
	if (!pj_string_args(args, nargs, 2, a, err))
		return NULL;
	size_t len, alen;
	const char *s = pj_value_str(a[0], &len);
	const char *affix = pj_value_str(a[1], &alen);
	pj_value *out;
	if (alen > len)
		out = pj_value_ref(a[0]);
	else if (prefix && memcmp(s, affix, alen) == 0)
		out = pj_string(s + alen, len - alen);
	else if (!prefix && memcmp(s + len - alen, affix, alen) == 0)
		out = pj_string(s, len - alen);
	else
		out = pj_value_ref(a[0]);
	pj_release(a, 2);
	return out;
}

PJ_BUILTIN(pj_std_trim_prefix)
{
	return pj_trim_affix(args, nargs, err, true);
}

PJ_BUILTIN(pj_std_trim_suffix)
{
	return pj_trim_affix(args, nargs, err, false);
}
