/* Text results of actions: written to `file=`, or the JVM's stdout without one. */
#ifndef AG_OUTPUT_H
#define AG_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "args.h"
#include "storage.h"

/* Whether the directory of `path` accepts new files (checked before start). */
bool ag_output_dir_writable(const char *path);
bool ag_output_string(const char *file, const char *text, char *err, size_t errlen);
/* A window as collapsed stacks or async-profiler's plain-text summary. */
bool ag_output_text(ag_window *w, ag_output fmt, const char *file, bool threads, char *err,
	size_t errlen);

#endif
