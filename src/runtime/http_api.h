#ifndef PJ_RUNTIME_HTTP_API_H
#define PJ_RUNTIME_HTTP_API_H

/*
 * Alloy's HTTP surface on the main server: /-/ready, /-/healthy, /-/reload,
 * /metrics and the components API used by the UI. The controller supplies the
 * answers through callbacks; this module owns the paths, status codes and
 * texts. Any callback may be NULL, which leaves its endpoint out (404).
 */

#include <stdbool.h>

#include "base/buf.h"
#include "runtime/http_server.h"
#include "runtime/metrics.h"

typedef struct pj_http_handlers {
	void *ctx; /* passed to every callback */
	/* True once the first load succeeded. */
	bool (*ready)(void *ctx);
	/* True if no component is unhealthy; otherwise appends the unhealthy component
	 * names (such as "discovery.relabel"), joined with ", ", to `unhealthy`. */
	bool (*healthy)(void *ctx, pj_buf *unhealthy);
	/* Re-reads and applies the configuration; on failure sets *err (freed by the API). */
	bool (*reload)(void *ctx, char **err);
	/* Appends the JSON array of every component (health only). */
	void (*components_json)(void *ctx, pj_buf *out);
	/* Appends one component's JSON object; false if no component has this ID. */
	bool (*component_json)(void *ctx, const char *id, pj_buf *out);
} pj_http_handlers;

/* The routes that pj_http_api_add() put on a server, for pj_http_api_remove(). */
typedef struct pj_http_api pj_http_api;

/*
 * Adds the endpoints to `server`. `metrics` may be NULL (no /metrics).
 * `ui_path_prefix` is --server.http.ui-path-prefix ("/" when NULL); the
 * components API lives under <prefix>api/v0/web. The handlers struct is copied.
 */
pj_http_api *pj_http_api_add(pj_http_server *server, const pj_http_handlers *handlers,
			     pj_metrics *metrics, const char *ui_path_prefix);
/* Removes the routes (waiting for requests in flight) and frees the API. */
void pj_http_api_remove(pj_http_server *server, pj_http_api *api);

#endif
