#ifndef PJ_SYNTAX_SCANNER_H
#define PJ_SYNTAX_SCANNER_H

/*
 * The Alloy scanner (spec section 1): turns a source into tokens, inserting
 * TERMINATOR tokens at line ends the way Go inserts semicolons, and reports
 * every lexical error it meets. It never stops early: after an error it
 * still returns the most plausible token so the parser can carry on.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syntax/diag.h"
#include "syntax/source.h"
#include "syntax/token.h"

typedef struct pj_token {
	pj_tok tok;
	pj_span span; /* the token's bytes; a TERMINATOR spans its newline, or nothing */
} pj_token;

typedef struct pj_scanner {
	const pj_source *src;
	const unsigned char *in;
	size_t len;
	pj_diags *diags; /* lexical errors go here */
	bool comments; /* return COMMENT tokens instead of skipping them */

	int32_t ch; /* current character, -1 at the end */
	size_t off; /* byte offset of ch */
	size_t roff; /* byte offset after ch */
	bool insert_term; /* a newline here would end a statement */
	size_t nerrors;
} pj_scanner;

void pj_scanner_init(pj_scanner *s, const pj_source *src, pj_diags *diags, bool comments);
pj_token pj_scanner_next(pj_scanner *s);

/* The token's source text. */
static inline const char *pj_token_text(const pj_scanner *s, pj_token t, size_t *len)
{
	*len = t.span.end - t.span.start;
	return (const char *)s->in + t.span.start;
}

/* True when text is one identifier (used for block labels). */
bool pj_scanner_is_identifier(const char *text, size_t len);

#endif
