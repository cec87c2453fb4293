#ifndef PJ_BASE_GOQUOTE_H
#define PJ_BASE_GOQUOTE_H

/*
 * Go's string quoting rules, reproduced because Alloy users see them in every
 * log line and error message: strconv.Quote (what `%q` prints) and the logfmt
 * rule from log/slog's text handler for when a value needs quotes at all.
 *
 * Unicode classes are approximated: valid non-ASCII UTF-8 counts as printable
 * except the C1 controls, the Unicode spaces and a few invisible formatting
 * characters, which is where Go's tables matter for log output.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* Appends s[0..len) in double quotes with Go escapes (strconv.Quote). */
void pj_buf_put_goquoted(pj_buf *b, const char *s, size_t len);
/* True when slog's text handler would quote this value (empty, space, '=', '"', controls). */
bool pj_go_needs_quoting(const char *s, size_t len);

#endif
