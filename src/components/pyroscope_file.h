#ifndef PJ_COMPONENTS_PYROSCOPE_FILE_H
#define PJ_COMPONENTS_PYROSCOPE_FILE_H

/* pyroscope.file (pyrojava's own): stores received profiles on disk (docs/pyroscope.file.md). */

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "runtime/component.h"

extern const pj_component_type pj_pyroscope_file_type;

/*
 * The name of a pprof profile's first sample type ("cpu", "alloc_in_new_tlab_objects"),
 * appended to out; false if data (raw, not gzipped) is not a pprof with one.
 */
bool pj_pprof_first_sample_type(const void *data, size_t len, pj_buf *out);

#endif
