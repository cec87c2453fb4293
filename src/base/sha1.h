#ifndef PJ_BASE_SHA1_H
#define PJ_BASE_SHA1_H

/*
 * SHA-1 (FIPS 180-4). Not for security: it names the directory the embedded
 * profiler is extracted to, the way Alloy names it (alloy-asprof-<sha1>), so
 * two builds with different archives never share a directory.
 */

#include <stddef.h>
#include <stdint.h>

#define PJ_SHA1_DIGEST_LEN 20

typedef struct pj_sha1 {
	uint32_t state[5];
	uint64_t total; /* bytes fed so far */
	uint8_t block[64];
	size_t used; /* bytes waiting in block */
} pj_sha1;

void pj_sha1_init(pj_sha1 *s);
void pj_sha1_update(pj_sha1 *s, const void *data, size_t len);
void pj_sha1_final(pj_sha1 *s, uint8_t digest[PJ_SHA1_DIGEST_LEN]);
/* One-shot digest of a buffer. */
void pj_sha1_sum(const void *data, size_t len, uint8_t digest[PJ_SHA1_DIGEST_LEN]);
/* The digest as 40 lowercase hex digits and a NUL. */
void pj_sha1_hex(const uint8_t digest[PJ_SHA1_DIGEST_LEN], char hex[2 * PJ_SHA1_DIGEST_LEN + 1]);

#endif
