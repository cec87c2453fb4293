/*
 * Golden tests: every recording in shared/testdata/jfr-parser converts to
 * exactly the profiles Grafana's jfr-parser produces (same number, same
 * order, collapsed text byte for byte), except where jfr-parser is wrong
 * (docs/jfr-conversion.md, "Deviations"): lock and park delays, which it
 * leaves in clock ticks. For those the expected ticks are converted here
 * with the recording's tick frequency and our nanoseconds checked against
 * them, allowing only the truncation of each event's conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "profile/jfr_pprof.h"
#include "read_gz.h"

#define GOLDEN_DIR PJ_TESTDATA_DIR "/jfr-parser"
#define EXPECTED_SUFFIX "_expected_collapsed.txt.gz"
#define MAX_CASES 64

/* The single tick frequency of all chunks (the test data never mixes them). */
static int64_t ticks_per_second(const pj_buf *jfr)
{
	int64_t tps = 0;
	for (size_t pos = 0; pos + 68 <= jfr->len;) {
		const uint8_t *h = (const uint8_t *)jfr->data + pos;
		uint64_t size = 0, t = 0;
		for (int i = 0; i < 8; i++) {
			size = size << 8 | h[8 + i];
			t = t << 8 | h[56 + i];
		}
		assert_true(tps == 0 || tps == (int64_t)t);
		tps = (int64_t)t;
		assert_true(size > 0);
		pos += size;
	}
	return tps;
}

typedef struct line {
	const char *stack;
	size_t stack_len;
	int64_t v[2];
	size_t nv;
} line;

static size_t parse_collapsed(char *text, line *lines, size_t max)
{
	size_t n = 0;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *open = strrchr(l, '[');
		assert_non_null(open);
		assert_true(n < max);
		lines[n] = (line){.stack = l, .stack_len = (size_t)(open - l)};
		for (char *p = open + 1; *p && *p != ']' && lines[n].nv < 2;) {
			lines[n].v[lines[n].nv++] = strtoll(p, &p, 10);
			while (*p == ' ')
				p++;
		}
		n++;
	}
	return n;
}

/*
 * jfr-parser's delay column is the sum S of raw ticks over `count` events; ours
 * sums each event's floor(ticks * 1e9 / tps), so it lies within count - 1 of
 * floor(S * 1e9 / tps).
 */
static void assert_delays_in_nanoseconds(const char *name, const pj_buf *want, const pj_buf *got, int64_t tps)
{
	char *w = pj_strndup(want->data, want->len), *g = pj_strndup(got->data ? got->data : "", got->len);
	size_t max = want->len + 1;
	line *wl = pj_calloc(max, sizeof(*wl)), *gl = pj_calloc(max, sizeof(*gl));
	size_t nw = parse_collapsed(w, wl, max), ng = parse_collapsed(g, gl, max);
	assert_int_equal(nw, ng);
	for (size_t i = 0; i < nw; i++) {
		assert_int_equal(wl[i].stack_len, gl[i].stack_len);
		assert_memory_equal(wl[i].stack, gl[i].stack, wl[i].stack_len);
		assert_int_equal(gl[i].nv, 2);
		assert_int_equal(gl[i].v[0], wl[i].v[0]);
		int64_t hi = (int64_t)((__int128)wl[i].v[1] * 1000000000 / tps), lo = hi - (wl[i].v[0] - 1);
		if (gl[i].v[1] < lo || gl[i].v[1] > hi)
			fail_msg("%s line %zu: delay %lld ns, want %lld..%lld (%lld ticks at %lld/s)", name, i,
				(long long)gl[i].v[1], (long long)lo, (long long)hi, (long long)wl[i].v[1],
				(long long)tps);
	}
	free(w);
	free(g);
	free(wl);
	free(gl);
}

typedef struct golden_case {
	char recording[256]; /* file name without .jfr.gz */
	bool truncated_frame; /* the option variant's files */
} golden_case;

/* "<recording>_<index>_<profile>[_<variant>]_expected_collapsed.txt.gz": index, profile+variant. */
static bool expected_file(const char *file, const char *recording, size_t *index, char *rest, size_t restsz)
{
	size_t rn = strlen(recording), fn = strlen(file), sn = strlen(EXPECTED_SUFFIX);
	if (fn <= rn + sn + 2 || strncmp(file, recording, rn) != 0 || file[rn] != '_' ||
		strcmp(file + fn - sn, EXPECTED_SUFFIX) != 0)
		return false;
	char *end;
	unsigned long idx = strtoul(file + rn + 1, &end, 10);
	if (end == file + rn + 1 || *end != '_')
		return false;
	*index = idx;
	snprintf(rest, restsz, "%.*s", (int)(fn - sn - (size_t)(end + 1 - file)), end + 1);
	return true;
}

static void check_profile(const golden_case *gc, const jfr_profile *p, const char *path, int64_t tps)
{
	pj_buf want = PJ_BUF_INIT, got = PJ_BUF_INIT;
	read_gz(path, &want);
	pprof_write_collapsed(p->builder, &got);
	bool delay = strcmp(p->metric, "mutex") == 0 || strcmp(p->metric, "block") == 0;
	if (delay && tps != 1000000000) {
		assert_delays_in_nanoseconds(p->name, &want, &got, tps);
	} else if (want.len != got.len || (want.len && memcmp(want.data, got.data, want.len) != 0)) {
		fail_msg("%s: %s differs from %s (%zu vs %zu bytes)", gc->recording, p->name, path, got.len,
			want.len);
	}
	pj_buf_free(&want);
	pj_buf_free(&got);
}

static void test_recording(void **state)
{
	const golden_case *gc = *state;
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s.jfr.gz", GOLDEN_DIR, gc->recording);
	pj_buf jfr = PJ_BUF_INIT;
	read_gz(path, &jfr);
	jfr_convert_options o = JFR_CONVERT_OPTIONS_INIT;
	o.start_nanos = 1706241880LL * 1000000000;
	o.end_nanos = o.start_nanos + 10LL * 1000000000;
	o.truncated_frame = gc->truncated_frame;
	jfr_profiles out;
	char *err = NULL;
	if (!jfr_convert((const uint8_t *)jfr.data, jfr.len, &o, &out, &err))
		fail_msg("%s: %s", gc->recording, err);
	assert_null(out.warning);
	int64_t tps = ticks_per_second(&jfr);

	DIR *d = opendir(GOLDEN_DIR);
	assert_non_null(d);
	size_t matched = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t index;
		char rest[512];
		if (!expected_file(e->d_name, gc->recording, &index, rest, sizeof(rest)))
			continue;
		bool variant = strstr(rest, "truncated_frame") != NULL;
		if (variant != gc->truncated_frame)
			continue;
		if (index >= out.count)
			fail_msg("%s: expected a profile #%zu (%s), got %zu profiles", gc->recording, index, rest, out.count);
		const jfr_profile *p = &out.items[index];
		size_t pn = strlen(p->name);
		if (strncmp(rest, p->name, pn) != 0 || (rest[pn] != '\0' && rest[pn] != '_'))
			fail_msg("%s: profile #%zu is %s, expected %s", gc->recording, index, p->name, rest);
		snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, e->d_name);
		check_profile(gc, p, path, tps);
		matched++;
	}
	closedir(d);
	assert_int_equal(matched, out.count);
	jfr_profiles_free(&out);
	pj_buf_free(&jfr);
}

/* One case per recording, plus one per option variant that has expected files. */
static size_t find_cases(golden_case *cases, size_t max)
{
	DIR *d = opendir(GOLDEN_DIR);
	assert_non_null(d);
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 8 || strcmp(e->d_name + len - 7, ".jfr.gz") != 0)
			continue;
		assert_true(n + 2 <= max);
		snprintf(cases[n].recording, sizeof(cases[n].recording), "%.*s", (int)(len - 7), e->d_name);
		cases[n].truncated_frame = false;
		n++;
	}
	rewinddir(d);
	size_t plain = n;
	for (size_t i = 0; i < plain; i++) {
		rewinddir(d);
		for (struct dirent *e; (e = readdir(d));) {
			size_t index;
			char rest[512];
			if (expected_file(e->d_name, cases[i].recording, &index, rest, sizeof(rest)) &&
				strstr(rest, "truncated_frame")) {
				cases[n] = cases[i];
				cases[n++].truncated_frame = true;
				break;
			}
		}
	}
	closedir(d);
	return n;
}

int main(void)
{
	static golden_case cases[MAX_CASES];
	static struct CMUnitTest tests[MAX_CASES];
	static char names[MAX_CASES][300];
	size_t n = find_cases(cases, MAX_CASES);
	if (n < 22) {
		fprintf(stderr, "expected at least 22 recordings in %s, found %zu\n", GOLDEN_DIR, n);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "%.200s%s", cases[i].recording,
			cases[i].truncated_frame ? " (truncated frame)" : "");
		tests[i] = (struct CMUnitTest){.name = names[i], .test_func = test_recording, .initial_state = &cases[i]};
	}
	return _cmocka_run_group_tests("jfr_golden", tests, n, NULL, NULL);
}
