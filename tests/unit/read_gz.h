/*
 * Reads a gzip-compressed test data file (shared/testdata) whole and
 * gunzips it, failing the current cmocka test when it cannot. Shared by
 * the tests that run on the shared recordings and their expected outputs.
 * Include after <cmocka.h>.
 */
#ifndef PJ_TESTS_READ_GZ_H
#define PJ_TESTS_READ_GZ_H

#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "profile/gunzip.h"

/* Largest uncompressed size accepted (the biggest shared file is far below). */
#define READ_GZ_MAX ((size_t)1 << 31)

/* Appends the uncompressed contents of the gzip file at path to out. */
static inline void read_gz(const char *path, pj_buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	pj_buf raw = PJ_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		pj_buf_append(&raw, chunk, n);
	if (ferror(f))
		fail_msg("cannot read %s", path);
	fclose(f);
	char *err = NULL;
	if (!gunzip_buf((const uint8_t *)raw.data, raw.len, READ_GZ_MAX, out, &err))
		fail_msg("%s: %s", path, err);
	pj_buf_free(&raw);
}

#endif
