#ifndef PJ_CLI_LOAD_H
#define PJ_CLI_LOAD_H

/* Loading a configuration path for `run` and `validate`. */

#include <stdbool.h>

#include "runtime/component.h"
#include "runtime/controller.h"
#include "syntax/diag.h"

/* Every component type the binary ships. */
pj_registry *pj_builtin_registry(void);

/* The directory of a configuration path (the path itself for a directory), for `module_path`. */
char *pj_cli_module_path(const char *path);

/* Name of the built-in configuration in diagnostics and logs. */
#define PJ_CLI_DEFAULT_NAME "<built-in default>"

/* The built-in configuration (examples/local-default.alloy), used when no path is given. */
const char *pj_cli_default_config(size_t *len);

/* Reads and applies path (NULL: the built-in configuration); errors go to diags. */
bool pj_cli_load(pj_controller *ctl, const char *path, pj_diags *diags);

/* Prints diagnostics in Alloy's layout, then "Error: could not perform the initial load successfully". */
void pj_cli_print_load_failure(const pj_diags *diags);

/* "pos: message" lines, for log fields and HTTP answers. Caller frees. */
char *pj_cli_diags_text(const pj_diags *diags);

#endif
