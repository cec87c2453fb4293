#ifndef PJ_SYNTAX_QUOTE_H
#define PJ_SYNTAX_QUOTE_H

/* Go-compatible string quoting and unquoting, as Alloy's messages and literals use them. */

#include <stddef.h>

#include "base/buf.h"

/* Appends text the way Go's %q prints it: double quotes, Go escapes, printable runes kept. */
void pj_quote_go(pj_buf *out, const char *text, size_t len);

/*
 * Decodes a string literal (with its quotes) into out. "..." literals follow
 * Go's strconv.Unquote; `...` literals are taken as written minus CR bytes.
 * Malformed escapes (already reported by the scanner) are copied as written.
 */
void pj_unquote(pj_buf *out, const char *lit, size_t len);

#endif
