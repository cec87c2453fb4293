/*
 * Evaluation: the scope of component exports, decoding a component's block,
 * build/update, applying a new graph and the export-change cascade.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "runtime/controller_internal.h"
#include "syntax/eval.h"

/* A name tree of component IDs; the leaves hold exports. */
typedef struct pj_scope_node {
	char *name;
	pj_value *leaf;
	struct pj_scope_node *kids;
	size_t nkids, cap;
} pj_scope_node;

static pj_scope_node *pj_scope_child(pj_scope_node *n, const char *name, size_t len)
{
	for (size_t i = 0; i < n->nkids; i++) {
		if (strlen(n->kids[i].name) == len && memcmp(n->kids[i].name, name, len) == 0)
			return &n->kids[i];
	}
	n->kids = pj_grow(n->kids, &n->cap, n->nkids + 1, sizeof(*n->kids));
	pj_scope_node *k = &n->kids[n->nkids++];
	memset(k, 0, sizeof(*k));
	k->name = pj_strndup(name, len);
	return k;
}

static pj_value *pj_scope_value(pj_scope_node *n)
{
	pj_value *v;
	if (n->leaf) {
		v = pj_value_ref(n->leaf);
	} else {
		v = pj_object_new();
		for (size_t i = 0; i < n->nkids; i++)
			pj_object_set(v, n->kids[i].name, pj_scope_value(&n->kids[i]));
	}
	return v;
}

static void pj_scope_free(pj_scope_node *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		pj_scope_free(&n->kids[i]);
	free(n->kids);
	free(n->name);
	pj_value_unref(n->leaf);
}

/* {discovery = {relabel = {java = <exports>}}, module_path = "..."} from the current exports. */
static pj_value *pj_build_scope(pj_controller *ctl)
{
	pj_scope_node root = {0};
	pthread_mutex_lock(&ctl->mu);
	for (size_t i = 0; i < ctl->nnodes; i++) {
		pj_scope_node *n = &root;
		const char *id = ctl->nodes[i]->id;
		while (*id) {
			size_t len = strcspn(id, ".");
			n = pj_scope_child(n, id, len);
			id += len + (id[len] == '.');
		}
		pj_value_unref(n->leaf);
		n->leaf = pj_value_ref(ctl->nodes[i]->exports);
	}
	pthread_mutex_unlock(&ctl->mu);
	pj_value *scope = pj_scope_value(&root);
	pj_scope_free(&root);
	pj_object_set(scope, "module_path", pj_cstring(ctl->module_path));
	return scope;
}

static void pj_set_eval_health(pj_component *c, pj_health_state state, const char *msg)
{
	pthread_mutex_lock(&c->ctl->mu);
	pj_health_set(&c->eval_health, state, msg);
	pthread_mutex_unlock(&c->ctl->mu);
}

static void *pj_component_thread(void *arg)
{
	pj_component *c = arg;
	char *err = NULL;
	bool ok = c->type->run(c->state, &err);
	pthread_mutex_lock(&c->ctl->mu);
	if (ok) {
		pj_health_set(&c->run_health, PJ_HEALTH_EXITED, "component shut down cleanly");
	} else {
		char *msg = pj_asprintf("component shut down with error: %s", err ? err : "unknown error");
		pj_health_set(&c->run_health, PJ_HEALTH_EXITED, msg);
		free(msg);
	}
	pthread_mutex_unlock(&c->ctl->mu);
	if (!ok)
		pj_log(PJ_LOG_ERROR, c->id, "component exited with error", "err", err ? err : "unknown error", NULL);
	free(err);
	return NULL;
}

static void pj_component_start(pj_component *c)
{
	if (!c->built || c->thread_started)
		return;
	pthread_mutex_lock(&c->ctl->mu);
	pj_health_set(&c->run_health, PJ_HEALTH_HEALTHY, "started component");
	pthread_mutex_unlock(&c->ctl->mu);
	if (!c->type->run)
		return;
	if (pthread_create(&c->thread, NULL, pj_component_thread, c) != 0) {
		pthread_mutex_lock(&c->ctl->mu);
		pj_health_set(&c->run_health, PJ_HEALTH_EXITED, "component shut down with error: cannot start thread");
		pthread_mutex_unlock(&c->ctl->mu);
		return;
	}
	c->thread_started = true;
}

/* Build or update with fresh arguments. Returns the error text (heap) or NULL. */
static char *pj_apply_args(pj_controller *ctl, pj_component *c, pj_value *args)
{
	char *err = NULL;
	if (ctl->opts.validate_only) {
		pj_value_unref(c->args);
		c->args = args;
		return NULL;
	}
	if (!c->built) {
		void *state = c->type->build(c, args, &err);
		if (!state) {
			pj_value_unref(args);
			char *msg = pj_asprintf("building component: %s", err ? err : "unknown error");
			free(err);
			return msg;
		}
		c->state = state;
		c->built = true;
		c->args = args;
		if (ctl->running)
			pj_component_start(c);
		return NULL;
	}
	if (c->args && pj_value_equal(c->args, args)) {
		pj_value_unref(args);
		return NULL;
	}
	if (c->type->update && !c->type->update(c->state, args, &err)) {
		pj_value_unref(args);
		char *msg = pj_asprintf("updating component: %s", err ? err : "unknown error");
		free(err);
		return msg;
	}
	pj_value_unref(c->args);
	c->args = args;
	return NULL;
}

/*
 * Evaluates one component. On failure returns false and fills *derr: a
 * positioned decode diagnostic, or an unpositioned message that the caller
 * wraps as Alloy does ("Failed to build component: ...").
 */
static bool pj_evaluate_once(pj_controller *ctl, pj_component *c, pj_decode_error *derr)
{
	pj_value *scope = pj_build_scope(ctl);
	pj_value *args = pj_decode_body(c->type->args, &c->block->body, scope, c->src, derr);
	pj_value_unref(scope);
	char *msg = NULL;
	if (!args) {
		if (!derr->positioned) {
			char *wrapped = pj_asprintf("decoding configuration: %s", derr->message);
			free(derr->message);
			derr->message = wrapped;
		}
		msg = pj_strdup(derr->message);
	} else {
		msg = pj_apply_args(ctl, c, args);
		if (msg) {
			derr->positioned = false;
			derr->message = pj_strdup(msg);
		}
	}
	if (!msg) {
		pj_set_eval_health(c, PJ_HEALTH_HEALTHY, "component evaluated");
		return true;
	}
	char *health = pj_asprintf("component evaluation failed: %s", msg);
	pj_set_eval_health(c, PJ_HEALTH_UNHEALTHY, health);
	free(health);
	free(msg);
	return false;
}

/* The same, timed for alloy_component_evaluation_seconds. */
static bool pj_evaluate(pj_controller *ctl, pj_component *c, pj_decode_error *derr)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool ok = pj_evaluate_once(ctl, c, derr);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pj_controller_observe_evaluation(ctl, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return ok;
}

static void pj_report(pj_component *c, pj_decode_error *derr, pj_diags *diags)
{
	if (derr->positioned) {
		pj_diags_add(diags, PJ_SEV_ERROR, derr->src, derr->span, "%s", derr->message);
		return;
	}
	pj_diags_add(diags, PJ_SEV_ERROR, c->src, c->block->span, "Failed to build component: %s", derr->message);
}

static bool pj_check_log_level(const pj_value *v, char **err)
{
	size_t len;
	const char *s = pj_value_str(v, &len);
	pj_log_level level;
	return pj_log_parse_level(s, &level, err);
}

static bool pj_check_log_format(const pj_value *v, char **err)
{
	size_t len;
	const char *s = pj_value_str(v, &len);
	pj_log_format format;
	return pj_log_parse_format(s, &format, err);
}

static const pj_type pj_type_log_receivers = {PJ_TYPE_LIST, &pj_type_any, NULL};

static const pj_attr_schema pj_logging_attrs[] = {
	{"level", &pj_type_string, "\"info\"", false, pj_check_log_level},
	{"format", &pj_type_string, "\"logfmt\"", false, pj_check_log_format},
	{"destination", &pj_type_string, "\"stderr\"", false, NULL},
	{"write_to", &pj_type_log_receivers, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};

static const pj_schema pj_logging_schema = {pj_logging_attrs, NULL, NULL};

/* The `logging` config block (spec 5.1); absent means the defaults. */
static bool pj_evaluate_logging(pj_controller *ctl, const pj_graph *g, pj_diags *diags)
{
	pj_value *args;
	if (g->logging) {
		pj_value *scope = pj_build_scope(ctl);
		pj_decode_error derr;
		args = pj_decode_body(&pj_logging_schema, &g->logging->body, scope, g->logging_src, &derr);
		pj_value_unref(scope);
		if (!args) {
			pj_diags_add(diags, PJ_SEV_ERROR, g->logging_src, g->logging->span,
				"Failed to evaluate node for config block: decoding configuration: %s", derr.message);
			pj_decode_error_clear(&derr);
			return false;
		}
	} else {
		args = pj_schema_defaults(&pj_logging_schema);
	}
	size_t len;
	pj_log_level level = PJ_LOG_INFO;
	pj_log_format format = PJ_LOG_LOGFMT;
	char *err = NULL;
	/* Both were checked while decoding; the parse only maps the text. */
	pj_log_parse_level(pj_value_str(pj_object_get(args, "level"), &len), &level, &err);
	free(err);
	err = NULL;
	pj_log_parse_format(pj_value_str(pj_object_get(args, "format"), &len), &format, &err);
	free(err);
	if (ctl->opts.configure_logger)
		pj_log_configure(level, format);
	pj_value_unref(args);
	return true;
}

static void pj_link(pj_component *from, pj_component *to, bool capsule)
{
	from->deps = pj_grow(from->deps, &from->deps_cap, from->ndeps + 1, sizeof(*from->deps));
	from->deps[from->ndeps].to = to;
	from->deps[from->ndeps].capsule = capsule;
	from->ndeps++;
	to->users = pj_grow(to->users, &to->users_cap, to->nusers + 1, sizeof(*to->users));
	to->users[to->nusers++] = from;
}

/* Swaps in the nodes of g: reuses components by ID, frees the ones that are gone. */
static void pj_commit(pj_controller *ctl, const pj_graph *g)
{
	pj_component **next = pj_calloc(g->len ? g->len : 1, sizeof(*next));
	bool *kept = pj_calloc(ctl->nnodes ? ctl->nnodes : 1, sizeof(bool));
	for (size_t i = 0; i < g->len; i++) {
		pj_component *c = pj_controller_find(ctl, g->items[i].id);
		if (c) {
			kept[c->order] = true;
		} else {
			c = pj_component_new(ctl, g->items[i].id, g->items[i].type);
		}
		next[i] = c;
	}
	for (size_t i = 0; i < ctl->nnodes; i++) {
		if (!kept[i])
			pj_component_free(ctl->nodes[i]);
	}
	free(kept);
	pthread_mutex_lock(&ctl->mu);
	free(ctl->nodes);
	ctl->nodes = next;
	ctl->nnodes = g->len;
	for (size_t i = 0; i < g->len; i++) {
		next[i]->block = g->items[i].block;
		next[i]->src = g->items[i].src;
		next[i]->order = i;
		next[i]->ndeps = next[i]->nusers = 0;
	}
	pthread_mutex_unlock(&ctl->mu);
	for (size_t i = 0; i < g->len; i++) {
		for (size_t d = 0; d < g->items[i].ndeps; d++)
			pj_link(next[i], next[g->items[i].deps[d].index], g->items[i].deps[d].capsule);
	}
}

bool pj_controller_load(pj_controller *ctl, pj_file **files, size_t nfiles, pj_diags *diags)
{
	pj_graph g;
	pthread_mutex_lock(&ctl->eval_mu);
	/* Diagnostics point into the files, so rejected ones live until the next load. */
	pj_files_free(ctl->rejected, ctl->nrejected);
	ctl->rejected = NULL;
	ctl->nrejected = 0;
	pthread_mutex_unlock(&ctl->eval_mu);
	if (!pj_graph_build(ctl->opts.registry, files, nfiles, &g, diags)) {
		pj_graph_free(&g);
		pthread_mutex_lock(&ctl->eval_mu);
		ctl->rejected = files;
		ctl->nrejected = nfiles;
		pthread_mutex_unlock(&ctl->eval_mu);
		return false;
	}
	pthread_mutex_lock(&ctl->eval_mu);
	pj_file **old_files = ctl->files;
	size_t old_nfiles = ctl->nfiles;
	pj_commit(ctl, &g);
	ctl->files = files;
	ctl->nfiles = nfiles;
	bool ok = pj_evaluate_logging(ctl, &g, diags);
	size_t *order = pj_graph_order(&g);
	for (size_t k = 0; k < g.len; k++) {
		pj_component *c = ctl->nodes[order[k]];
		pj_decode_error derr;
		if (!pj_evaluate(ctl, c, &derr)) {
			pj_report(c, &derr, diags);
			pj_log(PJ_LOG_ERROR, c->id, "failed to evaluate config", "err", derr.message, NULL);
			pj_decode_error_clear(&derr);
			ok = false;
		}
	}
	free(order);
	pj_graph_free(&g);
	if (ok)
		ctl->loaded = true;
	pthread_mutex_unlock(&ctl->eval_mu);
	pj_files_free(old_files, old_nfiles);
	return ok;
}

/* Takes the queued batch and evaluates the direct dependants of each, once. */
static bool pj_process_batch(pj_controller *ctl)
{
	pthread_mutex_lock(&ctl->mu);
	size_t n = ctl->qlen;
	pj_component **batch = ctl->queue;
	for (size_t i = 0; i < n; i++)
		batch[i]->queued = false;
	ctl->queue = NULL;
	ctl->qlen = ctl->qcap = 0;
	pthread_mutex_unlock(&ctl->mu);
	if (n == 0) {
		free(batch);
		return false;
	}
	bool *todo = pj_calloc(ctl->nnodes ? ctl->nnodes : 1, sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		for (size_t u = 0; u < batch[i]->nusers; u++)
			todo[batch[i]->users[u]->order] = true;
	}
	free(batch);
	for (size_t i = 0; i < ctl->nnodes; i++) {
		if (!todo[i])
			continue;
		pj_decode_error derr;
		if (!pj_evaluate(ctl, ctl->nodes[i], &derr)) {
			pj_log(PJ_LOG_ERROR, ctl->nodes[i]->id, "failed to evaluate config", "err", derr.message, NULL);
			pj_decode_error_clear(&derr);
		}
	}
	free(todo);
	return true;
}

void pj_controller_flush(pj_controller *ctl)
{
	pthread_mutex_lock(&ctl->eval_mu);
	while (pj_process_batch(ctl))
		;
	pthread_mutex_unlock(&ctl->eval_mu);
}

static void *pj_worker_main(void *arg)
{
	pj_controller *ctl = arg;
	for (;;) {
		pthread_mutex_lock(&ctl->mu);
		while (!ctl->stopping && ctl->qlen == 0)
			pthread_cond_wait(&ctl->queue_cv, &ctl->mu);
		bool stop = ctl->stopping;
		pthread_mutex_unlock(&ctl->mu);
		if (stop)
			return NULL;
		pj_controller_flush(ctl);
	}
}

void pj_controller_start(pj_controller *ctl)
{
	pthread_mutex_lock(&ctl->eval_mu);
	ctl->running = true;
	ctl->stopping = false;
	for (size_t i = 0; i < ctl->nnodes; i++)
		pj_component_start(ctl->nodes[i]);
	pthread_mutex_unlock(&ctl->eval_mu);
	if (!ctl->opts.manual_flush && !ctl->worker_started)
		ctl->worker_started = pthread_create(&ctl->worker, NULL, pj_worker_main, ctl) == 0;
}

void pj_controller_stop(pj_controller *ctl)
{
	pthread_mutex_lock(&ctl->mu);
	ctl->stopping = true;
	pthread_cond_broadcast(&ctl->queue_cv);
	pthread_mutex_unlock(&ctl->mu);
	if (ctl->worker_started) {
		pthread_join(ctl->worker, NULL);
		ctl->worker_started = false;
	}
	pthread_mutex_lock(&ctl->eval_mu);
	ctl->running = false;
	/* Ask everyone first, then wait: slow stops overlap instead of adding up. */
	for (size_t i = 0; i < ctl->nnodes; i++) {
		pj_component *c = ctl->nodes[i];
		if (c->thread_started && c->type->stop)
			c->type->stop(c->state);
	}
	for (size_t i = 0; i < ctl->nnodes; i++) {
		pj_component *c = ctl->nodes[i];
		if (c->thread_started) {
			pthread_join(c->thread, NULL);
			c->thread_started = false;
		}
	}
	pthread_mutex_unlock(&ctl->eval_mu);
}
