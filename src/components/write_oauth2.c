/*
 * oauth2 client credentials for pyroscope.write (golang.org/x/oauth2
 * clientcredentials as prometheus/common uses it): POST grant_type,
 * scope and endpoint_params to token_url with the client ID and secret in a
 * Basic Authorization header, read access_token, token_type and expires_in
 * from the JSON answer, and reuse the token until 10 s before it expires.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "components/write_request.h"
#include "syntax/value.h"

#define EXPIRY_MARGIN_NS 10000000000LL
#define TOKEN_RESPONSE_MAX (64 * 1024)

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void form_pair(CURL *c, pj_buf *form, const char *key, const char *value)
{
	char *k = curl_easy_escape(c, key, 0), *v = curl_easy_escape(c, value, 0);
	if (!k || !v)
		abort();
	pj_buf_printf(form, "%s%s=%s", form->len ? "&" : "", k, v);
	curl_free(k);
	curl_free(v);
}

static void token_form(CURL *c, const pj_value *o, pj_buf *form)
{
	form_pair(c, form, "grant_type", "client_credentials");
	const pj_value *scopes = pj_object_get(o, "scopes");
	pj_buf joined = PJ_BUF_INIT;
	for (size_t i = 0; scopes && pj_value_kind(scopes) == PJ_ARRAY && i < pj_array_len(scopes); i++)
		pj_buf_printf(&joined, "%s%s", i ? " " : "", pj_value_str(pj_array_get(scopes, i), NULL));
	if (joined.len)
		form_pair(c, form, "scope", joined.data);
	pj_buf_free(&joined);
	const pj_value *params = pj_object_get(o, "endpoint_params");
	for (size_t i = 0; params && pj_value_kind(params) == PJ_OBJECT && i < pj_object_len(params); i++)
		form_pair(c, form, pj_object_key(params, i), pj_value_str(pj_object_value(params, i), NULL));
}

static size_t keep_body(char *data, size_t size, size_t n, void *ctx)
{
	pj_buf *body = ctx;
	size_t len = size * n;
	if (body->len + len > TOKEN_RESPONSE_MAX)
		return 0;
	pj_buf_append(body, data, len);
	return len;
}

/* Stores the token from a successful answer (RFC 6749 section 5.1). */
static bool take_token(pj_oauth2 *o, const char *body, size_t len, char **err)
{
	char *parse_err = NULL;
	pj_value *json = pj_json_parse(body, len, &parse_err);
	free(parse_err);
	const pj_value *token = NULL, *type = NULL, *expires = NULL;
	if (json && pj_value_kind(json) == PJ_OBJECT) {
		token = pj_object_get(json, "access_token");
		type = pj_object_get(json, "token_type");
		expires = pj_object_get(json, "expires_in");
	}
	bool ok = token && pj_value_kind(token) == PJ_STRING && *pj_value_str(token, NULL);
	if (!ok) {
		*err = pj_strdup("oauth2: server response missing access_token");
	} else {
		const char *kind = type && pj_value_kind(type) == PJ_STRING ? pj_value_str(type, NULL) : "";
		if (!*kind || strcasecmp(kind, "bearer") == 0)
			kind = "Bearer";
		free(o->header);
		o->header = pj_asprintf("%s %s", kind, pj_value_str(token, NULL));
		int64_t secs = expires && pj_value_kind(expires) == PJ_NUMBER ? pj_value_int(expires) : 0;
		o->expires_ns = secs > 0 ? now_ns() + secs * 1000000000LL - EXPIRY_MARGIN_NS : 0;
	}
	pj_value_unref(json);
	return ok;
}

static bool fetch_token(pj_oauth2 *o, const pj_value *cfg, char **err)
{
	pj_buf secret = PJ_BUF_INIT, form = PJ_BUF_INIT, body = PJ_BUF_INIT;
	const char *file = pj_arg_str(cfg, "client_secret_file");
	if (!*file)
		pj_buf_puts(&secret, pj_arg_str(cfg, "client_secret"));
	else if (!pj_write_read_secret_file(file, &secret, err))
		return false;
	if (!o->curl && !(o->curl = curl_easy_init())) {
		*err = pj_strdup("oauth2: cannot initialise libcurl");
		pj_buf_free(&secret);
		return false;
	}
	CURL *c = o->curl;
	curl_easy_reset(c);
	token_form(c, cfg, &form);
	struct curl_slist *proxy_headers = NULL;
	pj_write_curl_tls(c, pj_write_block(cfg, "tls_config"));
	pj_write_curl_proxy(c, cfg, &proxy_headers);
	curl_easy_setopt(c, CURLOPT_URL, pj_arg_str(cfg, "token_url"));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
	curl_easy_setopt(c, CURLOPT_USERNAME, pj_arg_str(cfg, "client_id"));
	curl_easy_setopt(c, CURLOPT_PASSWORD, pj_buf_cstr(&secret));
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, form.data);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	bool ok = false;
	if (rc != CURLE_OK)
		*err = pj_asprintf("oauth2: cannot fetch token: %s", curl_easy_strerror(rc));
	else if (status < 200 || status >= 300)
		*err = pj_asprintf("oauth2: token endpoint returned HTTP status %ld", status);
	else
		ok = take_token(o, pj_buf_cstr(&body), body.len, err);
	curl_easy_reset(c); /* drops the password and the lists before they are freed */
	curl_slist_free_all(proxy_headers);
	pj_buf_free(&secret);
	pj_buf_free(&form);
	pj_buf_free(&body);
	return ok;
}

bool pj_oauth2_header(pj_oauth2 *o, const pj_value *oauth2, pj_buf *out, char **err)
{
	bool fresh = o->header && (o->expires_ns == 0 || now_ns() < o->expires_ns);
	if (!fresh && !fetch_token(o, oauth2, err))
		return false;
	pj_buf_puts(out, o->header);
	return true;
}

void pj_oauth2_clear(pj_oauth2 *o)
{
	if (o->curl)
		curl_easy_cleanup(o->curl);
	free(o->header);
	memset(o, 0, sizeof(*o));
}
