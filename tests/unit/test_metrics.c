/* Unit tests for src/runtime/metrics: registry rules and the text exposition format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/metrics.h"

#define V(...) ((const char *const[]){__VA_ARGS__})

static char *expose(pj_metrics *r)
{
	pj_buf b = PJ_BUF_INIT;
	pj_metrics_write_text(r, &b);
	return pj_buf_detach(&b);
}

static pj_metric *must_register(pj_metrics *r, pj_metric_type type, const pj_metric_opts *o)
{
	char *err = NULL;
	pj_metric *m = pj_metrics_register(r, type, o, &err);
	if (m == NULL)
		fail_msg("register %s: %s", o->name, err);
	return m;
}

static void test_exposition_is_byte_exact(void **state)
{
	(void)state;
	pj_metrics *r = pj_metrics_new();
	pj_metric *pushes = must_register(
		r, PJ_METRIC_COUNTER,
		&(pj_metric_opts){.name = "pyroscope_write_sent_bytes_total",
				  .help = "Total bytes sent.\nSee \\docs.",
				  .label_names = V("endpoint", NULL),
				  .const_labels = V("component_path", "/", "component_id",
						    "pyroscope.write.backend", NULL)});
	pj_metric_add(pushes, V("http://b:4040"), 1000000);
	pj_metric_add(pushes, V("http://a:4040"), 1.5);
	pj_metric_add(pushes, V("http://a:4040"), 1);
	pj_metric_add(pushes, V("http://a:4040"), -5); /* ignored: counters never go down */
	pj_metric *other = must_register(
		r, PJ_METRIC_COUNTER,
		&(pj_metric_opts){.name = "pyroscope_write_sent_bytes_total",
				  .help = "Total bytes sent.\nSee \\docs.",
				  .label_names = V("endpoint", NULL),
				  .const_labels = V("component_path", "/", "component_id",
						    "pyroscope.write.a", NULL)});
	pj_metric_inc(other, V("say \"hi\"\n\\"));
	pj_metric *up = must_register(r, PJ_METRIC_GAUGE,
				      &(pj_metric_opts){.name = "pj_up", .help = "Up."});
	pj_metric_set(up, NULL, 123456);
	pj_metric *idle = must_register(r, PJ_METRIC_GAUGE,
					&(pj_metric_opts){.name = "pj_idle",
							  .help = "No series yet.",
							  .label_names = V("pid", NULL)});
	(void)idle;
	pj_metric *lat = must_register(r, PJ_METRIC_HISTOGRAM,
				       &(pj_metric_opts){.name = "pj_latency_seconds",
							 .help = "Latency.",
							 .label_names = V("step", NULL),
							 .buckets = (const double[]){0.1, 1, 2.5},
							 .bucket_count = 3});
	pj_metric_observe(lat, V("stop"), 0.05);
	pj_metric_observe(lat, V("stop"), 1);
	pj_metric_observe(lat, V("stop"), 7);
	pj_metric_observe(lat, V("attach"), 0.25);

	char *text = expose(r);
	assert_string_equal(
		text,
		"# HELP pj_latency_seconds Latency.\n"
		"# TYPE pj_latency_seconds histogram\n"
		"pj_latency_seconds_bucket{step=\"attach\",le=\"0.1\"} 0\n"
		"pj_latency_seconds_bucket{step=\"attach\",le=\"1\"} 1\n"
		"pj_latency_seconds_bucket{step=\"attach\",le=\"2.5\"} 1\n"
		"pj_latency_seconds_bucket{step=\"attach\",le=\"+Inf\"} 1\n"
		"pj_latency_seconds_sum{step=\"attach\"} 0.25\n"
		"pj_latency_seconds_count{step=\"attach\"} 1\n"
		"pj_latency_seconds_bucket{step=\"stop\",le=\"0.1\"} 1\n"
		"pj_latency_seconds_bucket{step=\"stop\",le=\"1\"} 2\n"
		"pj_latency_seconds_bucket{step=\"stop\",le=\"2.5\"} 2\n"
		"pj_latency_seconds_bucket{step=\"stop\",le=\"+Inf\"} 3\n"
		"pj_latency_seconds_sum{step=\"stop\"} 8.05\n"
		"pj_latency_seconds_count{step=\"stop\"} 3\n"
		"# HELP pj_up Up.\n"
		"# TYPE pj_up gauge\n"
		"pj_up 123456\n"
		"# HELP pyroscope_write_sent_bytes_total Total bytes sent.\\nSee \\\\docs.\n"
		"# TYPE pyroscope_write_sent_bytes_total counter\n"
		"pyroscope_write_sent_bytes_total{component_id=\"pyroscope.write.a\",component_path=\"/\","
		"endpoint=\"say \\\"hi\\\"\\n\\\\\"} 1\n"
		"pyroscope_write_sent_bytes_total{component_id=\"pyroscope.write.backend\","
		"component_path=\"/\",endpoint=\"http://a:4040\"} 2.5\n"
		"pyroscope_write_sent_bytes_total{component_id=\"pyroscope.write.backend\","
		"component_path=\"/\",endpoint=\"http://b:4040\"} 1e+06\n");
	free(text);
	assert_true(pj_metric_value(pushes, V("http://a:4040")) == 2.5);
	pj_metrics_free(r);
}

static void check_float(double v, const char *want)
{
	pj_buf b = PJ_BUF_INIT;
	pj_metrics_format_float(&b, v);
	assert_string_equal(pj_buf_cstr(&b), want);
	pj_buf_free(&b);
}

static void test_float_format_matches_go(void **state)
{
	(void)state;
	check_float(0, "0");
	check_float(1, "1");
	check_float(-1, "-1");
	check_float(100, "100");
	check_float(123456, "123456");
	check_float(1234567, "1.234567e+06");
	check_float(1e6, "1e+06");
	check_float(1e21, "1e+21");
	check_float(0.1, "0.1");
	check_float(0.005, "0.005");
	check_float(0.0001, "0.0001");
	check_float(0.00001, "1e-05");
	check_float(-2.5, "-2.5");
	check_float(1.0 / 3, "0.3333333333333333");
	check_float(1795676400.5, "1.7956764005e+09");
	check_float(NAN, "NaN");
	check_float(INFINITY, "+Inf");
	check_float(-INFINITY, "-Inf");
}

static void expect_register_error(pj_metrics *r, pj_metric_type type, const pj_metric_opts *o,
				  const char *want)
{
	char *err = NULL;
	assert_null(pj_metrics_register(r, type, o, &err));
	assert_non_null(err);
	assert_string_equal(err, want);
	free(err);
}

static void test_registration_rules(void **state)
{
	(void)state;
	pj_metrics *r = pj_metrics_new();
	const char *const comp_a[] = {"component_id", "a", NULL};
	const char *const comp_b[] = {"component_id", "b", NULL};
	must_register(r, PJ_METRIC_COUNTER,
		      &(pj_metric_opts){.name = "x_total", .help = "X.", .const_labels = comp_a});
	must_register(r, PJ_METRIC_COUNTER,
		      &(pj_metric_opts){.name = "x_total", .help = "X.", .const_labels = comp_b});
	expect_register_error(
		r, PJ_METRIC_COUNTER,
		&(pj_metric_opts){.name = "x_total", .help = "X.", .const_labels = comp_a},
		"metric x_total is already registered with the same constant labels");
	expect_register_error(
		r, PJ_METRIC_GAUGE,
		&(pj_metric_opts){.name = "x_total", .help = "X.", .const_labels = V("component_id", "c", NULL)},
		"metric x_total is already registered with a different type, help or label names");
	expect_register_error(r, PJ_METRIC_COUNTER,
			      &(pj_metric_opts){.name = "x_total", .help = "X."},
			      "metric x_total is already registered with a different type, help or "
			      "label names");
	expect_register_error(r, PJ_METRIC_GAUGE, &(pj_metric_opts){.name = "1abc", .help = ""},
			      "invalid metric name \"1abc\"");
	expect_register_error(r, PJ_METRIC_GAUGE,
			      &(pj_metric_opts){.name = "g", .help = "", .label_names = V("a-b", NULL)},
			      "metric g: invalid label name \"a-b\"");
	expect_register_error(r, PJ_METRIC_GAUGE,
			      &(pj_metric_opts){.name = "g", .help = "", .label_names = V("__x", NULL)},
			      "metric g: invalid label name \"__x\"");
	expect_register_error(r, PJ_METRIC_GAUGE,
			      &(pj_metric_opts){.name = "g", .help = "", .label_names = V("a", NULL),
						.const_labels = V("a", "1", NULL)},
			      "metric g: duplicate label name \"a\"");
	expect_register_error(r, PJ_METRIC_HISTOGRAM,
			      &(pj_metric_opts){.name = "h", .help = "", .label_names = V("le", NULL)},
			      "metric h: label name \"le\" is reserved in histograms");
	expect_register_error(r, PJ_METRIC_HISTOGRAM,
			      &(pj_metric_opts){.name = "h", .help = "",
						.buckets = (const double[]){1, 1}, .bucket_count = 2},
			      "metric h: histogram buckets must be in increasing order");
	pj_metrics_free(r);
}

static void test_unregister_and_remove_series(void **state)
{
	(void)state;
	pj_metrics *r = pj_metrics_new();
	pj_metric *a = must_register(
		r, PJ_METRIC_GAUGE,
		&(pj_metric_opts){.name = "g", .help = "G.", .label_names = V("pid", NULL)});
	pj_metric_set(a, V("1"), 1);
	pj_metric_set(a, V("2"), 2);
	assert_true(pj_metric_remove(a, V("1")));
	assert_false(pj_metric_remove(a, V("1")));
	char *text = expose(r);
	assert_string_equal(text, "# HELP g G.\n# TYPE g gauge\ng{pid=\"2\"} 2\n");
	free(text);
	pj_metrics_unregister(r, a);
	text = expose(r);
	assert_string_equal(text, "");
	free(text);
	/* The name is free again once unregistered. */
	must_register(r, PJ_METRIC_COUNTER, &(pj_metric_opts){.name = "g", .help = "other"});
	pj_metrics_free(r);
}

static double read_seven(void *ctx)
{
	return *(double *)ctx;
}

static void test_default_buckets_read_callbacks_and_build_info(void **state)
{
	(void)state;
	pj_metrics *r = pj_metrics_new();
	double seven = 7;
	must_register(r, PJ_METRIC_GAUGE,
		      &(pj_metric_opts){.name = "cb", .help = "Callback.", .read = read_seven,
					.read_ctx = &seven});
	pj_metric *h = must_register(r, PJ_METRIC_HISTOGRAM,
				     &(pj_metric_opts){.name = "h_seconds", .help = "H."});
	pj_metric_observe(h, NULL, 3);
	assert_non_null(pj_metrics_register_build_info(r, "0.1.0"));
	char *text = expose(r);
	assert_string_equal(
		text,
		"# HELP cb Callback.\n# TYPE cb gauge\ncb 7\n"
		"# HELP h_seconds H.\n# TYPE h_seconds histogram\n"
		"h_seconds_bucket{le=\"0.005\"} 0\nh_seconds_bucket{le=\"0.01\"} 0\n"
		"h_seconds_bucket{le=\"0.025\"} 0\nh_seconds_bucket{le=\"0.05\"} 0\n"
		"h_seconds_bucket{le=\"0.1\"} 0\nh_seconds_bucket{le=\"0.25\"} 0\n"
		"h_seconds_bucket{le=\"0.5\"} 0\nh_seconds_bucket{le=\"1\"} 0\n"
		"h_seconds_bucket{le=\"2.5\"} 0\nh_seconds_bucket{le=\"5\"} 1\n"
		"h_seconds_bucket{le=\"10\"} 1\nh_seconds_bucket{le=\"+Inf\"} 1\n"
		"h_seconds_sum 3\nh_seconds_count 1\n"
		"# HELP pyrojava_build_info A metric with a constant '1' value labeled by version "
		"from which pyrojava was built.\n"
		"# TYPE pyrojava_build_info gauge\npyrojava_build_info{version=\"0.1.0\"} 1\n");
	free(text);
	pj_metrics_free(r);
}

static void test_process_metrics(void **state)
{
	(void)state;
	pj_metrics *r = pj_metrics_new();
	char *err = NULL;
	assert_true(pj_metrics_register_process(r, &err));
	char *text = expose(r);
	const char *names[] = {"\nprocess_cpu_seconds_total ", "\nprocess_open_fds ",
			       "\nprocess_max_fds ", "\nprocess_virtual_memory_bytes ",
			       "\nprocess_resident_memory_bytes ", "\nprocess_start_time_seconds "};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *line = strstr(text, names[i]);
		assert_non_null(line);
		/* CPU time may still be 0 in a fresh test process; the others cannot. */
		double v = strtod(line + strlen(names[i]), NULL);
		assert_false(isnan(v));
		assert_true(i == 0 ? v >= 0 : v > 0);
	}
	/* Registering twice is a clash, not a silent duplicate. */
	assert_false(pj_metrics_register_process(r, &err));
	free(err);
	free(text);
	pj_metrics_free(r);
}

typedef struct worker_arg {
	pj_metrics *r;
	pj_metric *counter;
	pj_metric *hist;
	int id;
} worker_arg;

static void *worker(void *p)
{
	worker_arg *a = p;
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", a->id % 2);
	for (int i = 0; i < 20000; i++) {
		pj_metric_inc(a->counter, V(pid));
		pj_metric_observe(a->hist, NULL, (double)(i % 4));
		if (i % 1000 == 0) {
			pj_buf b = PJ_BUF_INIT;
			pj_metrics_write_text(a->r, &b);
			pj_buf_free(&b);
		}
	}
	return NULL;
}

static void test_concurrent_updates_from_four_threads(void **state)
{
	(void)state;
	pj_metrics *r = pj_metrics_new();
	pj_metric *c = must_register(
		r, PJ_METRIC_COUNTER,
		&(pj_metric_opts){.name = "ops_total", .help = "Ops.", .label_names = V("pid", NULL)});
	pj_metric *h = must_register(r, PJ_METRIC_HISTOGRAM,
				     &(pj_metric_opts){.name = "val", .help = "Val.",
						       .buckets = (const double[]){0, 1, 2},
						       .bucket_count = 3});
	pthread_t threads[4];
	worker_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (worker_arg){r, c, h, i};
		assert_int_equal(pthread_create(&threads[i], NULL, worker, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	char *text = expose(r);
	assert_string_equal(text, "# HELP ops_total Ops.\n# TYPE ops_total counter\n"
				  "ops_total{pid=\"0\"} 40000\nops_total{pid=\"1\"} 40000\n"
				  "# HELP val Val.\n# TYPE val histogram\n"
				  "val_bucket{le=\"0\"} 20000\nval_bucket{le=\"1\"} 40000\n"
				  "val_bucket{le=\"2\"} 60000\nval_bucket{le=\"+Inf\"} 80000\n"
				  "val_sum 120000\nval_count 80000\n");
	free(text);
	pj_metrics_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exposition_is_byte_exact),
		cmocka_unit_test(test_float_format_matches_go),
		cmocka_unit_test(test_registration_rules),
		cmocka_unit_test(test_unregister_and_remove_series),
		cmocka_unit_test(test_default_buckets_read_callbacks_and_build_info),
		cmocka_unit_test(test_process_metrics),
		cmocka_unit_test(test_concurrent_updates_from_four_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
