/* SHA-1 as specified in FIPS 180-4, section 6.1. */
#include "base/sha1.h"

#include <string.h>

static uint32_t rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void compress(uint32_t h[5], const uint8_t block[64])
{
	uint32_t w[80];
	for (int t = 0; t < 16; t++)
		w[t] = load_be32(block + 4 * t);
	for (int t = 16; t < 80; t++)
		w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (int t = 0; t < 80; t++) {
		uint32_t f, k;
		if (t < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (t < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (t < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		uint32_t tmp = rol(a, 5) + f + e + k + w[t];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = tmp;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void pj_sha1_init(pj_sha1 *s)
{
	static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
	memcpy(s->state, iv, sizeof(iv));
	s->total = 0;
	s->used = 0;
}

void pj_sha1_update(pj_sha1 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	s->total += len;
	while (len > 0) {
		size_t take = 64 - s->used;
		if (take > len)
			take = len;
		memcpy(s->block + s->used, p, take);
		s->used += take;
		p += take;
		len -= take;
		if (s->used == 64) {
			compress(s->state, s->block);
			s->used = 0;
		}
	}
}

void pj_sha1_final(pj_sha1 *s, uint8_t digest[PJ_SHA1_DIGEST_LEN])
{
	uint64_t bits = s->total * 8;
	static const uint8_t pad[64] = {0x80};
	size_t padlen = s->used < 56 ? 56 - s->used : 120 - s->used;
	pj_sha1_update(s, pad, padlen);
	uint8_t len_be[8];
	for (int i = 0; i < 8; i++)
		len_be[i] = (uint8_t)(bits >> (56 - 8 * i));
	pj_sha1_update(s, len_be, 8);
	for (int i = 0; i < 5; i++) {
		digest[4 * i] = (uint8_t)(s->state[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(s->state[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(s->state[i] >> 8);
		digest[4 * i + 3] = (uint8_t)s->state[i];
	}
}

void pj_sha1_sum(const void *data, size_t len, uint8_t digest[PJ_SHA1_DIGEST_LEN])
{
	pj_sha1 s;
	pj_sha1_init(&s);
	pj_sha1_update(&s, data, len);
	pj_sha1_final(&s, digest);
}

void pj_sha1_hex(const uint8_t digest[PJ_SHA1_DIGEST_LEN], char hex[2 * PJ_SHA1_DIGEST_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < PJ_SHA1_DIGEST_LEN; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[2 * PJ_SHA1_DIGEST_LEN] = '\0';
}
