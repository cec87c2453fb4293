#include "relabel/unicode.h"

#include <string.h>

/* Go's unicode.To: UpperCase is even and LowerCase odd, which the alternating runs rely on. */
static uint32_t rune_map(uint32_t r, bool lower)
{
	size_t lo = 0, hi = relabel_unicode_ncase_ranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const relabel_case_range *cr = &relabel_unicode_case_ranges[mid];
		if (r < cr->lo) {
			hi = mid;
		} else if (r > cr->hi) {
			lo = mid + 1;
		} else {
			int32_t delta = lower ? cr->to_lower : cr->to_upper;
			if (delta == RELABEL_UPPER_LOWER)
				return cr->lo + (((r - cr->lo) & ~1u) | (lower ? 1u : 0u));
			return (uint32_t)((int32_t)r + delta);
		}
	}
	return r;
}

uint32_t relabel_rune_to_lower(uint32_t r)
{
	if (r < 0x80)
		return r >= 'A' && r <= 'Z' ? r + 32 : r;
	return rune_map(r, true);
}

uint32_t relabel_rune_to_upper(uint32_t r)
{
	if (r < 0x80)
		return r >= 'a' && r <= 'z' ? r - 32 : r;
	return rune_map(r, false);
}

/* strings.Map semantics: every rune mapped, every invalid byte written as U+FFFD. */
static void map_case(const char *s, size_t len, pj_buf *out, uint32_t (*fn)(uint32_t))
{
	pj_buf_reserve(out, len);
	for (size_t i = 0; i < len;) {
		size_t w;
		uint32_t r = pj_utf8_decode(s + i, len - i, &w);
		pj_utf8_encode(out, fn(r));
		i += w;
	}
}

void relabel_to_lower(const char *s, size_t len, pj_buf *out)
{
	map_case(s, len, out, relabel_rune_to_lower);
}

void relabel_to_upper(const char *s, size_t len, pj_buf *out)
{
	map_case(s, len, out, relabel_rune_to_upper);
}

bool relabel_unicode_is_script(const char *name, size_t len)
{
	size_t lo = 0, hi = relabel_unicode_nscripts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *s = relabel_unicode_scripts[mid];
		size_t slen = strlen(s);
		int c = memcmp(s, name, slen < len ? slen : len);
		if (c == 0)
			c = slen < len ? -1 : slen > len;
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

size_t relabel_unicode_fold_extras_of(const char *name, size_t len, const relabel_fold_range **first)
{
	size_t n = 0;
	*first = NULL;
	for (size_t i = 0; i < relabel_unicode_nfold_extras; i++) {
		const relabel_fold_range *r = &relabel_unicode_fold_extras[i];
		if (strlen(r->name) != len || memcmp(r->name, name, len) != 0)
			continue;
		if (!*first)
			*first = r;
		n++;
	}
	return n;
}
