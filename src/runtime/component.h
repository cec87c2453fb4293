#ifndef PJ_RUNTIME_COMPONENT_H
#define PJ_RUNTIME_COMPONENT_H

/*
 * The component contract. A component type is a plugin registered by name;
 * the controller builds one instance per `<name> "<label>" { ... }` block,
 * calls update when the decoded arguments change, and runs it on its own
 * thread. Instances publish exports whenever they like.
 *
 * Call order, all from the controller's evaluation thread except run:
 *   build -> (update)* -> [run on its own thread] ... stop -> destroy
 * stop is called while run may be executing and must make it return soon;
 * update may also be called while run executes, so a component guards the
 * state the two share.
 */

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "runtime/metrics.h"
#include "runtime/schema.h"
#include "syntax/value.h"

typedef enum pj_health_state {
	PJ_HEALTH_UNKNOWN,
	PJ_HEALTH_HEALTHY,
	PJ_HEALTH_UNHEALTHY,
	PJ_HEALTH_EXITED,
} pj_health_state;

typedef struct pj_health {
	pj_health_state state;
	char *message; /* heap; may be NULL */
	int64_t updated_ns; /* CLOCK_REALTIME nanoseconds */
} pj_health;

/* "unknown", "healthy", "unhealthy", "exited". */
const char *pj_health_state_name(pj_health_state s);
void pj_health_set(pj_health *h, pj_health_state state, const char *message);
void pj_health_copy(pj_health *dst, const pj_health *src);
void pj_health_clear(pj_health *h);
/* True when a is less healthy than b (exited > unhealthy > unknown > healthy; ties: newer). */
bool pj_health_worse(const pj_health *a, const pj_health *b);

/* The runtime's handle on one instance, as the component sees it. */
typedef struct pj_component pj_component;

typedef struct pj_component_type {
	const char *name; /* "discovery.process" */
	const pj_schema *args;
	const pj_schema *exports; /* NULL: no exports */

	/* Returns the instance state, or NULL with *err (heap) set. May call pj_component_export. */
	void *(*build)(pj_component *self, const pj_value *args, char **err);
	/* New arguments (never deep-equal to the previous ones). false + *err keeps the old ones. */
	bool (*update)(void *state, const pj_value *args, char **err);
	/* Runs until stop; NULL when the component has nothing to run. false + *err: exited with error. */
	bool (*run)(void *state, char **err);
	void (*stop)(void *state); /* may be NULL when run is NULL */
	void (*destroy)(void *state);
	/* Optional: the component's own health, merged with the controller's (spec 5.5). */
	void (*health)(void *state, pj_health *out);
	/* Optional: appends a JSON body (array of statements, spec 12.4) describing live state. */
	void (*debug_info)(void *state, pj_buf *json);
} pj_component_type;

/*
 * Publishes new exports (takes the reference). Deep-equal exports are
 * ignored; otherwise the component's direct dependants are re-evaluated.
 * Safe from any thread.
 */
void pj_component_export(pj_component *c, pj_value *exports);
/* "discovery.process.local" */
const char *pj_component_id(const pj_component *c);
/* The process's metrics registry (NULL when metrics are off, e.g. in validate). */
pj_metrics *pj_component_metrics(const pj_component *c);
/*
 * Constant labels for this component's metrics, as Alloy adds them:
 * {"component_path", "/", "component_id", <id>, NULL}. Valid while c lives.
 */
const char *const *pj_component_metric_labels(const pj_component *c);

/* The set of known component types. */
typedef struct pj_registry pj_registry;

pj_registry *pj_registry_new(void);
void pj_registry_free(pj_registry *r);
/* Registers a type (kept by pointer). Returns false if the name is taken. */
bool pj_registry_add(pj_registry *r, const pj_component_type *type);
const pj_component_type *pj_registry_find(const pj_registry *r, const char *name);
/* Calls fn for every registered type, in registration order. */
void pj_registry_each(const pj_registry *r, void (*fn)(const pj_component_type *type, void *ctx), void *ctx);

#endif
