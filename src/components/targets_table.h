#ifndef PJ_COMPONENTS_TARGETS_TABLE_H
#define PJ_COMPONENTS_TARGETS_TABLE_H

/*
 * Targets as an aligned text table for `pyrojava targets`: one row per
 * target, one column per label name seen in any of them. `__process_pid__`
 * comes first, then names in label order, with wide columns (such as a
 * command line) moved to the end, narrowest first, so the short ones stay
 * readable. Control
 * bytes in values are escaped (\n, \t, \xNN) to keep the rows on one line.
 */

#include "base/buf.h"
#include "relabel/labels.h"

void pj_targets_table(const pj_targets *t, pj_buf *out);

#endif
