#ifndef PJ_PROFILE_GZIP_H
#define PJ_PROFILE_GZIP_H

/*
 * In-memory gzip compression, the counterpart of gunzip.h: profiles are sent
 * and stored gzipped, with mtime 0 so equal input gives equal bytes.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* Appends the gzip of data to out. False only if zlib fails to initialise. */
bool gzip_buf(const void *data, size_t len, pj_buf *out);

#endif
