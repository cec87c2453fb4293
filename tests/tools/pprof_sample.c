/*
 * Writes a small, fully known pprof profile for tests/integration/pprof_readers.sh,
 * so real readers (protoc, go tool pprof) can check the encoder without the
 * JFR converter. Usage: pprof_sample OUT.pb|OUT.pb.gz  (gzip if the name ends in .gz)
 */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "profile/pprof.h"

#define S(lit) lit, sizeof(lit) - 1

static void build(pprof_builder *b)
{
	pprof_add_sample_type(b, "samples", "count");
	pprof_add_sample_type(b, "cpu", "nanoseconds");
	pprof_set_default_sample_type(b, "cpu");
	pprof_set_period(b, "cpu", "nanoseconds", 10000000);
	pprof_set_time(b, 1700000000000000000LL, 10000000000LL);

	uint64_t main_fn = pprof_function(b, S("Main.main"), S("Main.java"));
	uint64_t work_fn = pprof_function(b, S("Work.run"), S("Work.java"));
	uint64_t helper_fn = pprof_function(b, S("Work.helper"), S("Work.java"));
	uint64_t gc_fn = pprof_function(b, S("GC_active"), NULL, 0);
	uint64_t main_loc = pprof_location(b, main_fn, 5);
	uint64_t work_loc = pprof_location(b, work_fn, 12);
	uint64_t helper_loc = pprof_location(b, helper_fn, 40);
	uint64_t gc_loc = pprof_location(b, gc_fn, 0);

	uint64_t work[] = {work_loc, main_loc};
	uint64_t helper[] = {helper_loc, work_loc, main_loc};
	uint64_t gc[] = {gc_loc};
	int64_t one[] = {1, 10000000};
	int64_t two[] = {2, 20000000};
	pprof_label thread = {.key = "thread", .str = "worker-1"};
	pprof_label bytes = {.key = "bytes", .num = 4096, .num_unit = "bytes"};
	for (int i = 0; i < 3; i++)
		pprof_add_sample(b, work, 2, one, NULL, 0);
	pprof_add_sample(b, helper, 3, two, NULL, 0);
	pprof_add_sample(b, work, 2, one, &thread, 1);
	pprof_add_sample(b, gc, 1, one, &bytes, 1);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pprof_sample OUT.pb[.gz]\n");
		return 2;
	}
	size_t n = strlen(argv[1]);
	bool gzip = n > 3 && strcmp(argv[1] + n - 3, ".gz") == 0;
	pprof_builder *b = pprof_new();
	build(b);
	pj_buf out = PJ_BUF_INIT;
	if (gzip && !pprof_encode_gzip(b, &out)) {
		fprintf(stderr, "pprof_sample: gzip failed\n");
		return 1;
	}
	if (!gzip)
		pprof_encode(b, &out);
	pprof_free(b);
	FILE *f = fopen(argv[1], "wb");
	if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	pj_buf_free(&out);
	return 0;
}
