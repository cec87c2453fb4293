#ifndef PJ_BASE_MD5_H
#define PJ_BASE_MD5_H

/*
 * MD5 (RFC 1321). Not for security: relabel's `hashmod` action must reproduce
 * Prometheus' target sharding, which is defined on MD5 digests.
 */

#include <stddef.h>
#include <stdint.h>

#define PJ_MD5_DIGEST_LEN 16

typedef struct pj_md5 {
	uint32_t state[4];
	uint64_t total; /* bytes fed so far */
	uint8_t block[64];
	size_t used; /* bytes waiting in block */
} pj_md5;

void pj_md5_init(pj_md5 *m);
void pj_md5_update(pj_md5 *m, const void *data, size_t len);
void pj_md5_final(pj_md5 *m, uint8_t digest[PJ_MD5_DIGEST_LEN]);
/* One-shot digest of a buffer. */
void pj_md5_sum(const void *data, size_t len, uint8_t digest[PJ_MD5_DIGEST_LEN]);

#endif
