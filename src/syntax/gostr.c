#include "syntax/gostr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int32_t pj_utf8_decode(const char *s, size_t len, size_t *width)
{
	const unsigned char *p = (const unsigned char *)s;
	*width = 1;
	if (len == 0)
		return PJ_RUNE_ERROR;
	unsigned c = p[0];
	if (c < 0x80)
		return (int32_t)c;
	size_t n;
	uint32_t r, min;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2, r = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3, r = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4, r = c & 0x07, min = 0x10000;
	} else {
		return PJ_RUNE_ERROR;
	}
	if (len < n)
		return PJ_RUNE_ERROR;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return PJ_RUNE_ERROR;
		r = (r << 6) | (p[i] & 0x3F);
	}
	if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		return PJ_RUNE_ERROR;
	*width = n;
	return (int32_t)r;
}

void pj_utf8_encode(pj_buf *out, int32_t r)
{
	unsigned char b[4];
	size_t n;
	if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = PJ_RUNE_ERROR;
	uint32_t u = (uint32_t)r;
	if (u < 0x80) {
		b[0] = (unsigned char)u, n = 1;
	} else if (u < 0x800) {
		b[0] = (unsigned char)(0xC0 | (u >> 6));
		b[1] = (unsigned char)(0x80 | (u & 0x3F));
		n = 2;
	} else if (u < 0x10000) {
		b[0] = (unsigned char)(0xE0 | (u >> 12));
		b[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (u & 0x3F));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | (u >> 18));
		b[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3F));
		b[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
		b[3] = (unsigned char)(0x80 | (u & 0x3F));
		n = 4;
	}
	pj_buf_append(out, b, n);
}

bool pj_utf8_valid(const char *s, size_t len)
{
	size_t i = 0, w;
	while (i < len) {
		if (pj_utf8_decode(s + i, len - i, &w) == PJ_RUNE_ERROR && w == 1)
			return false;
		i += w;
	}
	return true;
}

int pj_float_shortest(double f, char digits[32], int *dp)
{
	char tmp[40];
	f = fabs(f);
	if (f == 0) {
		*dp = 0;
		return 0;
	}
	/* The first precision that reads back exactly is the shortest; %e rounds correctly. */
	for (int prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, f);
		if (strtod(tmp, NULL) == f || prec == 16)
			break;
	}
	int nd = 0;
	char *p = tmp;
	for (; *p && *p != 'e'; p++) {
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	}
	int exp = *p == 'e' ? atoi(p + 1) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	*dp = exp + 1;
	return nd;
}

static void pj_format_fixed(pj_buf *out, const char *d, int nd, int dp)
{
	if (nd == 0) {
		pj_buf_putc(out, '0');
		return;
	}
	if (dp <= 0) {
		pj_buf_puts(out, "0.");
		pj_buf_fill(out, '0', (size_t)-dp);
		pj_buf_append(out, d, (size_t)nd);
	} else if (dp >= nd) {
		pj_buf_append(out, d, (size_t)nd);
		pj_buf_fill(out, '0', (size_t)(dp - nd));
	} else {
		pj_buf_append(out, d, (size_t)dp);
		pj_buf_putc(out, '.');
		pj_buf_append(out, d + dp, (size_t)(nd - dp));
	}
}

static void pj_format_exp(pj_buf *out, const char *d, int nd, int dp)
{
	pj_buf_putc(out, nd ? d[0] : '0');
	if (nd > 1) {
		pj_buf_putc(out, '.');
		pj_buf_append(out, d + 1, (size_t)(nd - 1));
	}
	int exp = nd ? dp - 1 : 0;
	pj_buf_printf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

void pj_go_format_float(pj_buf *out, double f, char fmt, int prec)
{
	if (isnan(f)) {
		pj_buf_puts(out, "NaN");
		return;
	}
	if (isinf(f)) {
		pj_buf_puts(out, f > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (prec >= 0) {
		char spec[8] = {'%', '.', '*', fmt, 0};
		pj_buf_printf(out, spec, prec, f);
		return;
	}
	char d[32];
	int dp;
	int nd = pj_float_shortest(f, d, &dp);
	if (signbit(f))
		pj_buf_putc(out, '-');
	int exp = dp - 1;
	if (fmt == 'e' || (fmt == 'g' && nd && (exp < -4 || exp >= 6)))
		pj_format_exp(out, d, nd, dp);
	else
		pj_format_fixed(out, d, nd, dp);
}

bool pj_unicode_isspace(int32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000:
		return true;
	default:
		return r >= 0x2000 && r <= 0x200A;
	}
}

/* A run of code points where upper and lower case alternate (even or odd first). */
typedef struct pj_case_pairs {
	int32_t lo, hi; /* inclusive range covering both cases */
	int upper_parity; /* parity of the upper-case code points */
} pj_case_pairs;

static const pj_case_pairs pj_alternating[] = {
	{0x0100, 0x012F, 0}, {0x0132, 0x0137, 0}, {0x0139, 0x0148, 1}, {0x014A, 0x0177, 0},
	{0x0179, 0x017E, 1}, {0x01A0, 0x01A5, 0}, {0xA640, 0xA66D, 0}, {0xA680, 0xA69B, 0},
	{0xA722, 0xA72F, 0}, {0xA732, 0xA76F, 0}, {0x01DE, 0x01EF, 0}, {0x01F8, 0x021F, 0},
	{0x0222, 0x0233, 0}, {0x03D8, 0x03EF, 0}, {0x0460, 0x0481, 0}, {0x048A, 0x04BF, 0},
	{0x04C1, 0x04CE, 1}, {0x04D0, 0x052F, 0}, {0x1E00, 0x1E95, 0}, {0x1EA0, 0x1EFF, 0},
};

/* A block of upper-case letters whose lower-case forms sit `delta` higher. */
typedef struct pj_case_block {
	int32_t lo, hi; /* upper-case range, inclusive */
	int32_t delta;
} pj_case_block;

static const pj_case_block pj_blocks[] = {
	{'A', 'Z', 32}, {0x00C0, 0x00D6, 32}, {0x00D8, 0x00DE, 32}, {0x0386, 0x0386, 38},
	{0x0388, 0x038A, 37}, {0x038C, 0x038C, 64}, {0x038E, 0x038F, 63}, {0x0391, 0x03A1, 32},
	{0x03A3, 0x03AB, 32}, {0x0400, 0x040F, 80}, {0x0410, 0x042F, 32}, {0x04C0, 0x04C0, 15},
	{0x0531, 0x0556, 48}, {0x10A0, 0x10C5, 7264}, {0x1F08, 0x1F0F, -8}, {0x1F18, 0x1F1D, -8},
	{0x1F28, 0x1F2F, -8}, {0x1F38, 0x1F3F, -8}, {0x1F48, 0x1F4D, -8}, {0x1F68, 0x1F6F, -8},
	{0x2160, 0x216F, 16}, {0x24B6, 0x24CF, 26}, {0x2C00, 0x2C2F, 48}, {0xFF21, 0xFF3A, 32},
	{0x1C90, 0x1CBA, -3008}, {0x1CBD, 0x1CBF, -3008},
};

/* Single mappings that fit no pattern: {upper, lower}. */
static const int32_t pj_pairs[][2] = {
	{0x0178, 0x00FF}, {0x0187, 0x0188}, {0x018B, 0x018C}, {0x0191, 0x0192},
	{0x0198, 0x0199}, {0x01A7, 0x01A8}, {0x01AC, 0x01AD}, {0x01AF, 0x01B0}, {0x01B5, 0x01B6},
	{0x01B8, 0x01B9}, {0x01BC, 0x01BD}, {0x01CD, 0x01CE}, {0x01CF, 0x01D0}, {0x01D1, 0x01D2},
	{0x01D3, 0x01D4}, {0x01D5, 0x01D6}, {0x01D7, 0x01D8}, {0x01D9, 0x01DA}, {0x01DB, 0x01DC},
	{0x0181, 0x0253}, {0x0186, 0x0254}, {0x0189, 0x0256}, {0x018A, 0x0257}, {0x018F, 0x0259},
	{0x0190, 0x025B}, {0x0193, 0x0260}, {0x0194, 0x0263}, {0x0196, 0x0269}, {0x0197, 0x0268},
	{0x019C, 0x026F}, {0x019D, 0x0272}, {0x019F, 0x0275}, {0x01A9, 0x0283}, {0x01AE, 0x0288},
	{0x01B1, 0x028A}, {0x01B2, 0x028B}, {0x01B7, 0x0292},
};

/* Mappings that only go one way (the reverse maps elsewhere): {from, to, to_upper}. */
static const int32_t pj_oneway[][3] = {
	{0x00B5, 0x039C, 1}, {0x0131, 'I', 1}, {0x017F, 'S', 1}, {0x03C2, 0x03A3, 1},
	{0x0130, 'i', 0}, {0x1E9E, 0x00DF, 0},
};

/* The DŽ, LJ, NJ and DZ digraphs come in upper, title and lower case: {upper, title, lower}. */
static const int32_t pj_digraphs[][3] = {
	{0x01C4, 0x01C5, 0x01C6}, {0x01C7, 0x01C8, 0x01C9}, {0x01CA, 0x01CB, 0x01CC},
	{0x01F1, 0x01F2, 0x01F3},
};

static int32_t pj_case_map(int32_t r, bool to_upper)
{
	for (size_t i = 0; i < sizeof(pj_digraphs) / sizeof(pj_digraphs[0]); i++) {
		const int32_t *d = pj_digraphs[i];
		if (r == d[0] || r == d[1] || r == d[2])
			return to_upper ? d[0] : d[2];
	}
	for (size_t i = 0; i < sizeof(pj_oneway) / sizeof(pj_oneway[0]); i++) {
		if (pj_oneway[i][0] == r)
			return (pj_oneway[i][2] != 0) == to_upper ? pj_oneway[i][1] : r;
	}
	for (size_t i = 0; i < sizeof(pj_blocks) / sizeof(pj_blocks[0]); i++) {
		const pj_case_block *b = &pj_blocks[i];
		if (!to_upper && r >= b->lo && r <= b->hi)
			return r + b->delta;
		if (to_upper && r >= b->lo + b->delta && r <= b->hi + b->delta)
			return r - b->delta;
	}
	for (size_t i = 0; i < sizeof(pj_alternating) / sizeof(pj_alternating[0]); i++) {
		const pj_case_pairs *p = &pj_alternating[i];
		if (r < p->lo || r > p->hi)
			continue;
		bool is_upper = (r & 1) == p->upper_parity;
		if (is_upper && !to_upper && r + 1 <= p->hi)
			return r + 1;
		if (!is_upper && to_upper && r - 1 >= p->lo)
			return r - 1;
		return r;
	}
	for (size_t i = 0; i < sizeof(pj_pairs) / sizeof(pj_pairs[0]); i++) {
		if (to_upper && pj_pairs[i][1] == r)
			return pj_pairs[i][0];
		if (!to_upper && pj_pairs[i][0] == r)
			return pj_pairs[i][1];
	}
	return r;
}

int32_t pj_unicode_toupper(int32_t r)
{
	if (r < 0x80)
		return r >= 'a' && r <= 'z' ? r - 32 : r;
	return pj_case_map(r, true);
}

int32_t pj_unicode_tolower(int32_t r)
{
	if (r < 0x80)
		return r >= 'A' && r <= 'Z' ? r + 32 : r;
	return pj_case_map(r, false);
}
