#ifndef PJ_COMPONENTS_WRITE_REQUEST_H
#define PJ_COMPONENTS_WRITE_REQUEST_H

/*
 * One push attempt of pyroscope.write with libcurl: the request an
 * `endpoint` block describes (URL, headers, auth, TLS, proxy) and how its
 * response is judged.
 */

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "components/pyroscope_write.h"

typedef enum pj_write_outcome {
	PJ_WRITE_OK,
	PJ_WRITE_RETRY, /* network error, timeout, 5xx, 408, 3xx, 429 when retry_on_http_429 */
	PJ_WRITE_DROP, /* any other 4xx, or the transfer was aborted for shutdown */
} pj_write_outcome;

/* oauth2 client credentials: the cached token, fetched again shortly before it expires. */
typedef struct pj_oauth2 {
	CURL *curl;
	char *header; /* "<type> <token>", or NULL */
	int64_t expires_ns; /* CLOCK_MONOTONIC; 0: never */
} pj_oauth2;

/* The Authorization value for an oauth2 block, fetching a token when needed. False + *err. */
bool pj_oauth2_header(pj_oauth2 *o, const pj_value *oauth2, pj_buf *out, char **err);
void pj_oauth2_clear(pj_oauth2 *o);

/* Shared with the token fetch: TLS settings of a tls_config block (may be NULL), proxy settings of a block. */
void pj_write_curl_tls(CURL *c, const pj_value *tls);
void pj_write_curl_proxy(CURL *c, const pj_value *cfg, struct curl_slist **proxy_headers);
/* A nested block of cfg, or NULL when absent or null. */
const pj_value *pj_write_block(const pj_value *cfg, const char *name);
/* A secret file's content with surrounding whitespace trimmed. False + *err. */
bool pj_write_read_secret_file(const char *path, pj_buf *out, char **err);

typedef struct pj_write_request {
	const pj_value *cfg; /* the endpoint block, owned by the endpoint */
	CURL *curl; /* reused so connections are kept alive */
	char *url; /* <url without trailing slashes>/push.v1.PusherService/Push */
	char *connect_to; /* tls_config.server_name: "<name>:<port>:<host>:<port>", or NULL */
	curl_xferinfo_callback progress;
	void *progress_ctx;
	pj_oauth2 oauth2;
} pj_write_request;

/* Checks the files the block names can be read and prepares the handle. False + *err. */
bool pj_write_request_init(pj_write_request *r, const pj_value *cfg, curl_xferinfo_callback progress,
	void *progress_ctx, char **err);
void pj_write_request_clear(pj_write_request *r);

/*
 * Sends one payload. limit_ns >= 0 caps the attempt below remote_timeout
 * (shutdown flush). Sets *why (heap) to the reason unless the result is OK.
 */
pj_write_outcome pj_write_request_send(pj_write_request *r, const pj_write_payload *p, int64_t limit_ns,
	char **why);

#endif
