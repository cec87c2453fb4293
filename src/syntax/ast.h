#ifndef PJ_SYNTAX_AST_H
#define PJ_SYNTAX_AST_H

/*
 * The syntax tree of an Alloy file. Every node records the byte span it came
 * from, so diagnostics and the formatter can point back at the source. All
 * nodes and strings of a file live in the file's arena.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "syntax/diag.h"
#include "syntax/source.h"
#include "syntax/token.h"

typedef struct pj_expr pj_expr;
typedef struct pj_stmt pj_stmt;

typedef enum pj_expr_kind {
	PJ_EXPR_IDENT, /* foo */
	PJ_EXPR_STRING, /* "..." or `...` */
	PJ_EXPR_NUMBER, /* 42 (NUMBER token; converted at evaluation, spec 1.5) */
	PJ_EXPR_FLOAT, /* 4.2 */
	PJ_EXPR_BOOL,
	PJ_EXPR_NULL,
	PJ_EXPR_ARRAY, /* [a, b] */
	PJ_EXPR_OBJECT, /* {a = 1, "b" = 2} */
	PJ_EXPR_ACCESS, /* value.name */
	PJ_EXPR_INDEX, /* value[index] */
	PJ_EXPR_CALL, /* fn(args) */
	PJ_EXPR_UNARY, /* !x, -x */
	PJ_EXPR_BINARY, /* a + b */
	PJ_EXPR_PAREN, /* (x), kept for the formatter and error texts */
} pj_expr_kind;

typedef struct pj_field {
	const char *name; /* quoted keys: verbatim text between the quotes (spec 2.3) */
	bool quoted;
	pj_span name_span;
	pj_expr *value;
} pj_field;

struct pj_expr {
	pj_expr_kind kind;
	pj_span span; /* the whole expression */
	union {
		struct {
			const char *name;
		} ident;
		struct {
			const char *value; /* decoded; may contain NUL bytes (\x00) */
			size_t len;
			const char *literal; /* source text including the quotes */
			bool raw; /* backtick string */
		} string;
		struct {
			const char *literal; /* source text of a NUMBER or FLOAT */
		} number;
		bool boolean;
		struct {
			pj_expr **elems;
			size_t len;
			pj_span lbrack, rbrack;
		} array;
		struct {
			pj_field *fields;
			size_t len;
			pj_span lcurly, rcurly;
		} object;
		struct {
			pj_expr *value;
			const char *name;
			pj_span name_span;
		} access;
		struct {
			pj_expr *value;
			pj_expr *index;
			pj_span lbrack, rbrack;
		} index;
		struct {
			pj_expr *fn;
			pj_expr **args;
			size_t len;
			pj_span lparen, rparen;
		} call;
		struct {
			pj_tok op; /* PJ_TOK_NOT or PJ_TOK_SUB */
			pj_expr *operand;
		} unary;
		struct {
			pj_tok op;
			pj_span op_span;
			pj_expr *lhs;
			pj_expr *rhs;
		} binary;
		struct {
			pj_expr *inner;
		} paren;
	} u;
};

typedef struct pj_body {
	pj_stmt **stmts;
	size_t len;
} pj_body;

typedef enum pj_stmt_kind {
	PJ_STMT_ATTR, /* name = value */
	PJ_STMT_BLOCK, /* a.b "label" { body } */
} pj_stmt_kind;

struct pj_stmt {
	pj_stmt_kind kind;
	pj_span span; /* whole statement */
	const char *name; /* attribute name, or the block's full dotted name */
	pj_span name_span;
	pj_expr *value; /* attributes */
	const char *label; /* blocks: NULL when absent, "" for an empty label */
	pj_span label_span;
	pj_body body; /* blocks */
	pj_span lcurly, rcurly;
};

typedef struct pj_comment {
	pj_span span;
	const char *text; /* as written, including // or the slash-star delimiters */
} pj_comment;

typedef struct pj_file {
	pj_source *src; /* owned */
	pj_body body;
	pj_comment *comments; /* every comment, in source order, for the formatter */
	size_t ncomments;
	pj_arena arena;
} pj_file;

/*
 * Scans and parses a source, taking ownership of it. Always returns a file;
 * lexical and syntax errors (all of them, at most one parser error per line)
 * are appended to diags.
 */
pj_file *pj_parse(pj_source *src, pj_diags *diags);
void pj_file_free(pj_file *file);

/* The expression as Alloy's printer writes it on one line, for error texts (spec 3.5). */
char *pj_expr_text(const pj_expr *expr);

#endif
