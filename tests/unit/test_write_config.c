/* Unit tests for pyroscope.write's configuration checks, backoff schedule and URL redaction (spec alloy-config 11, push 5.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/pyroscope_write.h"
#include "runtime/controller.h"
#include "write_fake.h"

static void test_backoff_schedule(void **state)
{
	(void)state;
	const int64_t ms = 1000000;
	pj_backoff b;
	pj_backoff_init(&b, 500 * ms, 300000 * ms, 42);
	int64_t lo = 500 * ms;
	for (int i = 0; i < 9; i++, lo *= 2) {
		int64_t d = pj_backoff_next(&b);
		assert_true(d >= lo && d < 2 * lo);
	}
	/* [256 s, 300 s) once the upper bound reaches max_backoff_period, from then on. */
	for (int i = 0; i < 5; i++) {
		int64_t d = pj_backoff_next(&b);
		assert_true(d >= 256000 * ms && d < 300000 * ms);
	}
	pj_backoff_init(&b, 10 * ms, 10 * ms, 1);
	assert_int_equal(pj_backoff_next(&b), 10 * ms);
}

static void test_redact_url(void **state)
{
	(void)state;
	char *s = pj_write_redact_url("https://u:p@host:4040/x");
	assert_string_equal(s, "https://u:xxxxx@host:4040/x");
	free(s);
	s = pj_write_redact_url("http://host/a@b");
	assert_string_equal(s, "http://host/a@b");
	free(s);
}

/* Config errors carry Alloy's messages. */
static void expect_invalid(const char *endpoint_body, const char *message)
{
	pj_registry *reg = pj_registry_new();
	pj_registry_add(reg, &pj_pyroscope_write_type);
	pj_controller_options opts = {.registry = reg, .validate_only = true};
	harness h = {reg, NULL, pj_controller_new(&opts)};
	char body[1024];
	snprintf(body, sizeof(body), "pyroscope.write \"t\" {\n  endpoint {\n    url = \"http://x\"\n%s  }\n}\n",
		endpoint_body);
	pj_diags diags = PJ_DIAGS_INIT;
	assert_false(load(&h, body, &diags));
	assert_true(diags.len >= 1);
	if (!strstr(diags.items[0].message, message))
		fail_msg("got %s, want %s", diags.items[0].message, message);
	pj_diags_free(&diags);
	pj_controller_free(h.ctl);
	pj_registry_free(reg);
}

static void test_config_validation_messages(void **state)
{
	(void)state;
	expect_invalid("bearer_token = \"a\"\nbearer_token_file = \"/f\"\n",
		"at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured");
	expect_invalid("basic_auth {\n username = \"u\"\n}\nauthorization {\n credentials = \"c\"\n}\n",
		"at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured");
	expect_invalid("basic_auth {\n password = \"p\"\n password_file = \"/f\"\n}\n",
		"at most one of basic_auth password & password_file must be configured");
	expect_invalid("authorization {\n type = \" Basic \"\n}\n",
		"authorization type cannot be set to \"basic\", use \"basic_auth\" block instead");
	expect_invalid("authorization {\n credentials = \"c\"\n credentials_file = \"/f\"\n}\n",
		"at most one of authorization credentials & credentials_file must be configured");
	expect_invalid("tls_config {\n ca_pem = \"x\"\n ca_file = \"/f\"\n}\n",
		"at most one of ca_pem and ca_file must be configured");
	expect_invalid("tls_config {\n cert_file = \"/f\"\n}\n",
		"exactly one of key_pem or key_file must be configured when a client certificate is configured");
	expect_invalid("tls_config {\n min_version = \"TLS9\"\n}\n", "unknown TLS version: TLS9");
	expect_invalid("no_proxy = \"a\"\n", "if no_proxy is configured, proxy_url must also be configured");
	expect_invalid("proxy_from_environment = true\nproxy_url = \"http://p\"\n",
		"if proxy_from_environment is configured, proxy_url must not be configured");
	expect_invalid("proxy_connect_header = { a = [\"b\"] }\n",
		"if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured");
	expect_invalid("http_headers = { \"content-type\" = [\"x\"] }\n", "setting header \"Content-Type\" is not allowed");
	expect_invalid("oauth2 {\n token_url = \"http://t\"\n}\n", "oauth2 client_id must be configured");
	expect_invalid("oauth2 {\n client_id = \"a\"\n client_secret = \"b\"\n client_secret_file = \"/f\"\n token_url = \"http://t\"\n}\n",
		"at most one of oauth2 client_secret & client_secret_file must be configured");
	expect_invalid("oauth2 {\n client_id = \"a\"\n token_url = \"http://t\"\n}\n",
		"either oauth2 client_secret or client_secret_file must be configured");
}

static void test_unreadable_file_fails_build(void **state)
{
	(void)state;
	pj_registry *reg = pj_registry_new();
	pj_registry_add(reg, &pj_pyroscope_write_type);
	pj_controller_options opts = {.registry = reg, .manual_flush = true};
	harness h = {reg, NULL, pj_controller_new(&opts)};
	pj_diags diags = PJ_DIAGS_INIT;
	assert_false(load(&h,
		"pyroscope.write \"t\" {\n  endpoint {\n    url = \"http://x\"\n    bearer_token_file = \"/nonexistent/tok\"\n  }\n}\n",
		&diags));
	assert_non_null(strstr(diags.items[0].message, "/nonexistent/tok: No such file or directory"));
	pj_diags_free(&diags);
	pj_controller_free(h.ctl);
	pj_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_schedule),
		cmocka_unit_test(test_redact_url),
		cmocka_unit_test(test_config_validation_messages),
		cmocka_unit_test(test_unreadable_file_fails_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
