#ifndef PJ_SYNTAX_QUOTE_H
#define PJ_SYNTAX_QUOTE_H

/*
 * Go-compatible string unquoting for Alloy literals; quoting (pj_quote_go)
 * lives in base/goquote.h and is re-exported here for the syntax callers.
 */

#include <stddef.h>

#include "base/buf.h"
#include "base/goquote.h"

/*
 * Decodes a string literal (with its quotes) into out. "..." literals follow
 * Go's strconv.Unquote; `...` literals are taken as written minus CR bytes.
 * Malformed escapes (already reported by the scanner) are copied as written.
 */
void pj_unquote(pj_buf *out, const char *lit, size_t len);

#endif
