#include "syntax/token.h"

static const char *const pj_tok_names[] = {
	[PJ_TOK_ILLEGAL] = "ILLEGAL",
	[PJ_TOK_EOF] = "EOF",
	[PJ_TOK_COMMENT] = "COMMENT",
	[PJ_TOK_TERMINATOR] = "TERMINATOR",
	[PJ_TOK_IDENT] = "IDENT",
	[PJ_TOK_STRING] = "STRING",
	[PJ_TOK_NUMBER] = "NUMBER",
	[PJ_TOK_FLOAT] = "FLOAT",
	[PJ_TOK_BOOL] = "BOOL",
	[PJ_TOK_NULL] = "NULL",
	[PJ_TOK_OR] = "||",
	[PJ_TOK_AND] = "&&",
	[PJ_TOK_NOT] = "!",
	[PJ_TOK_ASSIGN] = "=",
	[PJ_TOK_EQ] = "==",
	[PJ_TOK_NEQ] = "!=",
	[PJ_TOK_LT] = "<",
	[PJ_TOK_LTE] = "<=",
	[PJ_TOK_GT] = ">",
	[PJ_TOK_GTE] = ">=",
	[PJ_TOK_ADD] = "+",
	[PJ_TOK_SUB] = "-",
	[PJ_TOK_MUL] = "*",
	[PJ_TOK_DIV] = "/",
	[PJ_TOK_MOD] = "%",
	[PJ_TOK_POW] = "^",
	[PJ_TOK_LCURLY] = "{",
	[PJ_TOK_RCURLY] = "}",
	[PJ_TOK_LPAREN] = "(",
	[PJ_TOK_RPAREN] = ")",
	[PJ_TOK_LBRACK] = "[",
	[PJ_TOK_RBRACK] = "]",
	[PJ_TOK_COMMA] = ",",
	[PJ_TOK_DOT] = ".",
};

const char *pj_tok_name(pj_tok tok)
{
	if ((unsigned)tok >= sizeof(pj_tok_names) / sizeof(pj_tok_names[0]) || !pj_tok_names[tok])
		return "ILLEGAL";
	return pj_tok_names[tok];
}

int pj_tok_precedence(pj_tok tok)
{
	switch (tok) {
	case PJ_TOK_OR:
		return 1;
	case PJ_TOK_AND:
		return 2;
	case PJ_TOK_EQ:
	case PJ_TOK_NEQ:
	case PJ_TOK_LT:
	case PJ_TOK_LTE:
	case PJ_TOK_GT:
	case PJ_TOK_GTE:
		return 3;
	case PJ_TOK_ADD:
	case PJ_TOK_SUB:
		return 4;
	case PJ_TOK_MUL:
	case PJ_TOK_DIV:
	case PJ_TOK_MOD:
		return 5;
	case PJ_TOK_POW:
		return 6;
	default:
		return 0;
	}
}
