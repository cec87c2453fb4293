/*
 * The formatter's walker: visits the syntax tree in source order and tells
 * the token printer (printer_engine.c) what to write and where line breaks,
 * indentation and alignment go. The rules are Alloy's printer rules (spec 7).
 */
#include "syntax/printer.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "syntax/printer_engine.h"
#include "syntax/quote.h"
#include "syntax/tabwriter.h"

static int pj_line(const pj_printer *p, uint32_t offset)
{
	return pj_source_linecol(p->file->src, offset).line;
}

static uint32_t pj_expr_end(const pj_expr *e)
{
	return e->span.end > e->span.start ? e->span.end - 1 : e->span.start;
}

static uint32_t pj_stmt_end(const pj_stmt *s)
{
	return s->kind == PJ_STMT_BLOCK ? s->rcurly.start : pj_expr_end(s->value);
}

static bool pj_different_lines(const pj_printer *p, uint32_t a, uint32_t b)
{
	return pj_line(p, a) != pj_line(p, b);
}

static void pj_walk_expr(pj_printer *p, const pj_expr *e);

static void pj_walk_array(pj_printer *p, const pj_expr *e)
{
	pj_pat(p, e->u.array.lbrack.start);
	pj_ptok(p, PJ_TOK_LBRACK);
	uint32_t prev = e->u.array.lbrack.start;
	size_t n = e->u.array.len;
	for (size_t i = 0; i < n; i++) {
		const pj_expr *el = e->u.array.elems[i];
		bool newline = pj_different_lines(p, prev, el->span.start);
		if (newline) {
			/* Indent before the line break so comments before the element indent too. */
			pj_pws(p, PJ_WS_INDENT);
			pj_pws(p, PJ_WS_FORMFEED);
		} else if (i > 0) {
			pj_pws(p, PJ_WS_BLANK);
		}
		prev = pj_expr_end(el);
		pj_walk_expr(p, el);
		if (i + 1 < n)
			pj_ptok(p, PJ_TOK_COMMA);
		if (newline)
			pj_pws(p, PJ_WS_UNINDENT);
	}
	bool closer_apart = n > 0 && pj_different_lines(p, prev, e->u.array.rbrack.start);
	if (closer_apart) {
		pj_ptok(p, PJ_TOK_COMMA);
		pj_pws(p, PJ_WS_INDENT);
		pj_pws(p, PJ_WS_FORMFEED);
		pj_pws(p, PJ_WS_UNINDENT);
	}
	pj_pat(p, e->u.array.rbrack.start);
	pj_ptok(p, PJ_TOK_RBRACK);
}

static void pj_walk_field(pj_printer *p, const pj_field *f)
{
	pj_pat(p, f->name_span.start);
	if (f->quoted) {
		/* Keys are kept verbatim (Alloy re-quotes them, which doubles any escape). */
		char *quoted = pj_asprintf("\"%s\"", f->name);
		pj_ptext(p, quoted, strlen(quoted), PJ_TOK_STRING);
		free(quoted);
	} else {
		pj_ptext(p, f->name, strlen(f->name), PJ_TOK_IDENT);
	}
	pj_pws(p, PJ_WS_VTAB);
	pj_ptok(p, PJ_TOK_ASSIGN);
	pj_pws(p, PJ_WS_BLANK);
	pj_walk_expr(p, f->value);
}

static void pj_walk_object(pj_printer *p, const pj_expr *e)
{
	pj_pat(p, e->u.object.lcurly.start);
	pj_ptok(p, PJ_TOK_LCURLY);
	pj_pws(p, PJ_WS_INDENT);
	uint32_t prev = e->u.object.lcurly.start;
	size_t n = e->u.object.len;
	for (size_t i = 0; i < n; i++) {
		const pj_field *f = &e->u.object.fields[i];
		if (pj_different_lines(p, prev, f->name_span.start)) {
			/* Keep aligning `=` after a field that fit on one line. */
			const pj_expr *pv = i > 0 ? e->u.object.fields[i - 1].value : NULL;
			bool one_line = pv && !pj_different_lines(p, pv->span.start, pj_expr_end(pv));
			pj_pws(p, one_line ? PJ_WS_NEWLINE : PJ_WS_FORMFEED);
		} else if (i > 0) {
			pj_pws(p, PJ_WS_BLANK);
		}
		size_t name_len = strlen(f->name);
		prev = f->name_span.start + (uint32_t)(name_len ? name_len - 1 : 0);
		pj_walk_field(p, f);
		if (i + 1 < n)
			pj_ptok(p, PJ_TOK_COMMA);
	}
	if (n > 0 && pj_different_lines(p, prev, e->u.object.rcurly.start)) {
		pj_ptok(p, PJ_TOK_COMMA);
		pj_pws(p, PJ_WS_FORMFEED);
	}
	pj_pws(p, PJ_WS_UNINDENT);
	pj_pat(p, e->u.object.rcurly.start);
	pj_ptok(p, PJ_TOK_RCURLY);
}

/*
 * Alloy writes a call's parentheses without their source positions, so a
 * comment after the last argument drifts behind the `)` and moves again on
 * every run. Giving the printer the real positions keeps such comments in
 * place; it changes nothing for files without comments there.
 */
static void pj_walk_call(pj_printer *p, const pj_expr *e)
{
	pj_walk_expr(p, e->u.call.fn);
	pj_pat(p, e->u.call.lparen.start);
	pj_ptok(p, PJ_TOK_LPAREN);
	uint32_t prev = e->u.call.lparen.start;
	size_t n = e->u.call.len;
	for (size_t i = 0; i < n; i++) {
		const pj_expr *arg = e->u.call.args[i];
		bool newline = pj_different_lines(p, prev, arg->span.start);
		if (newline) {
			pj_pws(p, PJ_WS_FORMFEED);
			pj_pws(p, PJ_WS_INDENT);
		}
		pj_walk_expr(p, arg);
		prev = pj_expr_end(arg);
		if (i + 1 < n) {
			pj_ptok(p, PJ_TOK_COMMA);
			pj_pws(p, PJ_WS_BLANK);
		}
		if (newline)
			pj_pws(p, PJ_WS_UNINDENT);
	}
	/* Alloy also adds the comma when there are no arguments, printing `f(,`. */
	if (n > 0 && pj_different_lines(p, prev, e->u.call.rparen.start)) {
		pj_ptok(p, PJ_TOK_COMMA);
		pj_pws(p, PJ_WS_FORMFEED);
	}
	pj_pat(p, e->u.call.rparen.start);
	pj_ptok(p, PJ_TOK_RPAREN);
}

static void pj_walk_literal(pj_printer *p, const pj_expr *e, const char *text, pj_tok tok)
{
	pj_pat(p, e->span.start);
	pj_ptext(p, text, strlen(text), tok);
}

static void pj_walk_expr(pj_printer *p, const pj_expr *e)
{
	switch (e->kind) {
	case PJ_EXPR_IDENT:
		pj_walk_literal(p, e, e->u.ident.name, PJ_TOK_IDENT);
		break;
	case PJ_EXPR_STRING:
		pj_walk_literal(p, e, e->u.string.literal, PJ_TOK_STRING);
		break;
	case PJ_EXPR_NUMBER:
		pj_walk_literal(p, e, e->u.number.literal, PJ_TOK_NUMBER);
		break;
	case PJ_EXPR_FLOAT:
		pj_walk_literal(p, e, e->u.number.literal, PJ_TOK_FLOAT);
		break;
	case PJ_EXPR_BOOL:
		pj_walk_literal(p, e, e->u.boolean ? "true" : "false", PJ_TOK_BOOL);
		break;
	case PJ_EXPR_NULL:
		pj_walk_literal(p, e, "null", PJ_TOK_NULL);
		break;
	case PJ_EXPR_ARRAY:
		pj_walk_array(p, e);
		break;
	case PJ_EXPR_OBJECT:
		pj_walk_object(p, e);
		break;
	case PJ_EXPR_ACCESS:
		pj_walk_expr(p, e->u.access.value);
		pj_ptok(p, PJ_TOK_DOT);
		/* Positioned (unlike Alloy) so a comment after the dot keeps its line break. */
		pj_pat(p, e->u.access.name_span.start);
		pj_ptext(p, e->u.access.name, strlen(e->u.access.name), PJ_TOK_IDENT);
		break;
	case PJ_EXPR_INDEX:
		pj_walk_expr(p, e->u.index.value);
		pj_pat(p, e->u.index.lbrack.start);
		pj_ptok(p, PJ_TOK_LBRACK);
		pj_walk_expr(p, e->u.index.index);
		pj_pat(p, e->u.index.rbrack.start);
		pj_ptok(p, PJ_TOK_RBRACK);
		break;
	case PJ_EXPR_CALL:
		pj_walk_call(p, e);
		break;
	case PJ_EXPR_UNARY:
		pj_pat(p, e->span.start);
		pj_ptok(p, e->u.unary.op);
		pj_walk_expr(p, e->u.unary.operand);
		break;
	case PJ_EXPR_BINARY:
		pj_walk_expr(p, e->u.binary.lhs);
		pj_pws(p, PJ_WS_BLANK);
		pj_pat(p, e->u.binary.op_span.start);
		pj_ptok(p, e->u.binary.op);
		pj_pws(p, PJ_WS_BLANK);
		pj_walk_expr(p, e->u.binary.rhs);
		break;
	case PJ_EXPR_PAREN:
		pj_pat(p, e->span.start);
		pj_ptok(p, PJ_TOK_LPAREN);
		pj_walk_expr(p, e->u.paren.inner);
		pj_pat(p, pj_expr_end(e));
		pj_ptok(p, PJ_TOK_RPAREN);
		break;
	}
}

static void pj_walk_body(pj_printer *p, const pj_body *body);

static void pj_walk_block(pj_printer *p, const pj_stmt *s)
{
	/*
	 * The joined name is placed at its last byte rather than its start (as
	 * Alloy does), so a comment between fragments ("a.// c" newline "b") is
	 * written before the name instead of between the name and its "{".
	 */
	pj_pat(p, s->name_span.end - 1);
	pj_ptext(p, s->name, strlen(s->name), PJ_TOK_IDENT);
	if (s->label && s->label[0]) {
		pj_buf label = PJ_BUF_INIT;
		pj_quote_go(&label, s->label, strlen(s->label));
		pj_pws(p, PJ_WS_BLANK);
		pj_pat(p, s->label_span.start);
		pj_ptext(p, label.data, label.len, PJ_TOK_STRING);
		pj_buf_free(&label);
	}
	pj_pws(p, PJ_WS_BLANK);
	pj_pat(p, s->lcurly.start);
	pj_ptok(p, PJ_TOK_LCURLY);
	pj_pws(p, PJ_WS_INDENT);
	if (s->body.len > 0) {
		pj_pws(p, PJ_WS_FORMFEED);
		pj_walk_body(p, &s->body);
	} else {
		pj_pws(p, PJ_WS_BLANK);
	}
	pj_pws(p, PJ_WS_UNINDENT);
	pj_pat(p, s->rcurly.start);
	pj_ptok(p, PJ_TOK_RCURLY);
}

static void pj_walk_body(pj_printer *p, const pj_body *body)
{
	for (size_t i = 0; i < body->len; i++) {
		const pj_stmt *s = body->stmts[i];
		bool spaced = false;
		if (i > 0 && s->kind == PJ_STMT_BLOCK) {
			pj_pws(p, PJ_WS_FORMFEED);
			spaced = true;
		}
		/* A blank line in the source between two statements is kept. */
		if (i > 0 && !spaced && pj_line(p, s->span.start) - pj_line(p, pj_stmt_end(body->stmts[i - 1])) > 1)
			pj_pws(p, PJ_WS_FORMFEED);
		if (s->kind == PJ_STMT_BLOCK) {
			pj_walk_block(p, s);
		} else {
			pj_pat(p, s->name_span.start);
			pj_ptext(p, s->name, strlen(s->name), PJ_TOK_IDENT);
			pj_pws(p, PJ_WS_VTAB);
			pj_ptok(p, PJ_TOK_ASSIGN);
			pj_pws(p, PJ_WS_BLANK);
			pj_walk_expr(p, s->value);
		}
		/* A statement spanning lines ends the alignment run. */
		bool multi = pj_line(p, pj_stmt_end(s)) > pj_line(p, s->span.start);
		pj_pws(p, multi ? PJ_WS_FORMFEED : PJ_WS_NEWLINE);
	}
}

static char *pj_format_once(const pj_file *file)
{
	pj_printer p;
	pj_printer_init(&p, file);
	pj_walk_body(&p, &file->body);
	pj_printer_finish(&p);
	pj_buf aligned = PJ_BUF_INIT;
	pj_tabwriter(&aligned, p.out.data ? p.out.data : "", p.out.len);
	pj_buf_free(&p.out);
	pj_buf out = PJ_BUF_INIT;
	pj_trimmer(&out, aligned.data ? aligned.data : "", aligned.len);
	pj_buf_free(&aligned);
	pj_buf_putc(&out, '\n');
	return pj_buf_detach(&out);
}

/*
 * Alloy's printer decides alignment runs and blank lines from the line
 * layout of its input, so one pass over a messy file can produce text that a
 * second pass changes again (a statement joined onto one line starts to
 * align with its neighbours). Formatting repeats until the text is stable,
 * so that formatted output always passes `fmt --test`. On text that is
 * already formatted the first pass is the answer, exactly as in Alloy.
 */
#define PJ_FORMAT_ROUNDS 8

char *pj_format_file(const pj_file *file)
{
	char *text = pj_format_once(file);
	for (int round = 1; round < PJ_FORMAT_ROUNDS; round++) {
		pj_diags diags = PJ_DIAGS_INIT;
		pj_file *again = pj_parse(pj_source_new(file->src->name, text, strlen(text)), &diags);
		bool broken = diags.len > 0;
		pj_diags_free(&diags);
		char *next = broken ? NULL : pj_format_once(again);
		pj_file_free(again);
		if (!next)
			break;
		bool stable = strcmp(next, text) == 0;
		free(text);
		text = next;
		if (stable)
			break;
	}
	return text;
}
