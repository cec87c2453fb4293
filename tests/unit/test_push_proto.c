/* Unit tests for the push API encoder/decoder and label preparation (spec pyroscope-push-and-pprof.md 2.2, 4.3, 4.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "components/push_proto.h"
#include "profile/gunzip.h"
#include "profile/gzip.h"

/* Runs protoc --decode on bytes and returns its output (heap). */
static char *protoc_decode(const char *message, const pj_buf *bytes)
{
	char in[] = "/tmp/pj_push_XXXXXX";
	int fd = mkstemp(in);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes->data, bytes->len), (ssize_t)bytes->len);
	close(fd);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "protoc --decode=%s -I %s/tests/data %s/tests/data/push.proto < %s", message,
		PJ_SOURCE_DIR, PJ_SOURCE_DIR, in);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	pj_buf out = PJ_BUF_INIT;
	char chunk[512];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		pj_buf_append(&out, chunk, n);
	assert_int_equal(pclose(p), 0);
	unlink(in);
	return pj_buf_detach(&out);
}

static void test_encode_decodes_with_protoc(void **state)
{
	(void)state;
	pj_label labels[] = {{"__delta__", "false"}, {"__name__", "process_cpu"}, {"service_name", "demo"}};
	pj_raw_sample sample = {"\x0a\x02\x08\x01", 4, "3f1c2a9e-0000-4000-8000-000000000001"};
	pj_buf body = PJ_BUF_INIT;
	pj_push_encode(labels, 3, &sample, 1, &body);
	char *text = protoc_decode("push.v1.PushRequest", &body);
	assert_string_equal(text,
		"series {\n"
		"  labels {\n    name: \"__delta__\"\n    value: \"false\"\n  }\n"
		"  labels {\n    name: \"__name__\"\n    value: \"process_cpu\"\n  }\n"
		"  labels {\n    name: \"service_name\"\n    value: \"demo\"\n  }\n"
		"  samples {\n    raw_profile: \"\\n\\002\\010\\001\"\n"
		"    ID: \"3f1c2a9e-0000-4000-8000-000000000001\"\n  }\n"
		"}\n");
	free(text);
	pj_buf_free(&body);
}

/* The spec's worked request: a 114-byte profile with three labels and an ID is 227 bytes. */
static void test_encode_worked_example_size(void **state)
{
	(void)state;
	static unsigned char profile[114];
	pj_label labels[] = {{"__delta__", "false"}, {"__name__", "process_cpu"}, {"service_name", "demo"}};
	pj_raw_sample sample = {profile, sizeof(profile), "3f1c2a9e-0000-4000-8000-000000000001"};
	pj_buf body = PJ_BUF_INIT;
	pj_push_encode(labels, 3, &sample, 1, &body);
	assert_int_equal(body.len, 227);
	assert_memory_equal(body.data, "\x0a\xe0\x01\x0a\x12\x0a\x09__delta__", 14);
	pj_buf_free(&body);
}

/* An empty ID is left off the wire, as Alloy's producers send it. */
static void test_encode_omits_empty_id(void **state)
{
	(void)state;
	pj_label l = {"__name__", "wall"};
	pj_raw_sample sample = {"xy", 2, ""};
	pj_buf body = PJ_BUF_INIT;
	pj_push_encode(&l, 1, &sample, 1, &body);
	char *text = protoc_decode("push.v1.PushRequest", &body);
	assert_non_null(strstr(text, "raw_profile: \"xy\""));
	assert_null(strstr(text, "ID:"));
	free(text);
	pj_buf_free(&body);
}

typedef struct seen {
	char text[512];
	size_t series;
} seen;

static bool record_series(void *ctx, const pj_push_series *s, char **err)
{
	(void)err;
	seen *out = ctx;
	size_t len = strlen(out->text);
	out->series++;
	for (size_t i = 0; i < s->nlabels; i++)
		len += snprintf(out->text + len, sizeof(out->text) - len, "%s=%s,", s->labels[i].name,
			s->labels[i].value);
	for (size_t i = 0; i < s->nsamples; i++)
		len += snprintf(out->text + len, sizeof(out->text) - len, "[%.*s|%s]", (int)s->samples[i].len,
			(const char *)s->samples[i].data, s->samples[i].id ? s->samples[i].id : "-");
	return true;
}

static void test_decode_round_trip(void **state)
{
	(void)state;
	pj_label labels[] = {{"__name__", "memory"}, {"service_name", "svc"}};
	pj_raw_sample samples[] = {{"one", 3, "id-1"}, {"two", 3, NULL}};
	pj_buf body = PJ_BUF_INIT;
	pj_push_encode(labels, 2, samples, 2, &body);
	pj_push_encode(labels, 1, samples, 1, &body); /* two series, concatenated like repeated fields */
	seen out = {0};
	char *err = NULL;
	assert_true(pj_push_decode(body.data, body.len, record_series, &out, &err));
	assert_int_equal(out.series, 2);
	assert_string_equal(out.text,
		"__name__=memory,service_name=svc,[one|id-1][two|-]__name__=memory,[one|id-1]");
	pj_buf_free(&body);
}

static void test_decode_rejects_truncation(void **state)
{
	(void)state;
	pj_label l = {"__name__", "wall"};
	pj_raw_sample sample = {"profile", 7, NULL};
	pj_buf body = PJ_BUF_INIT;
	pj_push_encode(&l, 1, &sample, 1, &body);
	for (size_t cut = 1; cut < body.len; cut++) {
		seen out = {0};
		char *err = NULL;
		assert_false(pj_push_decode(body.data, cut, record_series, &out, &err));
		assert_non_null(err);
		free(err);
	}
	pj_buf_free(&body);
}

static char *prepared(const pj_label *labels, size_t n, const pj_value *external)
{
	size_t m;
	pj_label *out = pj_push_labels_prepare(labels, n, external, &m);
	pj_buf text = PJ_BUF_INIT;
	for (size_t i = 0; i < m; i++)
		pj_buf_printf(&text, "%s=%s;", out[i].name, out[i].value);
	free(out);
	return text.len ? pj_buf_detach(&text) : strdup("");
}

static void test_labels_filter_and_sort(void **state)
{
	(void)state;
	pj_label labels[] = {{"service_name", "app"}, {"__session_id__", "42"}, {"__name__", "process_cpu"},
		{"__delta__", "false"}, {"__meta_x", "y"}, {"jfr_event", "itimer"}};
	char *text = prepared(labels, 6, NULL);
	assert_string_equal(text, "__delta__=false;__name__=process_cpu;jfr_event=itimer;service_name=app;");
	free(text);
}

static void test_labels_external_overwrite_and_delete(void **state)
{
	(void)state;
	pj_label labels[] = {{"service_name", "app"}, {"env", "dev"}, {"__name__", "wall"}};
	pj_value *ext = pj_object_new();
	pj_object_set(ext, "env", pj_cstring("prod"));
	pj_object_set(ext, "service_name", pj_cstring(""));
	pj_object_set(ext, "cluster", pj_cstring("eu"));
	pj_object_set(ext, "__tenant__", pj_cstring("t")); /* external labels skip the __ filter */
	char *text = prepared(labels, 3, ext);
	assert_string_equal(text, "__name__=wall;__tenant__=t;cluster=eu;env=prod;");
	free(text);
	pj_value_unref(ext);
}

static void expect_check_error(const pj_label *labels, size_t n, const char *msg)
{
	char *err = NULL;
	assert_false(pj_push_labels_check(labels, n, &err));
	assert_string_equal(err, msg);
	free(err);
}

static void test_labels_check(void **state)
{
	(void)state;
	pj_label good[] = {{"__name__", "process-cpu/x"}, {"service.name", "a b"}};
	char *err = NULL;
	assert_true(pj_push_labels_check(good, 2, &err));
	expect_check_error(NULL, 0, "invalid labels in profile: no labels");
	pj_label dash[] = {{"__name__", "x"}, {"bad-name", "v"}};
	expect_check_error(dash, 2, "invalid labels in profile: invalid label name \"bad-name\"");
	pj_label dup[] = {{"a", "1"}, {"a", "2"}};
	expect_check_error(dup, 2, "invalid labels in profile: duplicate label name \"a\"");
	pj_label utf[] = {{"a", "\xff"}};
	expect_check_error(utf, 1, "invalid labels in profile: invalid UTF-8 in the value of label \"a\"");
}

static void test_gzip_round_trip(void **state)
{
	(void)state;
	const char *text = "main;foo 10\nmain;bar 20\nmain;foo 10\n";
	pj_buf gz = PJ_BUF_INIT, back = PJ_BUF_INIT;
	assert_true(gzip_buf(text, strlen(text), &gz));
	assert_true(gunzip_is_gzip((const uint8_t *)gz.data, gz.len));
	assert_memory_equal(gz.data + 4, "\0\0\0\0", 4); /* mtime 0: same input, same bytes */
	char *err = NULL;
	assert_true(gunzip_buf((const uint8_t *)gz.data, gz.len, 1 << 20, &back, &err));
	assert_string_equal(back.data, text);
	pj_buf_free(&gz);
	pj_buf_free(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_decodes_with_protoc),
		cmocka_unit_test(test_encode_worked_example_size),
		cmocka_unit_test(test_encode_omits_empty_id),
		cmocka_unit_test(test_decode_round_trip),
		cmocka_unit_test(test_decode_rejects_truncation),
		cmocka_unit_test(test_labels_filter_and_sort),
		cmocka_unit_test(test_labels_external_overwrite_and_delete),
		cmocka_unit_test(test_labels_check),
		cmocka_unit_test(test_gzip_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
