#ifndef PJ_BASE_BASE64_H
#define PJ_BASE_BASE64_H

/* Padded base64 encoding (RFC 4648), as Go's base64.StdEncoding and URLEncoding write it. */

#include <stddef.h>

#include "base/buf.h"

extern const char pj_base64_std[]; /* A-Z a-z 0-9 + / */
extern const char pj_base64_url[]; /* A-Z a-z 0-9 - _ */

/* Appends s[0..len) encoded with the 64-letter `alphabet`, padded with '='. */
void pj_base64_encode(pj_buf *out, const void *s, size_t len, const char *alphabet);

#endif
