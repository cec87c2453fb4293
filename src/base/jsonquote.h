#ifndef PJ_BASE_JSONQUOTE_H
#define PJ_BASE_JSONQUOTE_H

/*
 * JSON string literals the way Go writes them, because Alloy's HTTP API,
 * encoding.to_json and the JSON log format are all produced by Go: quotes,
 * backslashes, controls and U+2028/U+2029 are escaped and each invalid UTF-8
 * byte is written as \ufffd, with the differences the flags below select.
 */

#include <stddef.h>

#include "base/buf.h"

/* How the Go encoder being matched differs from the plain rules above. */
enum {
	PJ_JSON_HTML_SAFE = 1, /* <, > and & as \u003c, \u003e, \u0026: encoding/json's default */
	PJ_JSON_SHORT_BF = 2, /* \b and \f rather than \u0008, \u000c: encoding/json since Go 1.22 */
	PJ_JSON_RAW_FFFD = 4, /* an invalid byte as the character U+FFFD rather than the \ufffd escape */
};

#define PJ_JSON_ENCODING (PJ_JSON_HTML_SAFE | PJ_JSON_SHORT_BF) /* encoding/json.Marshal */
#define PJ_JSON_SLOG 0 /* log/slog's JSON handler */

/* Appends s[0..len) as a double-quoted JSON string. */
void pj_json_quote(pj_buf *out, const char *s, size_t len, unsigned flags);

#endif
