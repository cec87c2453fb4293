#ifndef PJ_SYNTAX_PRINTER_ENGINE_H
#define PJ_SYNTAX_PRINTER_ENGINE_H

/*
 * The formatter's token printer, private to src/syntax. The walker
 * (printer.c) sends it tokens, positions and whitespace instructions; it
 * weaves the file's comments back in by position and produces tabwriter
 * input. This mirrors the design of Alloy's printer so that comments and
 * blank lines land exactly where `alloy fmt` puts them.
 */

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "syntax/ast.h"

/* Whitespace instructions; the character values are what gets written. */
typedef enum pj_ws {
	PJ_WS_IGNORE = 0,
	PJ_WS_BLANK = ' ',
	PJ_WS_VTAB = '\v',
	PJ_WS_NEWLINE = '\n',
	PJ_WS_FORMFEED = '\f',
	PJ_WS_INDENT = '>',
	PJ_WS_UNINDENT = '<',
} pj_ws;

/* A position in the source (or the printer's estimate of one); invalid when line == 0. */
typedef struct pj_ppos {
	int64_t off;
	int line, col;
} pj_ppos;

#define PJ_PWS_MAX 16
#define PJ_PTOK_LITERAL (-1) /* "last token was whitespace" */

typedef struct pj_printer {
	const pj_file *file;
	pj_buf out;
	int indent;
	int last_tok; /* a pj_tok, or PJ_PTOK_LITERAL */
	pj_ws ws[PJ_PWS_MAX];
	size_t nws;
	size_t next_comment; /* index of the first comment of the pending group */
	size_t group_end; /* one past its last comment */
	bool have_comment;
	pj_ppos pos; /* where the printer is in source terms */
	pj_ppos last; /* position after the last text written */
	pj_ppos outpos; /* where it is in the output */
} pj_printer;

void pj_printer_init(pj_printer *p, const pj_file *file);
pj_ppos pj_printer_pos(const pj_printer *p, uint32_t offset);

void pj_pws(pj_printer *p, pj_ws ws);
/* Moves the source position to the given byte offset. */
void pj_pat(pj_printer *p, uint32_t offset);
/* Writes a token's text; tok decides the spacing rules (mayCombine). */
void pj_ptext(pj_printer *p, const char *text, size_t len, int tok);
void pj_ptok(pj_printer *p, pj_tok tok);
/* Writes trailing comments and returns the tabwriter input. */
void pj_printer_finish(pj_printer *p);

#endif
