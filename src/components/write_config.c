/*
 * pyroscope.write's arguments: the schema and the validation Alloy runs on
 * each block (spec alloy-config 11), with Alloy's messages.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "components/pyroscope_write.h"

static const pj_type secret_list = {PJ_TYPE_LIST, &pj_type_secret, NULL};
static const pj_type secret_list_map = {PJ_TYPE_MAP, &secret_list, NULL};

/* Set when the attribute is present and not empty, as Go's zero-value checks see it. */
static bool has(const pj_value *obj, const char *key)
{
	const pj_value *v = pj_object_get(obj, key);
	if (!v)
		return false;
	switch (pj_value_kind(v)) {
	case PJ_NULL:
		return false;
	case PJ_STRING:
	case PJ_SECRET:
		return *pj_value_str(v, NULL) != '\0';
	case PJ_OBJECT:
		return pj_object_len(v) > 0;
	case PJ_BOOL:
		return pj_value_bool(v);
	default:
		return true;
	}
}

static bool fail(char **err, const char *msg)
{
	*err = pj_strdup(msg);
	return false;
}

static bool check_tls_version(const pj_value *v, char **err)
{
	const char *s = pj_value_str(v, NULL);
	static const char *const known[] = {"", "TLS10", "TLS11", "TLS12", "TLS13"};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(s, known[i]) == 0)
			return true;
	}
	*err = pj_asprintf("unknown TLS version: %s", s);
	return false;
}

static bool validate_tls(const pj_value *tls, char **err)
{
	if (has(tls, "ca_pem") && has(tls, "ca_file"))
		return fail(err, "at most one of ca_pem and ca_file must be configured");
	if (has(tls, "cert_pem") && has(tls, "cert_file"))
		return fail(err, "at most one of cert_pem and cert_file must be configured");
	if (has(tls, "key_pem") && has(tls, "key_file"))
		return fail(err, "at most one of key_pem and key_file must be configured");
	bool cert = has(tls, "cert_pem") || has(tls, "cert_file");
	bool key = has(tls, "key_pem") || has(tls, "key_file");
	if (cert && !key)
		return fail(err, "exactly one of key_pem or key_file must be configured when a client certificate is configured");
	if (key && !cert)
		return fail(err, "exactly one of cert_pem or cert_file must be configured when a client key is configured");
	return true;
}

static const pj_attr_schema tls_attrs[] = {
	{"ca_pem", &pj_type_string, NULL, false, NULL},
	{"ca_file", &pj_type_string, NULL, false, NULL},
	{"cert_pem", &pj_type_string, NULL, false, NULL},
	{"cert_file", &pj_type_string, NULL, false, NULL},
	{"key_pem", &pj_type_secret, NULL, false, NULL},
	{"key_file", &pj_type_string, NULL, false, NULL},
	{"server_name", &pj_type_string, NULL, false, NULL},
	{"insecure_skip_verify", &pj_type_bool, "false", false, NULL},
	{"min_version", &pj_type_string, NULL, false, check_tls_version},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema tls_schema = {tls_attrs, NULL, validate_tls};

static bool validate_basic_auth(const pj_value *b, char **err)
{
	if (has(b, "password") && has(b, "password_file"))
		return fail(err, "at most one of basic_auth password & password_file must be configured");
	return true;
}

static const pj_attr_schema basic_auth_attrs[] = {
	{"username", &pj_type_string, NULL, false, NULL},
	{"password", &pj_type_secret, NULL, false, NULL},
	{"password_file", &pj_type_string, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema basic_auth_schema = {basic_auth_attrs, NULL, validate_basic_auth};

static bool validate_authorization(const pj_value *a, char **err)
{
	if (has(a, "credentials") && has(a, "credentials_file"))
		return fail(err, "at most one of authorization credentials & credentials_file must be configured");
	const char *type = pj_arg_str(a, "type");
	while (isspace((unsigned char)*type))
		type++;
	size_t len = strlen(type);
	while (len && isspace((unsigned char)type[len - 1]))
		len--;
	if (len == 5 && strncasecmp(type, "basic", 5) == 0)
		return fail(err, "authorization type cannot be set to \"basic\", use \"basic_auth\" block instead");
	return true;
}

static const pj_attr_schema authorization_attrs[] = {
	{"type", &pj_type_string, "\"Bearer\"", false, NULL},
	{"credentials", &pj_type_secret, NULL, false, NULL},
	{"credentials_file", &pj_type_string, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema authorization_schema = {authorization_attrs, NULL, validate_authorization};

/* The proxy rules shared by endpoint and oauth2 (prometheus/common ProxyConfig.Validate). */
static bool validate_proxy(const pj_value *o, char **err)
{
	bool url = has(o, "proxy_url"), env = has(o, "proxy_from_environment");
	if (has(o, "proxy_connect_header") && !url && !env)
		return fail(err, "if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured");
	if (env && url)
		return fail(err, "if proxy_from_environment is configured, proxy_url must not be configured");
	if (env && has(o, "no_proxy"))
		return fail(err, "if proxy_from_environment is configured, no_proxy must not be configured");
	if (has(o, "no_proxy") && !url)
		return fail(err, "if no_proxy is configured, proxy_url must also be configured");
	return true;
}

static bool validate_oauth2(const pj_value *o, char **err)
{
	if (!has(o, "client_id"))
		return fail(err, "oauth2 client_id must be configured");
	if (!has(o, "client_secret") && !has(o, "client_secret_file"))
		return fail(err, "either oauth2 client_secret or client_secret_file must be configured");
	if (!has(o, "token_url"))
		return fail(err, "oauth2 token_url must be configured");
	if (has(o, "client_secret") && has(o, "client_secret_file"))
		return fail(err, "at most one of oauth2 client_secret & client_secret_file must be configured");
	return validate_proxy(o, err);
}

static const pj_attr_schema oauth2_attrs[] = {
	{"client_id", &pj_type_string, NULL, false, NULL},
	{"client_secret", &pj_type_secret, NULL, false, NULL},
	{"client_secret_file", &pj_type_string, NULL, false, NULL},
	{"scopes", &pj_type_string_list, NULL, false, NULL},
	{"token_url", &pj_type_string, NULL, false, NULL},
	{"endpoint_params", &pj_type_string_map, NULL, false, NULL},
	{"proxy_url", &pj_type_string, NULL, false, NULL},
	{"no_proxy", &pj_type_string, NULL, false, NULL},
	{"proxy_from_environment", &pj_type_bool, "false", false, NULL},
	{"proxy_connect_header", &secret_list_map, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_block_schema oauth2_blocks[] = {
	{"tls_config", &tls_schema, 0},
	{NULL, NULL, 0},
};
static const pj_schema oauth2_schema = {oauth2_attrs, oauth2_blocks, validate_oauth2};

/* Go's textproto.CanonicalMIMEHeaderKey for the reserved-name check. */
static char *canonical_header(const char *name)
{
	char *out = pj_strdup(name);
	bool upper = true;
	for (char *p = out; *p; p++) {
		*p = (char)(upper ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
		upper = *p == '-';
	}
	return out;
}

static bool check_http_headers(const pj_value *v, char **err)
{
	static const char *const reserved[] = {"Authorization", "Host", "Content-Encoding", "Content-Length",
		"Content-Type", "User-Agent", "Connection", "Keep-Alive", "Proxy-Authenticate",
		"Proxy-Authorization", "Www-Authenticate", "Accept-Encoding", "X-Prometheus-Remote-Write-Version",
		"X-Prometheus-Remote-Read-Version", "X-Prometheus-Scrape-Timeout-Seconds", "X-Amz-Date",
		"X-Amz-Security-Token", "X-Amz-Content-Sha256"};
	for (size_t i = 0; i < pj_object_len(v); i++) {
		char *name = canonical_header(pj_object_key(v, i));
		for (size_t j = 0; j < sizeof(reserved) / sizeof(reserved[0]); j++) {
			if (strcmp(name, reserved[j]) == 0) {
				*err = pj_asprintf("setting header \"%s\" is not allowed", name);
				free(name);
				return false;
			}
		}
		free(name);
	}
	return true;
}

static bool validate_endpoint(const pj_value *ep, char **err)
{
	static const char *const blocks[] = {"basic_auth", "authorization", "oauth2"};
	int n = has(ep, "bearer_token") + has(ep, "bearer_token_file");
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
		const pj_value *b = pj_object_get(ep, blocks[i]);
		n += b && pj_value_kind(b) == PJ_OBJECT;
	}
	if (n > 1)
		return fail(err, "at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured");
	if (pj_arg_int(ep, "max_queue_bytes") <= 0)
		return fail(err, "max_queue_bytes must be greater than 0");
	if (pj_arg_int(ep, "min_backoff_period") < 0 || pj_arg_int(ep, "max_backoff_period") < 0)
		return fail(err, "backoff periods must not be negative");
	return validate_proxy(ep, err);
}

static const pj_attr_schema endpoint_attrs[] = {
	{"url", &pj_type_string, NULL, true, NULL},
	{"name", &pj_type_string, NULL, false, NULL},
	{"remote_timeout", &pj_type_duration, "\"10s\"", false, NULL},
	{"debug_info_upload_timeout", &pj_type_duration, "\"2m\"", false, NULL},
	{"headers", &pj_type_string_map, NULL, false, NULL},
	{"http_headers", &secret_list_map, NULL, false, check_http_headers},
	{"min_backoff_period", &pj_type_duration, "\"500ms\"", false, NULL},
	{"max_backoff_period", &pj_type_duration, "\"5m\"", false, NULL},
	{"max_backoff_retries", &pj_type_int, "10", false, NULL},
	{"retry_on_http_429", &pj_type_bool, "true", false, NULL},
	{"bearer_token", &pj_type_secret, NULL, false, NULL},
	{"bearer_token_file", &pj_type_string, NULL, false, NULL},
	{"follow_redirects", &pj_type_bool, "true", false, NULL},
	{"enable_http2", &pj_type_bool, "true", false, NULL},
	{"proxy_url", &pj_type_string, NULL, false, NULL},
	{"no_proxy", &pj_type_string, NULL, false, NULL},
	{"proxy_from_environment", &pj_type_bool, "false", false, NULL},
	{"proxy_connect_header", &secret_list_map, NULL, false, NULL},
	{"max_queue_bytes", &pj_type_int, "67108864", false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_block_schema endpoint_blocks[] = {
	{"basic_auth", &basic_auth_schema, PJ_BLOCK_NULLABLE},
	{"authorization", &authorization_schema, PJ_BLOCK_NULLABLE},
	{"oauth2", &oauth2_schema, PJ_BLOCK_NULLABLE},
	{"tls_config", &tls_schema, 0},
	{NULL, NULL, 0},
};
static const pj_schema endpoint_schema = {endpoint_attrs, endpoint_blocks, validate_endpoint};

static const pj_attr_schema tracing_attrs[] = {
	{"jaeger_propagator", &pj_type_bool, "true", false, NULL},
	{"trace_context_propagator", &pj_type_bool, "true", false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema tracing_schema = {tracing_attrs, NULL, NULL};

static const pj_attr_schema write_attrs[] = {
	{"external_labels", &pj_type_string_map, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_block_schema write_blocks[] = {
	{"endpoint", &endpoint_schema, PJ_BLOCK_REPEATED},
	{"tracing", &tracing_schema, 0},
	{NULL, NULL, 0},
};
const pj_schema pj_write_args_schema = {write_attrs, write_blocks, NULL};
