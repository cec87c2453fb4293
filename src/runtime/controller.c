/*
 * The controller: applies graphs, evaluates components in dependency order,
 * runs them on their own threads and re-evaluates dependants when exports
 * change (spec 5.4, 5.5).
 *
 * Locking: eval_mu serialises loads and evaluations (so build/update/stop
 * are never concurrent for one controller); mu guards exports, the queue and
 * health, and is always taken after eval_mu, never before it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "runtime/controller_internal.h"

pj_controller *pj_controller_new(const pj_controller_options *opts)
{
	pj_controller *ctl = pj_calloc(1, sizeof(*ctl));
	ctl->opts = *opts;
	ctl->module_path = pj_strdup(opts->module_path ? opts->module_path : ".");
	ctl->opts.module_path = ctl->module_path;
	pthread_mutex_init(&ctl->eval_mu, NULL);
	pthread_mutex_init(&ctl->mu, NULL);
	pthread_cond_init(&ctl->queue_cv, NULL);
	pj_controller_metrics_register(ctl);
	return ctl;
}

pj_component *pj_component_new(pj_controller *ctl, const char *id, const pj_component_type *type)
{
	pj_component *c = pj_calloc(1, sizeof(*c));
	c->ctl = ctl;
	c->id = pj_strdup(id);
	c->type = type;
	c->exports = pj_schema_zero(type->exports);
	c->metric_labels[0] = "component_path";
	c->metric_labels[1] = "/";
	c->metric_labels[2] = "component_id";
	c->metric_labels[3] = c->id;
	pj_health_set(&c->eval_health, PJ_HEALTH_UNKNOWN, "component created");
	pj_health_set(&c->run_health, PJ_HEALTH_UNKNOWN, "component created");
	return c;
}

void pj_component_stop_run(pj_component *c)
{
	if (c->thread_started) {
		if (c->type->stop)
			c->type->stop(c->state);
		pthread_join(c->thread, NULL);
		c->thread_started = false;
	}
}

static void pj_dequeue(pj_controller *ctl, pj_component *c)
{
	for (size_t i = 0; i < ctl->qlen; i++) {
		if (ctl->queue[i] == c) {
			memmove(&ctl->queue[i], &ctl->queue[i + 1], (ctl->qlen - i - 1) * sizeof(*ctl->queue));
			ctl->qlen--;
			return;
		}
	}
}

void pj_component_free(pj_component *c)
{
	pj_component_stop_run(c);
	pthread_mutex_lock(&c->ctl->mu);
	pj_dequeue(c->ctl, c);
	pthread_mutex_unlock(&c->ctl->mu);
	/* Exports may hold references into the state (a receiver), so they go first. */
	pj_value_unref(c->exports);
	pj_value_unref(c->args);
	if (c->built && c->type->destroy)
		c->type->destroy(c->state);
	pj_health_clear(&c->eval_health);
	pj_health_clear(&c->run_health);
	free(c->deps);
	free(c->users);
	free(c->id);
	free(c);
}

void pj_files_free(pj_file **files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pj_file_free(files[i]);
	free(files);
}

void pj_controller_free(pj_controller *ctl)
{
	if (!ctl)
		return;
	pj_controller_stop(ctl);
	pj_controller_metrics_unregister(ctl);
	pthread_mutex_lock(&ctl->eval_mu);
	for (size_t i = 0; i < ctl->nnodes; i++)
		pj_component_free(ctl->nodes[i]);
	free(ctl->nodes);
	pj_files_free(ctl->files, ctl->nfiles);
	pj_files_free(ctl->rejected, ctl->nrejected);
	pthread_mutex_unlock(&ctl->eval_mu);
	free(ctl->queue);
	free(ctl->module_path);
	pthread_mutex_destroy(&ctl->eval_mu);
	pthread_mutex_destroy(&ctl->mu);
	pthread_cond_destroy(&ctl->queue_cv);
	free(ctl);
}

const char *pj_component_id(const pj_component *c)
{
	return c->id;
}

pj_metrics *pj_component_metrics(const pj_component *c)
{
	return c->ctl->opts.metrics;
}

const char *const *pj_component_metric_labels(const pj_component *c)
{
	return c->metric_labels;
}

void pj_component_export(pj_component *c, pj_value *exports)
{
	pj_controller *ctl = c->ctl;
	pthread_mutex_lock(&ctl->mu);
	if (c->exports && pj_value_equal(c->exports, exports)) {
		pthread_mutex_unlock(&ctl->mu);
		pj_value_unref(exports);
		return;
	}
	pj_value *old = c->exports;
	c->exports = exports;
	if (!c->queued) {
		ctl->queue = pj_grow(ctl->queue, &ctl->qcap, ctl->qlen + 1, sizeof(*ctl->queue));
		ctl->queue[ctl->qlen++] = c;
		c->queued = true;
		pthread_cond_signal(&ctl->queue_cv);
	}
	pthread_mutex_unlock(&ctl->mu);
	pj_value_unref(old);
}

pj_component *pj_controller_find(pj_controller *ctl, const char *id)
{
	for (size_t i = 0; i < ctl->nnodes; i++) {
		if (strcmp(ctl->nodes[i]->id, id) == 0)
			return ctl->nodes[i];
	}
	return NULL;
}

void pj_component_merged_health(pj_component *c, pj_health *out)
{
	pthread_mutex_lock(&c->ctl->mu);
	pj_health_copy(out, &c->eval_health);
	if (pj_health_worse(&c->run_health, out))
		pj_health_copy(out, &c->run_health);
	pthread_mutex_unlock(&c->ctl->mu);
	if (c->built && c->type->health) {
		pj_health own = {0};
		c->type->health(c->state, &own);
		if (pj_health_worse(&own, out))
			pj_health_copy(out, &own);
		pj_health_clear(&own);
	}
}
