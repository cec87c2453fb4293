#ifndef PJ_PROFILE_PPROF_HASH_H
#define PJ_PROFILE_PPROF_HASH_H

/*
 * Hashing for the pprof tables. Keys are short strings and arrays of small
 * integers; reading eight bytes at a time and finishing with a strong mix
 * keeps this well ahead of a byte-wise hash on long stacks.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PPROF_HASH_K1 0x9e3779b97f4a7c15ULL
#define PPROF_HASH_K2 0xbf58476d1ce4e5b9ULL

static inline uint64_t pprof_mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= PPROF_HASH_K2;
	x ^= x >> 29;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 32;
	return x;
}

static inline uint64_t pprof_rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t pprof_hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = (uint64_t)len * PPROF_HASH_K1;
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = pprof_rotl((h ^ w) * PPROF_HASH_K2, 29);
	}
	uint64_t w = 0;
	if (len)
		memcpy(&w, p, len);
	return pprof_mix64((h ^ w) * PPROF_HASH_K1);
}

static inline uint64_t pprof_hash_u32s(const uint32_t *v, size_t n, uint64_t seed)
{
	uint64_t h = (seed + 1) * PPROF_HASH_K2 ^ (uint64_t)n;
	size_t i = 0;
	for (; i + 2 <= n; i += 2)
		h = pprof_rotl((h ^ ((uint64_t)v[i] << 32 | v[i + 1])) * PPROF_HASH_K1, 29);
	if (i < n)
		h = pprof_rotl((h ^ v[i]) * PPROF_HASH_K1, 29);
	return pprof_mix64(h);
}

#endif
