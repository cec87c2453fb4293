/*
 * Test helper: lists a distribution archive (src/jvm/dist.h) as
 *   flags <n>
 *   <name> <mode> <size> <sha1 of the data>
 * one line per entry, so shell tests can check what a build embedded.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/sha1.h"
#include "jvm/dist.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: dist_list ARCHIVE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	pj_buf b = PJ_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		pj_buf_append(&b, chunk, n);
	fclose(f);
	pj_dist_entry e[16];
	uint32_t flags;
	char err[256];
	int count = pj_dist_parse((const uint8_t *)b.data, b.len, &flags, e, 16, err, sizeof(err));
	if (count < 0) {
		fprintf(stderr, "dist_list: %s\n", err);
		pj_buf_free(&b);
		return 1;
	}
	printf("flags %u\n", flags);
	for (int i = 0; i < count; i++) {
		uint8_t d[PJ_SHA1_DIGEST_LEN];
		char hex[2 * PJ_SHA1_DIGEST_LEN + 1];
		pj_sha1_sum(e[i].data, e[i].len, d);
		pj_sha1_hex(d, hex);
		printf("%.*s %o %zu %s\n", (int)e[i].name_len, e[i].name, e[i].mode, e[i].len, hex);
	}
	pj_buf_free(&b);
	return 0;
}
