#ifndef PJ_BASE_FILEIO_H
#define PJ_BASE_FILEIO_H

/* Whole-file reads over an open descriptor, for callers that open files their own way (openat, O_NOFOLLOW). */

#include <stddef.h>

#include "base/buf.h"

/*
 * Reads fd until end of file, appending at most `max` bytes to out (anything
 * beyond is left unread) and retrying reads interrupted by signals; out stays
 * NUL-terminated. Returns 0 or the errno value of the failed read. The caller
 * closes fd.
 */
int pj_read_fd(int fd, pj_buf *out, size_t max);

#endif
