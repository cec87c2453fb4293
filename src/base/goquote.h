#ifndef PJ_BASE_GOQUOTE_H
#define PJ_BASE_GOQUOTE_H

/*
 * Go's string quoting rules, reproduced because Alloy users see them in every
 * log line and error message: strconv.Quote (what `%q` prints) and the logfmt
 * rule from log/slog's text handler for when a value needs quotes at all.
 * Printability comes from Go's own tables (base/unicode.h).
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* Appends text the way Go's %q prints it: double quotes, Go escapes, printable runes kept. */
void pj_quote_go(pj_buf *out, const char *text, size_t len);
/* True when slog's text handler would quote this value (empty, space, '=', '"', controls). */
bool pj_go_needs_quoting(const char *s, size_t len);

#endif
