#ifndef PJ_PROFILE_PPROF_FOLD_H
#define PJ_PROFILE_PPROF_FOLD_H

/*
 * Folded stacks of an encoded pprof Profile, the text flame-graph tools and
 * `pyrojava convert --format collapsed` use: one "root;caller;leaf value"
 * line per distinct stack, in order of first appearance, with the value of
 * the first sample type summed over identical stacks.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/*
 * Appends the folded stacks of data (a raw, not gzipped, Profile message).
 * Unknown functions print as "?". False when data is not a well-formed
 * message or the text would exceed max_out bytes.
 */
bool pprof_fold(const void *data, size_t len, size_t max_out, pj_buf *out);

#endif
