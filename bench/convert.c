/*
 * JFR -> pprof conversion throughput, in process. The recording is read and
 * gunzipped first (not timed); then, best of N runs each:
 *
 *   gunzip       zlib inflate of the .gz file (only for gzipped input): what
 *                `gzip -d` costs for the same recording
 *   varint_scan  one pass decoding the bytes as a stream of LEB128 varints,
 *                the encoding most JFR fields use: the floor any parser pays
 *   crc32        zlib's crc32 over the bytes: a plain streaming pass
 *   convert      jfr_convert() into pprof builders, then freeing them
 *   encode       convert plus pprof_encode_gzip() of every profile
 *
 * Speeds are MB/s (10^6 bytes) of uncompressed JFR per second of this
 * thread's CPU time, which keeps them meaningful on a busy machine where wall
 * time would also count other processes. The peak RSS (ru_maxrss) is
 * reported after loading and at the end, so run one file per process
 * (bench/run does).
 *
 * Usage: bench_convert [--runs N] RECORDING.jfr[.gz]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zlib.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "profile/gunzip.h"
#include "profile/jfr_pprof.h"
#include "profile/pprof.h"

typedef struct bench_input {
	const uint8_t *data;
	size_t len;
} bench_input;

static double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long bench_maxrss_kb(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* Keeps results observable so the compiler cannot drop the timed work. */
static volatile uint64_t bench_sink;

static bool bench_varint_scan(const bench_input *in)
{
	uint64_t sum = 0, v = 0;
	unsigned shift = 0;
	for (size_t i = 0; i < in->len; i++) {
		uint8_t c = in->data[i];
		v |= (uint64_t)(c & 0x7f) << shift;
		if (c & 0x80) {
			shift = shift < 56 ? shift + 7 : 0;
			continue;
		}
		sum += v;
		v = 0;
		shift = 0;
	}
	bench_sink = sum;
	return true;
}

static bool bench_crc32(const bench_input *in)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	for (size_t off = 0; off < in->len;) {
		size_t n = in->len - off < (1u << 30) ? in->len - off : (1u << 30);
		crc = crc32(crc, in->data + off, (uInt)n);
		off += n;
	}
	bench_sink = crc;
	return true;
}

static bool bench_run_convert(const bench_input *in, bool encode)
{
	jfr_convert_options o = JFR_CONVERT_OPTIONS_INIT;
	o.start_nanos = 1706241880000000000LL;
	o.end_nanos = o.start_nanos + 10000000000LL;
	jfr_profiles out;
	char *err = NULL;
	if (!jfr_convert(in->data, in->len, &o, &out, &err)) {
		fprintf(stderr, "bench_convert: %s\n", err);
		free(err);
		return false;
	}
	size_t bytes = 0;
	for (size_t i = 0; encode && i < out.count; i++) {
		pj_buf gz = PJ_BUF_INIT;
		if (!pprof_encode_gzip(out.items[i].builder, &gz)) {
			jfr_profiles_free(&out);
			return false;
		}
		bytes += gz.len;
		pj_buf_free(&gz);
	}
	bench_sink = bytes + out.count;
	jfr_profiles_free(&out);
	return true;
}

static bool bench_convert(const bench_input *in)
{
	return bench_run_convert(in, false);
}

static bool bench_encode(const bench_input *in)
{
	return bench_run_convert(in, true);
}

/* Best-of-runs throughput in MB/s, or a negative number on failure. */
static double bench_best(bool (*fn)(const bench_input *), const bench_input *in, int runs)
{
	double best = 0;
	for (int r = 0; r < runs; r++) {
		double t0 = bench_now();
		if (!fn(in))
			return -1;
		double dt = bench_now() - t0;
		if (r == 0 || dt < best)
			best = dt;
	}
	return best > 0 ? (double)in->len / best / 1e6 : 0;
}

/* Reads the file into raw and, if it is gzipped, inflates it into jfr. */
static bool bench_load(const char *path, pj_buf *raw, pj_buf *jfr)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "bench_convert: %s: %s\n", path, strerror(errno));
		return false;
	}
	char chunk[1 << 16];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		pj_buf_append(raw, chunk, n);
	bool ok = !ferror(f);
	fclose(f);
	if (!ok || !gunzip_is_gzip((const uint8_t *)raw->data, raw->len)) {
		pj_buf_append(jfr, raw->data, raw->len);
		return ok;
	}
	char *err = NULL;
	if (!gunzip_buf((const uint8_t *)raw->data, raw->len, (size_t)1 << 34, jfr, &err)) {
		fprintf(stderr, "bench_convert: %s: %s\n", path, err);
		free(err);
		return false;
	}
	return true;
}

static const pj_buf *bench_gz;
static pj_buf *bench_gz_out;

/* Inflates into the already-loaded output buffer again: no extra memory. */
static bool bench_gunzip(const bench_input *in)
{
	char *err = NULL;
	pj_buf_reset(bench_gz_out);
	bool ok = gunzip_buf((const uint8_t *)bench_gz->data, bench_gz->len, in->len, bench_gz_out, &err);
	free(err);
	return ok && bench_gz_out->len == in->len;
}

int main(int argc, char **argv)
{
	pj_alloc_policy(); /* as pyrojava's main() does: the same allocator as a real conversion */
	int runs = 5;
	int argi = 1;
	if (argc > 3 && strcmp(argv[1], "--runs") == 0) {
		runs = atoi(argv[2]);
		argi = 3;
	}
	if (argi + 1 != argc || runs < 1) {
		fprintf(stderr, "usage: bench_convert [--runs N] RECORDING.jfr[.gz]\n");
		return 2;
	}
	pj_buf raw = PJ_BUF_INIT, data = PJ_BUF_INIT;
	if (!bench_load(argv[argi], &raw, &data))
		return 1;
	bench_input in = {(const uint8_t *)data.data, data.len};
	long rss_loaded = bench_maxrss_kb();
	double gunzip = 0;
	if (raw.len != data.len || memcmp(raw.data, data.data, raw.len) != 0) {
		bench_gz = &raw;
		bench_gz_out = &data;
		gunzip = bench_best(bench_gunzip, &in, runs);
		in.data = (const uint8_t *)data.data;
	}
	/* The compressed copy is no longer needed: keep it out of the conversion's peak. */
	pj_buf_free(&raw);
	double scan = bench_best(bench_varint_scan, &in, runs);
	double crc = bench_best(bench_crc32, &in, runs);
	double conv = bench_best(bench_convert, &in, runs);
	long rss_convert = bench_maxrss_kb();
	double enc = bench_best(bench_encode, &in, runs);
	long rss_encode = bench_maxrss_kb();
	if (conv < 0 || enc < 0 || gunzip < 0)
		return 1;
	printf("jfr_bytes=%zu runs=%d gunzip_MBps=%.0f varint_scan_MBps=%.0f crc32_MBps=%.0f convert_MBps=%.0f "
	       "encode_MBps=%.0f rss_loaded_kB=%ld rss_convert_kB=%ld rss_encode_kB=%ld\n",
		data.len, runs, gunzip, scan, crc, conv, enc, rss_loaded, rss_convert, rss_encode);
	pj_buf_free(&data);
	return 0;
}
