/* Unit tests for pyroscope.write over time: outages, reloads and shutdown (docs/components/pyroscope.write.md, Delivery). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "free_port.h"
#include "write_fake.h"

/* A reload switches endpoints and external labels; the receiver held by senders keeps working. */
static void test_reload_changes_endpoints_and_labels(void **state)
{
	(void)state;
	fake *first = fake_start(), *second = fake_start();
	char ep[512];
	snprintf(ep, sizeof(ep), "  endpoint {\n    url = \"%s\"\n  }\n", first->url);
	char *text = config(ep);
	harness h = start(text);
	pj_appendable *a = receiver(&h);
	push(a, "before", "p");
	fake_wait(first, 1);
	free(text);
	snprintf(ep, sizeof(ep),
		"pyroscope.write \"t\" {\n  external_labels = { env = \"prod\" }\n  endpoint {\n    url = \"%s\"\n  }\n}\n",
		second->url);
	pj_diags diags = PJ_DIAGS_INIT;
	assert_true(load(&h, ep, &diags));
	pj_diags_free(&diags);
	push(a, "after", "p");
	fake_wait(second, 1);
	decoded d;
	decode_request(&second->req[0], &d);
	assert_string_equal(d.labels, "__delta__=false;__name__=process_cpu;env=prod;service_name=after;");
	pj_buf_free(&d.profile);
	assert_int_equal(fake_count(first), 1);
	finish(&h);
	fake_free(first);
	fake_free(second);
}

/*
 * One endpoint at a fake that hangs: s1 is in flight (unanswered), s2 and s3
 * wait in the queue behind it. *text is the config, for the caller to free.
 */
static harness start_stuck(fake *f, char **text)
{
	f->hang = true;
	char ep[512];
	snprintf(ep, sizeof(ep), "  endpoint {\n    url = \"%s\"\n  }\n", f->url);
	*text = config(ep);
	harness h = start(*text);
	pj_appendable *a = receiver(&h);
	push(a, "s1", "p");
	fake_wait(f, 1);
	push(a, "s2", "p");
	push(a, "s3", "p");
	return h;
}

/* A changed block for the same URL takes over the old endpoint's queue; the request in flight is dropped. */
static void test_reload_hands_queue_over(void **state)
{
	(void)state;
	fake *f = fake_start();
	char *text;
	harness h = start_stuck(f, &text);
	free(text);
	char ep[512];
	snprintf(ep, sizeof(ep), "  endpoint {\n    url = \"%s\"\n    remote_timeout = \"20s\"\n  }\n", f->url);
	text = config(ep);
	pj_diags diags = PJ_DIAGS_INIT;
	assert_true(load(&h, text, &diags));
	pj_diags_free(&diags);
	assert_true(metric(&h, "pyroscope_write_dropped_profiles_total", f->url) == 1);
	fake_release(f);
	wait_metric(&h, "pyroscope_write_sent_profiles_total", f->url, 2);
	decoded d;
	decode_request(&f->req[1], &d);
	assert_non_null(strstr(d.labels, "service_name=s2;"));
	pj_buf_free(&d.profile);
	decode_request(&f->req[2], &d);
	assert_non_null(strstr(d.labels, "service_name=s3;"));
	pj_buf_free(&d.profile);
	finish(&h);
	free(text);
	fake_free(f);
}

static void *release_later(void *arg)
{
	usleep(200000);
	fake_release(arg);
	return NULL;
}

/* Shutdown keeps sending what is queued until the flush deadline. */
static void test_shutdown_flushes_queue(void **state)
{
	(void)state;
	fake *f = fake_start();
	char *text;
	harness h = start_stuck(f, &text);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, release_later, f), 0);
	finish(&h); /* returns once the queue is empty (well before the 5 s deadline) */
	assert_int_equal(fake_count(f), 3);
	pthread_join(t, NULL);
	free(text);
	fake_free(f);
}

/* The server is down for a while: queued profiles are retried and all arrive, in order, once it is up. */
static void test_outage_loses_nothing_within_queue(void **state)
{
	(void)state;
	char addr[32], ep[512];
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", free_port());
	snprintf(ep, sizeof(ep),
		"  endpoint {\n    url = \"http://%s\"\n    min_backoff_period = \"10ms\"\n"
		"    max_backoff_period = \"50ms\"\n    max_backoff_retries = 0\n  }\n",
		addr);
	char *text = config(ep);
	harness h = start(text);
	pj_appendable *a = receiver(&h);
	push(a, "s1", "p1");
	push(a, "s2", "p2");
	push(a, "s3", "p3");
	char url[48];
	snprintf(url, sizeof(url), "http://%s", addr);
	for (int i = 0; i < 2000 && metric(&h, "pyroscope_write_retries_total", url) < 5; i++)
		usleep(10000);
	assert_true(metric(&h, "pyroscope_write_retries_total", url) >= 5);
	fake *f = fake_start_at(addr);
	wait_metric(&h, "pyroscope_write_sent_profiles_total", url, 3);
	assert_true(metric(&h, "pyroscope_write_dropped_profiles_total", url) == 0);
	const char *order[] = {"service_name=s1;", "service_name=s2;", "service_name=s3;"};
	for (size_t i = 0; i < 3; i++) {
		decoded d;
		decode_request(&f->req[i], &d);
		assert_non_null(strstr(d.labels, order[i]));
		pj_buf_free(&d.profile);
	}
	finish(&h);
	free(text);
	fake_free(f);
}

int main(void)
{
	pj_write_flush_ns = 5000000000LL;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outage_loses_nothing_within_queue),
		cmocka_unit_test(test_reload_changes_endpoints_and_labels),
		cmocka_unit_test(test_reload_hands_queue_over),
		cmocka_unit_test(test_shutdown_flushes_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
