#ifndef PJ_RUNTIME_CONTROLLER_H
#define PJ_RUNTIME_CONTROLLER_H

/*
 * The component controller: loads a configuration into a graph of
 * components, evaluates it in dependency order, keeps it running and
 * re-evaluates dependants when exports change (spec 5). Also answers the
 * questions the HTTP server asks (ready, healthy, components JSON, 12.3/12.4).
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "runtime/component.h"
#include "runtime/log.h"
#include "syntax/ast.h"
#include "syntax/diag.h"

typedef struct pj_controller pj_controller;

typedef struct pj_controller_options {
	const pj_registry *registry;
	/* Decode arguments only: nothing is built or run (`pyrojava validate`). */
	bool validate_only;
	/*
	 * Export changes are only processed by pj_controller_flush, on the
	 * caller's thread; no evaluation thread is started. For tests.
	 */
	bool manual_flush;
	/* Directory of the configuration path, for `module_path`. May be NULL. */
	const char *module_path;
	/* Apply the `logging` block to the process logger (pj_log_configure); off in tests. */
	bool configure_logger;
	/* Registry for the controller's and components' metrics; may be NULL. */
	pj_metrics *metrics;
} pj_controller_options;

pj_controller *pj_controller_new(const pj_controller_options *opts);
/* Stops everything (as pj_controller_stop) and frees the graph and the files. */
void pj_controller_free(pj_controller *ctl);

/*
 * Reads a configuration path: a file, or a directory whose top-level
 * *.alloy files are parsed in name order. Appends the parsed files to
 * *files (caller owns them) and any read or syntax errors to diags.
 * Returns false if there were errors.
 */
bool pj_config_read(const char *path, pj_file ***files, size_t *nfiles, pj_diags *diags);

/*
 * Applies a configuration, taking ownership of the files (also on failure;
 * the diagnostics point into them and stay valid until the next load).
 * Errors in top-level structure, references or cycles leave the current
 * graph untouched. Evaluation errors still apply the new graph, with failing
 * components unhealthy on their last good arguments. Returns false if any
 * error was added to diags.
 */
bool pj_controller_load(pj_controller *ctl, pj_file **files, size_t nfiles, pj_diags *diags);

/* Starts every built component's run function, and the evaluation thread unless manual_flush. */
void pj_controller_start(pj_controller *ctl);
/* Evaluates dependants of components whose exports changed, until nothing is queued. */
void pj_controller_flush(pj_controller *ctl);
/* Stops all components (stop, then join their threads) and the evaluation thread. */
void pj_controller_stop(pj_controller *ctl);

/* True once a load has succeeded (`/-/ready`). */
bool pj_controller_ready(pj_controller *ctl);
/*
 * True if no component is unhealthy; otherwise appends the unhealthy
 * components' names ("discovery.relabel"), joined with ", ", to names.
 */
bool pj_controller_healthy(pj_controller *ctl, pj_buf *names);
/* The merged health of one component; false if the ID is unknown. Caller clears out. */
bool pj_controller_health(pj_controller *ctl, const char *id, pj_health *out);
/* The current arguments of a component (new reference), or NULL. */
pj_value *pj_controller_args(pj_controller *ctl, const char *id);
/* The current exports of a component (new reference), or NULL. */
pj_value *pj_controller_exports(pj_controller *ctl, const char *id);

/* JSON array of every component, health only (`/api/v0/web/components`). */
void pj_controller_components_json(pj_controller *ctl, pj_buf *out);
/* JSON object of one component with arguments, exports and debug info; false if unknown (404). */
bool pj_controller_component_json(pj_controller *ctl, const char *id, pj_buf *out);

#endif
