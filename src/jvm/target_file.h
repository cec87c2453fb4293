#ifndef PJ_JVM_TARGET_FILE_H
#define PJ_JVM_TARGET_FILE_H

/*
 * Taking a file the profiler agent wrote inside a target's filesystem (a JFR
 * recording, a log): read it whole and delete it, through a root descriptor
 * from pj_safe_open_root, without ever following a symlink out of the root
 * or at the file itself (see safe_open.h).
 */

#include <stddef.h>

#include "base/buf.h"

/*
 * Appends the file's content to out and removes the file. A file larger
 * than `max` is removed unread (-EFBIG). Returns 0 or -errno; a symlink at
 * `path` gives -ELOOP and only the link is removed, never what it names.
 */
int pj_target_take_file(int rootfd, const char *path, size_t max, pj_buf *out);

#endif
