#ifndef PJ_SYNTAX_GOFMT_H
#define PJ_SYNTAX_GOFMT_H

/*
 * One value formatted the way Go's fmt formats the Go value Alloy's decoder
 * makes of it: numbers stay int, uint64 or float64, arrays are
 * []interface{}, objects map[string]interface{}. Private to src/syntax;
 * string.format parses the directives and calls this for each argument.
 */

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "syntax/value.h"

typedef struct pj_gofmt_spec {
	bool minus, plus, sharp, space, zero;
	bool sharp_v; /* %#v: Go syntax */
	int width, prec; /* -1 when absent */
	int32_t verb;
} pj_gofmt_spec;

/* Formats v for one directive; a verb that does not fit writes %!verb(type=value). */
void pj_gofmt_value(pj_buf *out, const pj_value *v, const pj_gofmt_spec *sp);
/* Go's name of v's type, as %T and the error markers print it. */
const char *pj_gofmt_type(const pj_value *v);
/* Pads text to the width with spaces (or zeros with the 0 flag). */
void pj_gofmt_pad(pj_buf *out, const char *s, size_t len, const pj_gofmt_spec *sp);

#endif
