/* The controller's own metrics, named as Alloy names them (spec 12.3). */
#include <stdlib.h>

#include "runtime/controller_internal.h"
#include "runtime/log.h"

static double pj_count_state(pj_controller *ctl, pj_health_state state)
{
	double n = 0;
	pthread_mutex_lock(&ctl->eval_mu);
	for (size_t i = 0; i < ctl->nnodes; i++) {
		pj_health h = {0};
		pj_component_merged_health(ctl->nodes[i], &h);
		n += h.state == state;
		pj_health_clear(&h);
	}
	pthread_mutex_unlock(&ctl->eval_mu);
	return n;
}

static double pj_read_healthy(void *ctx)
{
	return pj_count_state(ctx, PJ_HEALTH_HEALTHY);
}

static double pj_read_unhealthy(void *ctx)
{
	return pj_count_state(ctx, PJ_HEALTH_UNHEALTHY);
}

static double pj_read_unknown(void *ctx)
{
	return pj_count_state(ctx, PJ_HEALTH_UNKNOWN);
}

static double pj_read_exited(void *ctx)
{
	return pj_count_state(ctx, PJ_HEALTH_EXITED);
}

static double pj_read_queue(void *ctx)
{
	pj_controller *ctl = ctx;
	pthread_mutex_lock(&ctl->mu);
	double n = (double)ctl->qlen;
	pthread_mutex_unlock(&ctl->mu);
	return n;
}

static pj_metric *pj_register(pj_controller *ctl, pj_metric_type type, const pj_metric_opts *o)
{
	char *err = NULL;
	pj_metric *m = pj_metrics_register(ctl->opts.metrics, type, o, &err);
	if (!m) {
		pj_log(PJ_LOG_WARN, NULL, "failed to register controller metric", "name", o->name, "err", err, NULL);
		free(err);
	}
	return m;
}

void pj_controller_metrics_register(pj_controller *ctl)
{
	if (!ctl->opts.metrics)
		return;
	static const char *const path[] = {"controller_path", "/", "controller_id", "", NULL};
	pj_metric_opts eval = {.name = "alloy_component_evaluation_seconds",
		.help = "Time spent performing component evaluation", .const_labels = path};
	ctl->evaluation_seconds = pj_register(ctl, PJ_METRIC_HISTOGRAM, &eval);
	pj_metric_opts queue = {.name = "alloy_component_evaluation_queue_size",
		.help = "Tracks the number of components waiting to be evaluated in the worker pool",
		.const_labels = path, .read = pj_read_queue, .read_ctx = ctl};
	ctl->queue_size = pj_register(ctl, PJ_METRIC_GAUGE, &queue);

	static const char *const by_state[4][7] = {
		{"controller_path", "/", "controller_id", "", "health_type", "healthy", NULL},
		{"controller_path", "/", "controller_id", "", "health_type", "unhealthy", NULL},
		{"controller_path", "/", "controller_id", "", "health_type", "unknown", NULL},
		{"controller_path", "/", "controller_id", "", "health_type", "exited", NULL},
	};
	double (*const readers[4])(void *) = {pj_read_healthy, pj_read_unhealthy, pj_read_unknown, pj_read_exited};
	for (size_t i = 0; i < 4; i++) {
		pj_metric_opts running = {.name = "alloy_component_controller_running_components",
			.help = "Total number of running components.", .const_labels = by_state[i],
			.read = readers[i], .read_ctx = ctl};
		ctl->running_components[i] = pj_register(ctl, PJ_METRIC_GAUGE, &running);
	}
}

void pj_controller_metrics_unregister(pj_controller *ctl)
{
	if (!ctl->opts.metrics)
		return;
	pj_metrics_unregister(ctl->opts.metrics, ctl->evaluation_seconds);
	pj_metrics_unregister(ctl->opts.metrics, ctl->queue_size);
	for (size_t i = 0; i < 4; i++)
		pj_metrics_unregister(ctl->opts.metrics, ctl->running_components[i]);
}

void pj_controller_observe_evaluation(pj_controller *ctl, double seconds)
{
	if (ctl->evaluation_seconds)
		pj_metric_observe(ctl->evaluation_seconds, NULL, seconds);
}
