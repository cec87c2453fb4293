#ifndef PJ_SYNTAX_TOKEN_H
#define PJ_SYNTAX_TOKEN_H

/* Tokens of the Alloy language (spec section 1). */

#include <stddef.h>

#include "syntax/source.h"

typedef enum pj_tok {
	PJ_TOK_ILLEGAL,
	PJ_TOK_EOF,
	PJ_TOK_COMMENT,
	PJ_TOK_TERMINATOR, /* an inserted newline (spec 1.6) */

	PJ_TOK_IDENT,
	PJ_TOK_STRING,
	PJ_TOK_NUMBER,
	PJ_TOK_FLOAT,
	PJ_TOK_BOOL,
	PJ_TOK_NULL,

	PJ_TOK_OR, /* || */
	PJ_TOK_AND, /* && */
	PJ_TOK_NOT, /* ! */
	PJ_TOK_ASSIGN, /* = */
	PJ_TOK_EQ, /* == */
	PJ_TOK_NEQ, /* != */
	PJ_TOK_LT, /* < */
	PJ_TOK_LTE, /* <= */
	PJ_TOK_GT, /* > */
	PJ_TOK_GTE, /* >= */
	PJ_TOK_ADD, /* + */
	PJ_TOK_SUB, /* - */
	PJ_TOK_MUL, /* * */
	PJ_TOK_DIV, /* / */
	PJ_TOK_MOD, /* % */
	PJ_TOK_POW, /* ^ */
	PJ_TOK_LCURLY,
	PJ_TOK_RCURLY,
	PJ_TOK_LPAREN,
	PJ_TOK_RPAREN,
	PJ_TOK_LBRACK,
	PJ_TOK_RBRACK,
	PJ_TOK_COMMA,
	PJ_TOK_DOT,
} pj_tok;

/* How a token prints in messages: its symbol, or IDENT, STRING, TERMINATOR, EOF ... */
const char *pj_tok_name(pj_tok tok);
/* Binary operator precedence, 1 (||) to 6 (^); 0 for anything else (spec 2.2). */
int pj_tok_precedence(pj_tok tok);

#endif
