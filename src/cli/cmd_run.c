/*
 * `pyrojava run [flags] PATH`: load a configuration, run its components
 * until SIGINT/SIGTERM, reload on SIGHUP (spec 12.1, 12.2).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "runtime/http_api.h"
#include "runtime/log.h"

typedef struct pj_run {
	const char *path;
	const char *listen_addr;
	const char *ui_path_prefix;
	pj_controller *ctl;
	pj_metrics *metrics;
	pj_http_server *server;
	pj_http_api *api;
	/* SIGHUP and /-/reload may race; diagnostics point into the files of the last load. */
	pthread_mutex_t reload_mu;
} pj_run;

static int pj_run_usage(FILE *out, int status)
{
	fprintf(out, "usage: pyrojava run [flags] [PATH]\n\n"
		     "Runs the components of a configuration file, or of a directory of *.alloy files.\n"
		     "Without PATH, runs the built-in configuration: every JVM on this host is profiled\n"
		     "and its profiles are written to ./profiles (see docs/components/pyroscope.java.md).\n\n"
		     "flags:\n"
		     "  --server.http.listen-addr=ADDR     address of the HTTP server (default 127.0.0.1:12345)\n"
		     "  --server.http.ui-path-prefix=PATH  prefix of the components API (default /)\n\n"
		     "signals: SIGHUP reloads the configuration, SIGINT and SIGTERM stop.\n");
	return status;
}

/* Accepts --flag=value and --flag value. Returns the value, or NULL if arg is not this flag. */
static const char *pj_flag_value(const char *name, int argc, char **argv, int *i)
{
	size_t len = strlen(name);
	if (strncmp(argv[*i], name, len) != 0)
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int pj_run_parse(pj_run *r, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *v;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return pj_run_usage(stdout, 0);
		if ((v = pj_flag_value("--server.http.listen-addr", argc, argv, &i)) != NULL) {
			r->listen_addr = v;
		} else if ((v = pj_flag_value("--server.http.ui-path-prefix", argc, argv, &i)) != NULL) {
			r->ui_path_prefix = v;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "Error: unknown flag: %s\n\n", argv[i]);
			return pj_run_usage(stderr, 2);
		} else if (r->path) {
			fprintf(stderr, "Error: expected exactly one path argument\n\n");
			return pj_run_usage(stderr, 2);
		} else {
			r->path = argv[i];
		}
	}
	return -1;
}

/* Re-reads the path; a broken configuration leaves the running graph as it was. */
static bool pj_run_reload(void *ctx, char **err)
{
	pj_run *r = ctx;
	pj_diags diags = PJ_DIAGS_INIT;
	pthread_mutex_lock(&r->reload_mu);
	bool ok = pj_cli_load(r->ctl, r->path, &diags);
	if (!ok)
		*err = pj_cli_diags_text(&diags);
	pthread_mutex_unlock(&r->reload_mu);
	pj_diags_free(&diags);
	return ok;
}

static bool pj_run_ready(void *ctx)
{
	return pj_controller_ready(((pj_run *)ctx)->ctl);
}

static bool pj_run_healthy(void *ctx, pj_buf *names)
{
	return pj_controller_healthy(((pj_run *)ctx)->ctl, names);
}

static void pj_run_components_json(void *ctx, pj_buf *out)
{
	pj_controller_components_json(((pj_run *)ctx)->ctl, out);
}

static bool pj_run_component_json(void *ctx, const char *id, pj_buf *out)
{
	return pj_controller_component_json(((pj_run *)ctx)->ctl, id, out);
}

/* The HTTP server starts before the first load, as Alloy's does (spec 12.2). */
static pj_metrics *pj_run_metrics(void)
{
	char *err = NULL;
	pj_metrics *m = pj_metrics_new();
	pj_metrics_register_build_info(m, PJ_VERSION);
	if (!pj_metrics_register_process(m, &err)) {
		pj_log(PJ_LOG_WARN, NULL, "failed to register process metrics", "err", err, NULL);
		free(err);
	}
	return m;
}

/* Handlers call into r->ctl, so it must exist before the server's threads do. */
static bool pj_run_serve(pj_run *r)
{
	char *err = NULL;
	pj_http_server_opts opts = {.listen_addr = r->listen_addr};
	r->server = pj_http_server_new(&opts);
	pj_http_handlers handlers = {
		.ctx = r,
		.ready = pj_run_ready,
		.healthy = pj_run_healthy,
		.reload = pj_run_reload,
		.components_json = pj_run_components_json,
		.component_json = pj_run_component_json,
	};
	r->api = pj_http_api_add(r->server, &handlers, r->metrics, r->ui_path_prefix);
	if (!pj_http_server_start(r->server, &err)) {
		fprintf(stderr, "Error: %s\n", err ? err : "cannot start the HTTP server");
		free(err);
		return false;
	}
	pj_log(PJ_LOG_INFO, NULL, "now listening for http traffic", "service", "http", "addr",
		pj_http_server_addr(r->server), NULL);
	return true;
}

static void pj_run_close_server(pj_run *r)
{
	if (r->server) {
		pj_http_server_stop(r->server);
		pj_http_api_remove(r->server, r->api);
		pj_http_server_free(r->server);
	}
}

static void pj_run_sighup(pj_run *r)
{
	char *err = NULL;
	if (pj_run_reload(r, &err))
		pj_log(PJ_LOG_INFO, NULL, "config reloaded", NULL);
	else
		pj_log(PJ_LOG_ERROR, NULL, "failed to reload config", "err", err, NULL);
	free(err);
}

/* Waits for signals on the main thread; every other thread has them blocked. */
static void pj_run_wait(pj_run *r, const sigset_t *set)
{
	for (;;) {
		int sig = 0;
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			pj_log(PJ_LOG_INFO, NULL, "reloading config", "signal", "SIGHUP", NULL);
			pj_run_sighup(r);
			continue;
		}
		pj_log(PJ_LOG_INFO, NULL, "shutting down", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
		return;
	}
}

int cmd_run(int argc, char **argv)
{
	pj_run r = {.listen_addr = "127.0.0.1:12345", .ui_path_prefix = "/", .reload_mu = PTHREAD_MUTEX_INITIALIZER};
	int status = pj_run_parse(&r, argc, argv);
	if (status >= 0)
		return status;

	/* Blocked before any thread starts, so every thread inherits the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	pj_registry *reg = pj_builtin_registry();
	char *module_path = pj_cli_module_path(r.path);
	r.metrics = pj_run_metrics();
	pj_controller_options opts = {
		.registry = reg, .module_path = module_path, .configure_logger = true, .metrics = r.metrics};
	r.ctl = pj_controller_new(&opts);
	bool served = pj_run_serve(&r);
	pj_diags diags = PJ_DIAGS_INIT;
	pthread_mutex_lock(&r.reload_mu);
	bool ok = served && pj_cli_load(r.ctl, r.path, &diags);
	if (!ok && served)
		pj_cli_print_load_failure(&diags);
	pthread_mutex_unlock(&r.reload_mu);
	pj_diags_free(&diags);
	if (ok) {
		pj_controller_start(r.ctl);
		pj_log(PJ_LOG_INFO, NULL, "pyrojava is running", "config", r.path ? r.path : PJ_CLI_DEFAULT_NAME, NULL);
		pj_run_wait(&r, &set);
	}
	/* The server calls into the controller, so it goes first. */
	pj_run_close_server(&r);
	pj_controller_free(r.ctl);
	pj_metrics_free(r.metrics);
	free(module_path);
	pj_registry_free(reg);
	if (ok)
		pj_log(PJ_LOG_INFO, NULL, "pyrojava stopped", NULL);
	return ok ? 0 : 1;
}
