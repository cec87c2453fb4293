/* Unit tests for pyroscope.file: layout, labels, retention and the disk bound (docs/components/pyroscope.file.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/buf.h"
#include "components/pyroscope_file.h"
#include "profile/gunzip.h"
#include "profile/pprof.h"
#include "runtime/controller.h"
#include "runtime/receiver.h"

typedef struct harness {
	pj_registry *reg;
	pj_controller *ctl;
	char dir[64];
} harness;

static harness prepare(void)
{
	harness h;
	snprintf(h.dir, sizeof(h.dir), "/tmp/pj_file_XXXXXX");
	assert_non_null(mkdtemp(h.dir));
	h.reg = pj_registry_new();
	pj_registry_add(h.reg, &pj_pyroscope_file_type);
	pj_controller_options opts = {.registry = h.reg, .manual_flush = true};
	h.ctl = pj_controller_new(&opts);
	return h;
}

static void load_config(harness *h, const char *extra)
{
	char text[512];
	snprintf(text, sizeof(text), "pyroscope.file \"t\" {\n  directory = \"%s/out\"\n%s}\n", h->dir, extra);
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file **files = calloc(1, sizeof(*files));
	files[0] = pj_parse(pj_source_new("main.alloy", text, strlen(text)), &diags);
	bool ok = pj_controller_load(h->ctl, files, 1, &diags);
	if (!ok)
		pj_diags_print(&diags, stderr, false);
	assert_true(ok);
	pj_diags_free(&diags);
}

static harness start(const char *extra)
{
	harness h = prepare();
	load_config(&h, extra);
	return h;
}

static void finish(harness *h)
{
	pj_controller_free(h->ctl);
	pj_registry_free(h->reg);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", h->dir);
	assert_int_equal(system(cmd), 0);
}

static pj_appendable *receiver(harness *h)
{
	pj_value *exports = pj_controller_exports(h->ctl, "pyroscope.file.t");
	pj_appendable *a = pj_appendable_from(pj_object_get(exports, "receiver"));
	assert_non_null(a);
	pj_value_unref(exports);
	return a;
}

/* A small raw CPU profile: main -> work, 10 ms. */
static void cpu_profile(pj_buf *out)
{
	pprof_builder *b = pprof_new();
	pprof_add_sample_type(b, "cpu", "nanoseconds");
	uint64_t locs[2] = {pprof_location(b, pprof_function(b, "work", 4, "", 0), 0),
		pprof_location(b, pprof_function(b, "main", 4, "", 0), 0)};
	int64_t v = 10000000;
	pprof_add_sample(b, locs, 2, &v, NULL, 0);
	pprof_encode(b, out);
	pprof_free(b);
}

static void append(pj_appendable *a, const pj_label *labels, size_t n, const pj_buf *profile)
{
	pj_raw_sample s = {profile->data, profile->len, NULL};
	char *err = NULL;
	assert_true(a->append(a, labels, n, &s, 1, &err));
}

/* The single file in dir whose name ends with suffix (heap path), or NULL. */
static char *find_one(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char *found = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name), sl = strlen(suffix);
		if (len > sl && strcmp(e->d_name + len - sl, suffix) == 0) {
			assert_null(found);
			found = malloc(strlen(dir) + len + 16); /* room to swap the suffix */
			sprintf(found, "%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	return found;
}

static void read_file(const char *path, pj_buf *out)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		pj_buf_append(out, chunk, n);
	fclose(f);
}

static void test_profile_stored_gzipped_with_labels(void **state)
{
	(void)state;
	harness h = start("");
	pj_buf raw = PJ_BUF_INIT, stored = PJ_BUF_INIT, back = PJ_BUF_INIT, json = PJ_BUF_INIT;
	cpu_profile(&raw);
	pj_label labels[] = {{"__name__", "process_cpu"}, {"service_name", "shop"}, {"env", "dev"}};
	append(receiver(&h), labels, 3, &raw);
	char dir[128];
	snprintf(dir, sizeof(dir), "%s/out/shop/process_cpu", h.dir);
	char *path = find_one(dir, "-cpu.pb.gz");
	assert_non_null(path);
	read_file(path, &stored);
	char *err = NULL;
	assert_true(gunzip_is_gzip((const uint8_t *)stored.data, stored.len));
	assert_true(gunzip_buf((const uint8_t *)stored.data, stored.len, 1 << 20, &back, &err));
	assert_int_equal(back.len, raw.len);
	assert_memory_equal(back.data, raw.data, raw.len);
	strcpy(path + strlen(path) - strlen(".pb.gz"), ".labels.json");
	read_file(path, &json);
	assert_string_equal(json.data, "{\"__name__\":\"process_cpu\",\"service_name\":\"shop\",\"env\":\"dev\"}\n");
	free(path);
	pj_buf_free(&raw);
	pj_buf_free(&stored);
	pj_buf_free(&back);
	pj_buf_free(&json);
	finish(&h);
}

/* No service_name: the job label names the directory, else unknown_service; unsafe characters become _. */
static void test_directory_names(void **state)
{
	(void)state;
	harness h = start("");
	pj_buf raw = PJ_BUF_INIT;
	cpu_profile(&raw);
	pj_label by_job[] = {{"__name__", "wall"}, {"job", "batch"}};
	pj_label nothing[] = {{"__name__", "wall"}};
	pj_label unsafe[] = {{"__name__", "wall"}, {"service_name", "../../etc"}};
	append(receiver(&h), by_job, 2, &raw);
	append(receiver(&h), nothing, 1, &raw);
	append(receiver(&h), unsafe, 2, &raw);
	const char *dirs[] = {"batch/wall", "unknown_service/wall", ".._.._etc/wall"};
	for (size_t i = 0; i < 3; i++) {
		char dir[160];
		snprintf(dir, sizeof(dir), "%s/out/%s", h.dir, dirs[i]);
		char *path = find_one(dir, ".pb.gz");
		if (!path)
			fail_msg("nothing in %s", dir);
		free(path);
	}
	pj_buf_free(&raw);
	finish(&h);
}

static size_t count_files(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		n += len > strlen(suffix) && strcmp(e->d_name + len - strlen(suffix), suffix) == 0;
	}
	if (d)
		closedir(d);
	return n;
}

static void test_max_disk_bytes_bounds_the_directory(void **state)
{
	(void)state;
	pj_buf raw = PJ_BUF_INIT;
	cpu_profile(&raw);
	/* Each profile takes one gzipped pprof (~100 bytes) and one labels file (~60 bytes). */
	harness h = start("  max_disk_bytes = 500\n");
	pj_label labels[] = {{"__name__", "process_cpu"}, {"service_name", "a"}};
	for (int i = 0; i < 10; i++)
		append(receiver(&h), labels, 2, &raw);
	char dir[128];
	snprintf(dir, sizeof(dir), "%s/out/a/process_cpu", h.dir);
	size_t kept = count_files(dir, ".pb.gz");
	assert_true(kept >= 1 && kept < 10);
	DIR *d = opendir(dir);
	struct dirent *e;
	off_t total = 0;
	while ((e = readdir(d))) {
		char path[512];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			total += st.st_size;
	}
	closedir(d);
	assert_true(total <= 500);
	pj_buf_free(&raw);
	finish(&h);
}

static void test_retention_removes_only_old_profiles(void **state)
{
	(void)state;
	harness h = prepare();
	char dir[128], old[200], other[200];
	snprintf(dir, sizeof(dir), "%s/out/a/process_cpu", h.dir);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(old, sizeof(old), "%s/1-cpu.pb.gz", dir);
	snprintf(other, sizeof(other), "%s/notes.txt", dir);
	const char *paths[] = {old, other};
	struct timeval two_hours_ago[2];
	gettimeofday(&two_hours_ago[0], NULL);
	two_hours_ago[0].tv_sec -= 7200;
	two_hours_ago[1] = two_hours_ago[0];
	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(paths[i], "w");
		assert_non_null(f);
		fputs("x", f);
		fclose(f);
		assert_int_equal(utimes(paths[i], two_hours_ago), 0);
	}
	load_config(&h, "  retention = \"1h\"\n"); /* the first scan runs at start */
	pj_buf raw = PJ_BUF_INIT;
	cpu_profile(&raw);
	pj_label labels[] = {{"__name__", "process_cpu"}, {"service_name", "a"}};
	append(receiver(&h), labels, 2, &raw);
	assert_int_equal(access(old, F_OK), -1);
	assert_int_equal(access(other, F_OK), 0); /* not ours: left alone */
	assert_int_equal(count_files(dir, ".pb.gz"), 1);
	pj_buf_free(&raw);
	finish(&h);
}

static void test_write_collapsed(void **state)
{
	(void)state;
	harness h = start("  write_collapsed = true\n");
	pj_buf raw = PJ_BUF_INIT, text = PJ_BUF_INIT;
	cpu_profile(&raw);
	pj_label labels[] = {{"__name__", "process_cpu"}, {"service_name", "shop"}};
	append(receiver(&h), labels, 2, &raw);
	char dir[128];
	snprintf(dir, sizeof(dir), "%s/out/shop/process_cpu", h.dir);
	char *path = find_one(dir, "-cpu.collapsed.txt");
	assert_non_null(path);
	read_file(path, &text);
	assert_string_equal(text.data, "main;work 10000000\n");
	free(path);
	pj_buf_free(&raw);
	pj_buf_free(&text);
	finish(&h);
}

static void test_first_sample_type(void **state)
{
	(void)state;
	pj_buf raw = PJ_BUF_INIT, name = PJ_BUF_INIT;
	cpu_profile(&raw);
	assert_true(pj_pprof_first_sample_type(raw.data, raw.len, &name));
	assert_string_equal(name.data, "cpu");
	pj_buf_reset(&name);
	assert_false(pj_pprof_first_sample_type("\x0a\x05", 2, &name));
	pj_buf_free(&raw);
	pj_buf_free(&name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_stored_gzipped_with_labels),
		cmocka_unit_test(test_directory_names),
		cmocka_unit_test(test_max_disk_bytes_bounds_the_directory),
		cmocka_unit_test(test_retention_removes_only_old_profiles),
		cmocka_unit_test(test_write_collapsed),
		cmocka_unit_test(test_first_sample_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
