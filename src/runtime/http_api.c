#include "runtime/http_api.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "runtime/log.h"

#define JSON_TYPE "application/json"
#define MAX_ROUTES 8

struct pj_http_api {
	pj_http_handlers h;
	pj_metrics *metrics;
	pj_http_route *routes[MAX_ROUTES];
	size_t nroutes;
};

static void serve_ready(void *ctx, const pj_http_request *req, pj_http_response *resp)
{
	(void)req;
	pj_http_api *api = ctx;
	if (api->h.ready(api->h.ctx))
		pj_http_response_text(resp, 200, "Alloy is ready.\n");
	else
		pj_http_response_text(resp, 503, "Alloy is not ready.\n");
}

static void serve_healthy(void *ctx, const pj_http_request *req, pj_http_response *resp)
{
	(void)req;
	pj_http_api *api = ctx;
	pj_buf names = PJ_BUF_INIT;
	if (api->h.healthy(api->h.ctx, &names))
		pj_http_response_text(resp, 200, "All Alloy components are healthy.\n");
	else
		pj_http_response_text(resp, 500, "unhealthy components: %s\n", pj_buf_cstr(&names));
	pj_buf_free(&names);
}

static void serve_reload(void *ctx, const pj_http_request *req, pj_http_response *resp)
{
	(void)req;
	pj_http_api *api = ctx;
	char *err = NULL;
	pj_log(PJ_LOG_INFO, NULL, "reload requested via /-/reload endpoint", NULL);
	if (!api->h.reload(api->h.ctx, &err)) {
		const char *text = err ? err : "reload failed";
		pj_log(PJ_LOG_ERROR, NULL, "failed to reload config", "err", text, NULL);
		pj_http_response_text(resp, 400, "%s\n", text);
		free(err);
		return;
	}
	free(err);
	pj_log(PJ_LOG_INFO, NULL, "config reloaded", NULL);
	pj_http_response_text(resp, 200, "config reloaded\n");
}

static void serve_metrics(void *ctx, const pj_http_request *req, pj_http_response *resp)
{
	(void)req;
	pj_http_api *api = ctx;
	pj_metrics_write_text(api->metrics, &resp->body);
	resp->content_type = PJ_METRICS_CONTENT_TYPE;
}

static void serve_components(void *ctx, const pj_http_request *req, pj_http_response *resp)
{
	(void)req;
	pj_http_api *api = ctx;
	api->h.components_json(api->h.ctx, &resp->body);
	resp->content_type = JSON_TYPE;
}

static void serve_component(void *ctx, const pj_http_request *req, pj_http_response *resp)
{
	pj_http_api *api = ctx;
	if (req->subpath[0] == '\0' || !api->h.component_json(api->h.ctx, req->subpath, &resp->body)) {
		pj_http_response_text(resp, 404, "404 page not found\n");
		return;
	}
	resp->content_type = JSON_TYPE;
}

static void add(pj_http_server *server, pj_http_api *api, const char *methods, const char *path,
		bool prefix, pj_http_handler handler)
{
	api->routes[api->nroutes++] = pj_http_route_add(server, methods, path, prefix, handler, api);
}

pj_http_api *pj_http_api_add(pj_http_server *server, const pj_http_handlers *handlers,
			     pj_metrics *metrics, const char *ui_path_prefix)
{
	pj_http_api *api = pj_calloc(1, sizeof(*api));
	api->h = *handlers;
	api->metrics = metrics;
	if (api->h.ready)
		add(server, api, NULL, "/-/ready", PJ_HTTP_EXACT, serve_ready);
	if (api->h.healthy)
		add(server, api, NULL, "/-/healthy", PJ_HTTP_EXACT, serve_healthy);
	if (api->h.reload)
		add(server, api, "GET,POST", "/-/reload", PJ_HTTP_EXACT, serve_reload);
	if (metrics)
		add(server, api, NULL, "/metrics", PJ_HTTP_EXACT, serve_metrics);

	/* Join the prefix and the API path with exactly one slash, as Go's path.Join does. */
	const char *prefix = ui_path_prefix && ui_path_prefix[0] ? ui_path_prefix : "/";
	size_t plen = strlen(prefix);
	while (plen > 0 && prefix[plen - 1] == '/')
		plen--;
	char *list = pj_asprintf("%s%.*s/api/v0/web/components", prefix[0] == '/' ? "" : "/",
				 (int)plen, prefix);
	char *one = pj_asprintf("%s/", list);
	if (api->h.components_json)
		add(server, api, NULL, list, PJ_HTTP_EXACT, serve_components);
	if (api->h.component_json)
		add(server, api, NULL, one, PJ_HTTP_PREFIX, serve_component);
	free(list);
	free(one);
	return api;
}

void pj_http_api_remove(pj_http_server *server, pj_http_api *api)
{
	if (api == NULL)
		return;
	for (size_t i = 0; i < api->nroutes; i++)
		pj_http_route_remove(server, api->routes[i]);
	free(api);
}
