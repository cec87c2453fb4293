/*
 * Build tool: packs the agent builds and the launcher into the archive that
 * is embedded in pyrojava (format in src/jvm/dist.h).
 *
 *   pj_distpack OUT.bin [--official] NAME=FILE...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "jvm/dist.h"

static int read_file(const char *path, pj_buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		pj_buf_append(out, chunk, n);
	int bad = ferror(f);
	fclose(f);
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OUT [--official] NAME=FILE...\n", argv[0]);
		return 2;
	}
	uint32_t flags = 0;
	pj_dist_entry *e = pj_calloc((size_t)argc, sizeof(*e));
	pj_buf *data = pj_calloc((size_t)argc, sizeof(*data));
	size_t n = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--official") == 0) {
			flags |= PJ_DIST_OFFICIAL;
			continue;
		}
		char *eq = strchr(argv[i], '=');
		struct stat st;
		if (!eq || stat(eq + 1, &st) != 0 || read_file(eq + 1, &data[n]) != 0) {
			fprintf(stderr, "pj_distpack: %s: %s\n", argv[i], eq ? strerror(errno) : "expected NAME=FILE");
			return 1;
		}
		*eq = '\0';
		e[n] = (pj_dist_entry){argv[i], 0, (const uint8_t *)data[n].data, data[n].len, st.st_mode & 0777};
		n++;
	}
	pj_buf out = PJ_BUF_INIT;
	pj_dist_pack(e, n, flags, &out);
	FILE *f = fopen(argv[1], "wb");
	if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0) {
		fprintf(stderr, "pj_distpack: writing %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		pj_buf_free(&data[i]);
	pj_buf_free(&out);
	free(data);
	free(e);
	return 0;
}
