/*
 * One push attempt. Header precedence follows Alloy (spec push 5.2): the
 * user's `headers` first, minus the ones the Connect client forces; then
 * `http_headers`; then the Authorization header unless `headers` set one.
 * Secret files are re-read on every request so a rotated token is picked up.
 */
#include "components/write_request.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/base64.h"
#include "base/buf.h"
#include "components/push_proto.h"
#include "syntax/value.h"

#define RESPONSE_KEEP 4096

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static bool curl_ready;

static void curl_setup(void)
{
	curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

/* Reads a secret file whole and trims surrounding whitespace, as prometheus/common does. */
bool pj_write_read_secret_file(const char *path, pj_buf *out, char **err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = pj_asprintf("unable to read file %s: %s", path, strerror(errno));
		return false;
	}
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && out->len < (1 << 20))
		pj_buf_append(out, chunk, n);
	bool ok = !ferror(f);
	fclose(f);
	if (!ok) {
		*err = pj_asprintf("unable to read file %s", path);
		return false;
	}
	size_t start = 0;
	while (start < out->len && isspace((unsigned char)out->data[start]))
		start++;
	while (out->len > start && isspace((unsigned char)out->data[out->len - 1]))
		out->len--;
	memmove(out->data, out->data + start, out->len - start);
	out->len -= start;
	pj_buf_putc(out, '\0');
	out->len--;
	return true;
}

const pj_value *pj_write_block(const pj_value *cfg, const char *name)
{
	const pj_value *b = pj_object_get(cfg, name);
	return b && pj_value_kind(b) == PJ_OBJECT ? b : NULL;
}

/* A secret given inline or in a file; "" when neither is set. */
static bool secret_value(const pj_value *obj, const char *inline_key, const char *file_key, pj_buf *out,
	char **err)
{
	const char *file = pj_arg_str(obj, file_key);
	if (*file)
		return pj_write_read_secret_file(file, out, err);
	pj_buf_puts(out, pj_arg_str(obj, inline_key));
	return true;
}

/* The Authorization header value, or "" when the endpoint has no auth. */
static bool auth_header(pj_write_request *r, pj_buf *out, char **err)
{
	const pj_value *cfg = r->cfg;
	const pj_value *b;
	if ((b = pj_write_block(cfg, "oauth2")))
		return pj_oauth2_header(&r->oauth2, b, out, err);
	pj_buf secret = PJ_BUF_INIT;
	bool ok = true;
	if ((b = pj_write_block(cfg, "basic_auth"))) {
		pj_buf user_pass = PJ_BUF_INIT;
		ok = secret_value(b, "password", "password_file", &secret, err);
		pj_buf_printf(&user_pass, "%s:%s", pj_arg_str(b, "username"), pj_buf_cstr(&secret));
		pj_buf_puts(out, "Basic ");
		pj_base64_encode(out, user_pass.data, user_pass.len, pj_base64_std);
		pj_buf_free(&user_pass);
	} else if ((b = pj_write_block(cfg, "authorization"))) {
		ok = secret_value(b, "credentials", "credentials_file", &secret, err);
		const char *type = pj_arg_str(b, "type");
		while (isspace((unsigned char)*type))
			type++;
		size_t len = strlen(type);
		while (len && isspace((unsigned char)type[len - 1]))
			len--;
		pj_buf_printf(out, "%.*s %s", (int)len, len ? type : "Bearer", pj_buf_cstr(&secret));
	} else if (*pj_arg_str(cfg, "bearer_token") || *pj_arg_str(cfg, "bearer_token_file")) {
		ok = secret_value(cfg, "bearer_token", "bearer_token_file", &secret, err);
		pj_buf_printf(out, "Bearer %s", pj_buf_cstr(&secret));
	}
	pj_buf_free(&secret);
	return ok;
}

static bool header_is(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(name, names[i]) == 0)
			return true;
	}
	return false;
}

static struct curl_slist *add_header(struct curl_slist *list, const char *name, const char *value)
{
	char *line = *value ? pj_asprintf("%s: %s", name, value) : pj_asprintf("%s;", name);
	struct curl_slist *next = curl_slist_append(list, line);
	free(line);
	if (!next)
		abort();
	return next;
}

/* Every value of a map(list(secret)) attribute as header lines. */
static struct curl_slist *add_header_lists(struct curl_slist *list, const pj_value *map)
{
	for (size_t i = 0; map && pj_value_kind(map) == PJ_OBJECT && i < pj_object_len(map); i++) {
		const pj_value *values = pj_object_value(map, i);
		for (size_t j = 0; pj_value_kind(values) == PJ_ARRAY && j < pj_array_len(values); j++)
			list = add_header(list, pj_object_key(map, i), pj_value_str(pj_array_get(values, j), NULL));
	}
	return list;
}

static bool build_headers(pj_write_request *r, int64_t timeout_ms, struct curl_slist **out, char **err)
{
	const pj_value *cfg = r->cfg;
	static const char *const forced[] = {"Content-Type", "Connect-Protocol-Version", "Connect-Timeout-Ms",
		"User-Agent", "Accept-Encoding", "Expect", "Content-Length"};
	struct curl_slist *h = NULL;
	bool user_auth = false;
	const pj_value *headers = pj_object_get(cfg, "headers");
	for (size_t i = 0; headers && pj_value_kind(headers) == PJ_OBJECT && i < pj_object_len(headers); i++) {
		const char *name = pj_object_key(headers, i);
		if (header_is(name, forced, sizeof(forced) / sizeof(forced[0])))
			continue;
		user_auth |= strcasecmp(name, "Authorization") == 0;
		h = add_header(h, name, pj_value_str(pj_object_value(headers, i), NULL));
	}
	char timeout[32];
	snprintf(timeout, sizeof(timeout), "%lld", (long long)timeout_ms);
	h = add_header(h, "Content-Type", PJ_PUSH_CONTENT_TYPE);
	h = add_header(h, "Connect-Protocol-Version", "1");
	h = add_header(h, "Connect-Timeout-Ms", timeout);
	h = add_header(h, "User-Agent", "pyrojava/" PJ_VERSION);
	h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
	h = add_header_lists(h, pj_object_get(cfg, "http_headers"));
	pj_buf auth = PJ_BUF_INIT;
	bool ok = user_auth || auth_header(r, &auth, err);
	if (ok && auth.len)
		h = add_header(h, "Authorization", auth.data);
	pj_buf_free(&auth);
	*out = h;
	return ok;
}

static void set_blob(CURL *c, CURLoption opt, const char *pem)
{
	struct curl_blob blob = {(void *)pem, strlen(pem), CURL_BLOB_COPY};
	curl_easy_setopt(c, opt, &blob);
}

void pj_write_curl_tls(CURL *c, const pj_value *tls)
{
	long version = CURL_SSLVERSION_TLSv1_2; /* Go's client default */
	if (!tls) {
		curl_easy_setopt(c, CURLOPT_SSLVERSION, version);
		return;
	}
	if (*pj_arg_str(tls, "ca_file"))
		curl_easy_setopt(c, CURLOPT_CAINFO, pj_arg_str(tls, "ca_file"));
	if (*pj_arg_str(tls, "ca_pem"))
		set_blob(c, CURLOPT_CAINFO_BLOB, pj_arg_str(tls, "ca_pem"));
	if (*pj_arg_str(tls, "cert_file"))
		curl_easy_setopt(c, CURLOPT_SSLCERT, pj_arg_str(tls, "cert_file"));
	if (*pj_arg_str(tls, "cert_pem"))
		set_blob(c, CURLOPT_SSLCERT_BLOB, pj_arg_str(tls, "cert_pem"));
	if (*pj_arg_str(tls, "key_file"))
		curl_easy_setopt(c, CURLOPT_SSLKEY, pj_arg_str(tls, "key_file"));
	if (*pj_arg_str(tls, "key_pem"))
		set_blob(c, CURLOPT_SSLKEY_BLOB, pj_arg_str(tls, "key_pem"));
	if (pj_arg_bool(tls, "insecure_skip_verify")) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	const char *min = pj_arg_str(tls, "min_version");
	if (strcmp(min, "TLS10") == 0)
		version = CURL_SSLVERSION_TLSv1_0;
	else if (strcmp(min, "TLS11") == 0)
		version = CURL_SSLVERSION_TLSv1_1;
	else if (strcmp(min, "TLS13") == 0)
		version = CURL_SSLVERSION_TLSv1_3;
	curl_easy_setopt(c, CURLOPT_SSLVERSION, version);
}

/* libcurl reads the *_proxy variables by itself; Alloy only does with proxy_from_environment. */
void pj_write_curl_proxy(CURL *c, const pj_value *cfg, struct curl_slist **proxy_headers)
{
	*proxy_headers = NULL;
	if (pj_arg_bool(cfg, "proxy_from_environment"))
		return;
	curl_easy_setopt(c, CURLOPT_PROXY, pj_arg_str(cfg, "proxy_url"));
	if (*pj_arg_str(cfg, "no_proxy"))
		curl_easy_setopt(c, CURLOPT_NOPROXY, pj_arg_str(cfg, "no_proxy"));
	*proxy_headers = add_header_lists(NULL, pj_object_get(cfg, "proxy_connect_header"));
	if (*proxy_headers) {
		curl_easy_setopt(c, CURLOPT_PROXYHEADER, *proxy_headers);
		curl_easy_setopt(c, CURLOPT_HEADEROPT, CURLHEADER_SEPARATE);
	}
}

/* Routes the connection for tls_config.server_name: the URL names the server, CONNECT_TO the real host. */
static bool apply_server_name(pj_write_request *r, const char *server_name, char **err)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *url = NULL;
	bool ok = u && curl_url_set(u, CURLUPART_URL, r->url, 0) == CURLUE_OK &&
		  curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		  curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
		  curl_url_set(u, CURLUPART_HOST, server_name, 0) == CURLUE_OK &&
		  curl_url_get(u, CURLUPART_URL, &url, 0) == CURLUE_OK;
	if (ok) {
		r->connect_to = pj_asprintf("%s:%s:%s:%s", server_name, port, host, port);
		free(r->url);
		r->url = pj_strdup(url);
	} else {
		*err = pj_asprintf("cannot apply tls_config.server_name %s to url", server_name);
	}
	curl_free(host);
	curl_free(port);
	curl_free(url);
	curl_url_cleanup(u);
	return ok;
}

/* Fails early, like Alloy building its HTTP client, when a referenced file is unreadable. */
static bool check_files(const pj_value *cfg, char **err)
{
	const pj_value *tls = pj_write_block(cfg, "tls_config");
	const char *paths[] = {
		tls ? pj_arg_str(tls, "ca_file") : "",
		tls ? pj_arg_str(tls, "cert_file") : "",
		tls ? pj_arg_str(tls, "key_file") : "",
		pj_write_block(cfg, "basic_auth") ? pj_arg_str(pj_write_block(cfg, "basic_auth"), "password_file") : "",
		pj_write_block(cfg, "authorization") ? pj_arg_str(pj_write_block(cfg, "authorization"), "credentials_file") : "",
		pj_arg_str(cfg, "bearer_token_file"),
		pj_write_block(cfg, "oauth2") ? pj_arg_str(pj_write_block(cfg, "oauth2"), "client_secret_file") : "",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		pj_buf content = PJ_BUF_INIT;
		bool ok = !*paths[i] || pj_write_read_secret_file(paths[i], &content, err);
		pj_buf_free(&content);
		if (!ok)
			return false;
	}
	return true;
}

bool pj_write_request_init(pj_write_request *r, const pj_value *cfg, curl_xferinfo_callback progress,
	void *progress_ctx, char **err)
{
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->progress = progress;
	r->progress_ctx = progress_ctx;
	if (!check_files(cfg, err))
		return false;
	pthread_once(&curl_once, curl_setup);
	if (!curl_ready || !(r->curl = curl_easy_init())) {
		*err = pj_strdup("cannot initialise libcurl");
		return false;
	}
	const char *url = pj_arg_str(cfg, "url");
	size_t len = strlen(url);
	while (len && url[len - 1] == '/')
		len--;
	r->url = pj_asprintf("%.*s%s", (int)len, url, PJ_PUSH_PATH);
	const pj_value *tls = pj_write_block(cfg, "tls_config");
	if (tls && *pj_arg_str(tls, "server_name"))
		return apply_server_name(r, pj_arg_str(tls, "server_name"), err);
	return true;
}

void pj_write_request_clear(pj_write_request *r)
{
	pj_oauth2_clear(&r->oauth2);
	if (r->curl)
		curl_easy_cleanup(r->curl);
	free(r->url);
	free(r->connect_to);
	memset(r, 0, sizeof(*r));
}

static size_t keep_response(char *data, size_t size, size_t n, void *ctx)
{
	pj_buf *body = ctx;
	size_t len = size * n;
	if (body->len < RESPONSE_KEEP)
		pj_buf_append(body, data, len < RESPONSE_KEEP - body->len ? len : RESPONSE_KEEP - body->len);
	return len;
}

/* The string member `key` of a JSON object value, or NULL. */
static const char *json_string(const pj_value *obj, const char *key)
{
	const pj_value *v = obj && pj_value_kind(obj) == PJ_OBJECT ? pj_object_get(obj, key) : NULL;
	return v && pj_value_kind(v) == PJ_STRING ? pj_value_str(v, NULL) : NULL;
}

/* Appends text on one line: control characters become spaces. */
static void put_one_line(pj_buf *out, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		pj_buf_putc(out, ch < 0x20 || ch == 0x7f ? ' ' : (char)ch);
	}
}

/* What the server said: Connect's "<code>: <message>", else the start of the body on one line. */
static void server_message(const pj_buf *body, pj_buf *out)
{
	char *err = NULL;
	pj_value *json = pj_json_parse(pj_buf_cstr(body), body->len, &err);
	free(err);
	const char *message = json_string(json, "message"), *code = json_string(json, "code");
	if (message && code)
		pj_buf_printf(out, "%s: ", code);
	if (message)
		put_one_line(out, message, strlen(message));
	else
		put_one_line(out, pj_buf_cstr(body), body->len < 256 ? body->len : 256);
	pj_value_unref(json);
}

static pj_write_outcome judge_status(long status, bool retry_429)
{
	if (status >= 200 && status < 300)
		return PJ_WRITE_OK;
	if (status == 429)
		return retry_429 ? PJ_WRITE_RETRY : PJ_WRITE_DROP;
	if (status >= 400 && status < 500 && status != 408)
		return PJ_WRITE_DROP;
	return PJ_WRITE_RETRY;
}

static void set_transfer(pj_write_request *r, const pj_write_payload *p, int64_t timeout_ms, char *errbuf,
	pj_buf *body)
{
	CURL *c = r->curl;
	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)p->data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_response);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, r->progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, r->progress_ctx);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
		pj_arg_bool(r->cfg, "enable_http2") ? (long)CURL_HTTP_VERSION_2TLS : (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, pj_arg_bool(r->cfg, "follow_redirects") ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
}

pj_write_outcome pj_write_request_send(pj_write_request *r, const pj_write_payload *p, int64_t limit_ns,
	char **why)
{
	int64_t timeout_ms = pj_arg_int(r->cfg, "remote_timeout") / 1000000;
	if (limit_ns >= 0 && limit_ns / 1000000 < timeout_ms)
		timeout_ms = limit_ns / 1000000 > 0 ? limit_ns / 1000000 : 1;
	struct curl_slist *headers = NULL, *proxy_headers = NULL, *connect_to = NULL;
	if (!build_headers(r, timeout_ms, &headers, why)) {
		curl_slist_free_all(headers);
		return PJ_WRITE_RETRY;
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	pj_buf body = PJ_BUF_INIT;
	curl_easy_reset(r->curl);
	set_transfer(r, p, timeout_ms, errbuf, &body);
	pj_write_curl_tls(r->curl, pj_write_block(r->cfg, "tls_config"));
	pj_write_curl_proxy(r->curl, r->cfg, &proxy_headers);
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, headers);
	if (r->connect_to && (connect_to = curl_slist_append(NULL, r->connect_to)))
		curl_easy_setopt(r->curl, CURLOPT_CONNECT_TO, connect_to);
	CURLcode rc = curl_easy_perform(r->curl);
	long status = 0;
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
	pj_write_outcome out;
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		out = PJ_WRITE_DROP;
		*why = pj_strdup("shutting down before the profile could be sent");
	} else if (rc != CURLE_OK) {
		out = PJ_WRITE_RETRY;
		*why = pj_asprintf("%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else if ((out = judge_status(status, pj_arg_bool(r->cfg, "retry_on_http_429"))) != PJ_WRITE_OK) {
		pj_buf text = PJ_BUF_INIT;
		pj_buf_printf(&text, "server returned HTTP status %ld", status);
		if (body.len) {
			pj_buf_puts(&text, ": ");
			server_message(&body, &text);
		}
		*why = pj_buf_detach(&text);
	}
	/* Detach the lists before freeing them; the handle is reused for the next attempt. */
	curl_easy_reset(r->curl);
	curl_slist_free_all(headers);
	curl_slist_free_all(proxy_headers);
	curl_slist_free_all(connect_to);
	pj_buf_free(&body);
	return out;
}
