#ifndef PJ_SYNTAX_EVAL_H
#define PJ_SYNTAX_EVAL_H

/*
 * The evaluator: expressions to values (spec section 3), with the standard
 * library (section 4) as the scope of last resort.
 */

#include "syntax/ast.h"
#include "syntax/diag.h"
#include "syntax/value.h"

/*
 * Evaluates expr. Identifiers are looked up first in `scope` (an object value,
 * may be NULL), then in the standard library. On error returns NULL and adds
 * one diagnostic, positioned on the offending expression and worded as
 * Alloy's evaluator words it (spec 3.5), to diags.
 */
pj_value *pj_eval(const pj_expr *expr, const pj_value *scope, const pj_source *src, pj_diags *diags);

/* The standard library as one object value: {sys = {env = f}, string = {...}, coalesce = f, ...}. */
const pj_value *pj_stdlib(void);
/* Whether a root-level stdlib name is a deprecated alias (Alloy warns when one is used). */
bool pj_stdlib_deprecated(const char *name);

/* The identifier chains an expression references (spec 5.2), e.g. "discovery.relabel.java.output". */
typedef struct pj_ref {
	const char *path; /* dotted chain, heap-allocated */
	pj_span span;
} pj_ref;

typedef struct pj_refs {
	pj_ref *items;
	size_t len;
	size_t cap;
} pj_refs;

/* Appends every identifier chain in expr to refs (chains stop at [..] and (..)). */
void pj_collect_refs(const pj_expr *expr, pj_refs *refs);
/* Same for every expression in a block body, recursively. */
void pj_collect_body_refs(const pj_body *body, pj_refs *refs);
void pj_refs_free(pj_refs *refs);

#endif
