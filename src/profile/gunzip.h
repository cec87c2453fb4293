#ifndef PJ_PROFILE_GUNZIP_H
#define PJ_PROFILE_GUNZIP_H

/*
 * In-memory gzip decompression for recordings and profiles that may or may
 * not be compressed: callers sniff the magic bytes and inflate only then.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* True if data starts with the gzip magic 1f 8b. */
bool gunzip_is_gzip(const uint8_t *data, size_t len);

/*
 * Inflates all gzip members in data, appending to out, and stops with an
 * error once more than max_out bytes would result. Returns false with *err
 * (heap string, free() it) on corrupt or truncated input.
 */
bool gunzip_buf(const uint8_t *data, size_t len, size_t max_out, pj_buf *out, char **err);

#endif
