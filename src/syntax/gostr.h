#ifndef PJ_SYNTAX_GOSTR_H
#define PJ_SYNTAX_GOSTR_H

/*
 * Text primitives that behave like Go's standard library, because Alloy's
 * values are Go values and users see Go's renderings of them:
 * strconv.FormatFloat and the shortest round-tripping float digits. Private
 * to src/syntax.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/*
 * The shortest decimal digits that read back as f (f finite, not negative
 * zero handled by the caller): digits[0..nd) with the decimal point after
 * `dp` digits, i.e. value = 0.d1d2... * 10^dp.
 */
int pj_float_shortest(double f, char digits[32], int *dp);

/*
 * strconv.FormatFloat(f, fmt, prec, 64) for fmt 'f', 'e' or 'g' and prec -1
 * (shortest) or >= 0. NaN, +Inf and -Inf print as Go prints them.
 */
void pj_go_format_float(pj_buf *out, double f, char fmt, int prec);

#endif
