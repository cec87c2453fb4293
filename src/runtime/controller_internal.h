#ifndef PJ_RUNTIME_CONTROLLER_INTERNAL_H
#define PJ_RUNTIME_CONTROLLER_INTERNAL_H

/* Private state shared by the controller's files (loader, evaluation, JSON). */

#include <pthread.h>

#include "runtime/controller.h"

/* A dependency edge: this node references `to`. */
typedef struct pj_edge {
	pj_component *to;
	bool capsule; /* referenced through a capsule export (data flows towards `to`) */
} pj_edge;

struct pj_component {
	pj_controller *ctl;
	char *id; /* "discovery.relabel.java" */
	char *label;
	const pj_component_type *type;
	const pj_stmt *block; /* in one of ctl->files */
	const pj_source *src;
	size_t order; /* position in the configuration, for stable evaluation order */
	const char *metric_labels[5];

	pj_edge *deps; /* referencesTo */
	size_t ndeps, deps_cap;
	pj_component **users; /* referencedBy */
	size_t nusers, users_cap;

	/* Touched only with ctl->eval_mu held. */
	void *state;
	bool built;
	pj_value *args;
	pthread_t thread;
	bool thread_started;

	/* Guarded by ctl->mu. */
	pj_value *exports;
	bool queued;
	pj_health eval_health;
	pj_health run_health;
};

struct pj_controller {
	pj_controller_options opts;
	char *module_path;

	pthread_mutex_t eval_mu; /* the graph and every evaluation */
	pthread_mutex_t mu; /* exports, the queue and health */
	pthread_cond_t queue_cv;

	pj_component **nodes; /* the current graph, in configuration order */
	size_t nnodes;
	pj_file **files; /* the files the current graph points into */
	size_t nfiles;
	pj_file **rejected; /* the last load's files if it was rejected (its diagnostics point here) */
	size_t nrejected;

	pj_component **queue; /* components whose exports changed */
	size_t qlen, qcap;

	bool loaded;
	bool running;
	bool stopping;
	pthread_t worker;
	bool worker_started;

	pj_metric *evaluation_seconds; /* alloy_component_evaluation_seconds */
	pj_metric *queue_size; /* alloy_component_evaluation_queue_size */
	pj_metric *running_components[4]; /* alloy_component_controller_running_components, by health */
};

/* loader.c: the next graph, built without touching the running one. */
typedef struct pj_pending_dep {
	size_t index; /* into pj_graph.items */
	bool capsule;
} pj_pending_dep;

typedef struct pj_pending {
	char *id;
	const pj_component_type *type;
	const pj_stmt *block;
	const pj_source *src;
	pj_pending_dep *deps;
	size_t ndeps, deps_cap;
} pj_pending;

typedef struct pj_graph {
	pj_pending *items; /* in configuration order */
	size_t len, cap;
	const pj_stmt *logging; /* the `logging` block, or NULL */
	const pj_source *logging_src;
} pj_graph;

/* Builds the graph of files: components, references, cycle checks. false if diags got errors. */
bool pj_graph_build(const pj_registry *reg, pj_file **files, size_t nfiles, pj_graph *g, pj_diags *diags);
void pj_graph_free(pj_graph *g);
/*
 * Evaluation order: waves of components whose dependencies are all in earlier
 * waves, each wave in configuration order. Caller frees.
 */
size_t *pj_graph_order(const pj_graph *g);

/* controller_metrics.c */
void pj_controller_metrics_register(pj_controller *ctl);
void pj_controller_metrics_unregister(pj_controller *ctl);
void pj_controller_observe_evaluation(pj_controller *ctl, double seconds);

/* controller.c */
pj_component *pj_component_new(pj_controller *ctl, const char *id, const pj_component_type *type);
void pj_component_free(pj_component *c);
/* Calls stop and joins the run thread, if one is running. */
void pj_component_stop_run(pj_component *c);
void pj_files_free(pj_file **files, size_t n);
pj_component *pj_controller_find(pj_controller *ctl, const char *id);
void pj_component_merged_health(pj_component *c, pj_health *out);

#endif
