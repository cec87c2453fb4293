#ifndef PJ_SYNTAX_DIAG_H
#define PJ_SYNTAX_DIAG_H

/*
 * Diagnostics: every error and warning found while reading, evaluating or
 * loading a configuration, printed in Alloy's layout (spec section 6).
 */

#include <stdbool.h>
#include <stdio.h>

#include "syntax/source.h"

typedef enum pj_severity {
	PJ_SEV_ERROR,
	PJ_SEV_WARN,
} pj_severity;

typedef struct pj_diag {
	pj_severity severity;
	const pj_source *src; /* NULL: no position, printed as "-" */
	pj_span span; /* end is exclusive; start == end marks a single column */
	char *message;
} pj_diag;

typedef struct pj_diags {
	pj_diag *items;
	size_t len;
	size_t cap;
} pj_diags;

#define PJ_DIAGS_INIT {NULL, 0, 0}

void pj_diags_add(pj_diags *d, pj_severity sev, const pj_source *src, pj_span span,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));
bool pj_diags_has_errors(const pj_diags *d);
/* Appends all of src's diagnostics to dst and empties src. */
void pj_diags_move(pj_diags *dst, pj_diags *src);
/* "file:line:col", "line:col" or "-". Caller frees. */
char *pj_diag_position(const pj_diag *diag);
/* Full report: header, source excerpt with carets, blank line between diagnostics. */
void pj_diags_print(const pj_diags *d, FILE *out, bool color);
/* Whether output to `out` should be coloured: a terminal, TERM not "dumb", NO_COLOR unset. */
bool pj_diags_want_color(FILE *out);
/* One "pos: message" line per diagnostic (what `fmt` prints). */
void pj_diags_print_brief(const pj_diags *d, FILE *out);
void pj_diags_free(pj_diags *d);

#endif
