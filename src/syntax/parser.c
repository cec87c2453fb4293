/*
 * The Alloy parser (spec section 2). Its structure follows Alloy's own
 * recursive-descent parser closely on purpose: which errors a broken file
 * reports, and where, depends on exactly how each rule recovers, and users
 * compare those messages with Alloy's.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "syntax/ast.h"
#include "syntax/quote.h"
#include "syntax/scanner.h"

/* Deeper nesting than any real configuration; stops stack exhaustion on hostile input. */
#define PJ_MAX_DEPTH 200

typedef struct pj_parser {
	pj_scanner sc;
	pj_file *file;
	pj_diags *diags;
	pj_token tok;
	int last_error_line;
	int depth;
	bool too_deep;
	pj_buf comments; /* pj_comment records */
} pj_parser;

static const char *pj_text(pj_parser *p, pj_span span)
{
	return pj_arena_strndup(&p->file->arena, p->sc.src->text + span.start, span.end - span.start);
}

static void pj_add_comment(pj_parser *p)
{
	pj_span span = p->tok.span;
	const char *text = p->sc.src->text + span.start;
	size_t len = span.end - span.start;
	/* Like Alloy, drop the CR of CRLF line ends from comment text. */
	char *copy = pj_arena_alloc(&p->file->arena, len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		bool keep_cr = text[1] == '*' && n > 2 && copy[n - 1] == '*' && i + 1 < len &&
			       text[i + 1] == '/';
		if (text[i] != '\r' || keep_cr)
			copy[n++] = text[i];
	}
	copy[n] = '\0';
	pj_comment c = {span, copy};
	pj_buf_append(&p->comments, &c, sizeof(c));
}

static void pj_next_tok(pj_parser *p)
{
	p->tok = pj_scanner_next(&p->sc);
	while (p->tok.tok == PJ_TOK_COMMENT) {
		pj_add_comment(p);
		p->tok = pj_scanner_next(&p->sc);
	}
}

static int pj_line_of(pj_parser *p, uint32_t off)
{
	return pj_source_linecol(p->sc.src, off).line;
}

/* Parser errors: at most one per line, at the current token. */
static void pj_errorf(pj_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pj_errorf(pj_parser *p, const char *fmt, ...)
{
	int line = pj_line_of(p, p->tok.span.start);
	if (line == p->last_error_line)
		return;
	p->last_error_line = line;
	pj_buf msg = PJ_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	pj_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	pj_span at = {p->tok.span.start, p->tok.span.start};
	pj_diags_add(p->diags, PJ_SEV_ERROR, p->sc.src, at, "%s", pj_buf_cstr(&msg));
	pj_buf_free(&msg);
}

/* Errors that carry their own range are always recorded. */
static void pj_error_at(pj_parser *p, uint32_t start, uint32_t end, const char *msg)
{
	pj_span at = {start, end};
	pj_diags_add(p->diags, PJ_SEV_ERROR, p->sc.src, at, "%s", msg);
}

static void pj_advance(pj_parser *p, pj_tok to)
{
	while (p->tok.tok != PJ_TOK_EOF && p->tok.tok != to)
		pj_next_tok(p);
}

static bool pj_is_statement_end(pj_tok t)
{
	return t == PJ_TOK_TERMINATOR || t == PJ_TOK_RPAREN || t == PJ_TOK_RCURLY ||
	       t == PJ_TOK_RBRACK || t == PJ_TOK_COMMA;
}

/* Consumes the current token, reporting it unless it is `want`; returns its span. */
static pj_span pj_expect(pj_parser *p, pj_tok want, pj_tok *got)
{
	pj_token t = p->tok;
	if (t.tok != want)
		pj_errorf(p, "expected %s, got %s", pj_tok_name(want), pj_tok_name(t.tok));
	pj_next_tok(p);
	if (got)
		*got = t.tok;
	return t.span;
}

/* Skips the rest of a statement, up to a terminator outside any brackets. */
static void pj_consume_statement(pj_parser *p)
{
	int curly = 0, brack = 0, paren = 0;
	for (; p->tok.tok != PJ_TOK_EOF; pj_next_tok(p)) {
		switch (p->tok.tok) {
		case PJ_TOK_LCURLY: curly++; break;
		case PJ_TOK_RCURLY: curly--; break;
		case PJ_TOK_LBRACK: brack++; break;
		case PJ_TOK_RBRACK: brack--; break;
		case PJ_TOK_LPAREN: paren++; break;
		case PJ_TOK_RPAREN: paren--; break;
		default: break;
		}
		if (p->tok.tok == PJ_TOK_TERMINATOR && curly <= 0 && brack <= 0 && paren <= 0)
			return;
	}
}

static void *pj_finish_list(pj_parser *p, pj_buf *b)
{
	void *out = NULL;
	if (b->len) {
		out = pj_arena_alloc(&p->file->arena, b->len);
		memcpy(out, b->data, b->len);
	}
	pj_buf_free(b);
	return out;
}

static pj_expr *pj_new_expr(pj_parser *p, pj_expr_kind kind, uint32_t start, uint32_t end)
{
	pj_expr *e = pj_arena_alloc(&p->file->arena, sizeof(*e));
	e->kind = kind;
	e->span.start = start;
	e->span.end = end;
	return e;
}

/* Nesting guard: on overflow, reports once and skips to the end of the file. */
static bool pj_enter(pj_parser *p)
{
	if (p->depth >= PJ_MAX_DEPTH) {
		if (!p->too_deep)
			pj_error_at(p, p->tok.span.start, p->tok.span.start, "configuration is nested too deeply");
		p->too_deep = true;
		while (p->tok.tok != PJ_TOK_EOF)
			pj_next_tok(p);
		return false;
	}
	p->depth++;
	return true;
}

static pj_expr *pj_parse_expr(pj_parser *p);
static pj_body pj_parse_body(pj_parser *p, pj_tok until);

/* ExpressionList = Expression { "," Expression } [ "," ] */
static pj_expr **pj_parse_expr_list(pj_parser *p, pj_tok until, size_t *len)
{
	pj_buf list = PJ_BUF_INIT;
	while (p->tok.tok != until && p->tok.tok != PJ_TOK_EOF) {
		pj_expr *e = pj_parse_expr(p);
		pj_buf_append(&list, &e, sizeof(e));
		if (p->tok.tok == until)
			break;
		if (p->tok.tok != PJ_TOK_COMMA)
			pj_errorf(p, "missing ',' in expression list");
		pj_next_tok(p);
	}
	*len = list.len / sizeof(pj_expr *);
	return pj_finish_list(p, &list);
}

/* Field = ( string | identifier ) "=" Expression */
static pj_field pj_parse_field(pj_parser *p)
{
	pj_field f = {0};
	pj_token t = p->tok;
	if (t.tok == PJ_TOK_STRING || t.tok == PJ_TOK_IDENT) {
		f.name_span = t.span;
		size_t len = t.span.end - t.span.start;
		if (t.tok == PJ_TOK_STRING && len > 2) {
			/* Verbatim between the quotes, escapes and all (Alloy quirk). */
			pj_span inner = {t.span.start + 1, t.span.end - 1};
			f.name = pj_text(p, inner);
			f.quoted = true;
		} else {
			f.name = pj_text(p, t.span);
		}
		pj_next_tok(p);
	} else {
		pj_errorf(p, "expected field name (string or identifier), got %s", pj_tok_name(t.tok));
		pj_advance(p, PJ_TOK_ASSIGN);
		f.name = "";
		f.name_span.start = f.name_span.end = t.span.start;
	}
	pj_expect(p, PJ_TOK_ASSIGN, NULL);
	f.value = pj_parse_expr(p);
	return f;
}

/* FieldList = Field { "," Field } [ "," ] */
static pj_field *pj_parse_field_list(pj_parser *p, pj_tok until, size_t *len)
{
	pj_buf list = PJ_BUF_INIT;
	while (p->tok.tok != until && p->tok.tok != PJ_TOK_EOF) {
		pj_field f = pj_parse_field(p);
		pj_buf_append(&list, &f, sizeof(f));
		if (p->tok.tok == until)
			break;
		if (p->tok.tok != PJ_TOK_COMMA)
			pj_errorf(p, "missing ',' in field list");
		pj_next_tok(p);
	}
	*len = list.len / sizeof(pj_field);
	return pj_finish_list(p, &list);
}

static pj_expr *pj_parse_literal(pj_parser *p)
{
	pj_token t = p->tok;
	pj_expr *e;
	switch (t.tok) {
	case PJ_TOK_IDENT:
		e = pj_new_expr(p, PJ_EXPR_IDENT, t.span.start, t.span.end);
		e->u.ident.name = pj_text(p, t.span);
		break;
	case PJ_TOK_STRING: {
		e = pj_new_expr(p, PJ_EXPR_STRING, t.span.start, t.span.end);
		e->u.string.literal = pj_text(p, t.span);
		e->u.string.raw = e->u.string.literal[0] == '`';
		pj_buf value = PJ_BUF_INIT;
		pj_unquote(&value, e->u.string.literal, t.span.end - t.span.start);
		e->u.string.len = value.len;
		e->u.string.value = pj_arena_strndup(&p->file->arena, pj_buf_cstr(&value), value.len);
		pj_buf_free(&value);
		break;
	}
	case PJ_TOK_NUMBER:
	case PJ_TOK_FLOAT:
		e = pj_new_expr(p, t.tok == PJ_TOK_NUMBER ? PJ_EXPR_NUMBER : PJ_EXPR_FLOAT,
			t.span.start, t.span.end);
		e->u.number.literal = pj_text(p, t.span);
		break;
	case PJ_TOK_BOOL:
		e = pj_new_expr(p, PJ_EXPR_BOOL, t.span.start, t.span.end);
		e->u.boolean = p->sc.src->text[t.span.start] == 't';
		break;
	default:
		e = pj_new_expr(p, PJ_EXPR_NULL, t.span.start, t.span.end);
		break;
	}
	pj_next_tok(p);
	return e;
}

/*
 * PrimaryExpr = identifier | string | number | float | bool | null
 *             | "(" Expression ")" | "[" [ ExpressionList ] "]" | "{" [ FieldList ] "}"
 */
static pj_expr *pj_parse_primary(pj_parser *p)
{
	pj_token t = p->tok;
	switch (t.tok) {
	case PJ_TOK_IDENT: case PJ_TOK_STRING: case PJ_TOK_NUMBER: case PJ_TOK_FLOAT:
	case PJ_TOK_BOOL: case PJ_TOK_NULL:
		return pj_parse_literal(p);
	case PJ_TOK_LPAREN: {
		pj_next_tok(p);
		pj_expr *inner = pj_parse_expr(p);
		pj_span r = pj_expect(p, PJ_TOK_RPAREN, NULL);
		pj_expr *e = pj_new_expr(p, PJ_EXPR_PAREN, t.span.start, r.start + 1);
		e->u.paren.inner = inner;
		return e;
	}
	case PJ_TOK_LBRACK: {
		pj_next_tok(p);
		size_t n = 0;
		pj_expr **elems = NULL;
		if (p->tok.tok != PJ_TOK_RBRACK)
			elems = pj_parse_expr_list(p, PJ_TOK_RBRACK, &n);
		pj_span r = pj_expect(p, PJ_TOK_RBRACK, NULL);
		pj_expr *e = pj_new_expr(p, PJ_EXPR_ARRAY, t.span.start, r.start + 1);
		e->u.array.elems = elems;
		e->u.array.len = n;
		e->u.array.lbrack = t.span;
		e->u.array.rbrack = r;
		return e;
	}
	case PJ_TOK_LCURLY: {
		pj_next_tok(p);
		size_t n = 0;
		pj_field *fields = pj_parse_field_list(p, PJ_TOK_RCURLY, &n);
		pj_span r = pj_expect(p, PJ_TOK_RCURLY, NULL);
		pj_expr *e = pj_new_expr(p, PJ_EXPR_OBJECT, t.span.start, r.start + 1);
		e->u.object.fields = fields;
		e->u.object.len = n;
		e->u.object.lcurly = t.span;
		e->u.object.rcurly = r;
		return e;
	}
	default:
		break;
	}
	pj_errorf(p, "expected expression, got %s", pj_tok_name(t.tok));
	pj_expr *e = pj_new_expr(p, PJ_EXPR_NULL, t.span.start, t.span.start);
	while (p->tok.tok != PJ_TOK_EOF && !pj_is_statement_end(p->tok.tok))
		pj_next_tok(p);
	return e;
}

/*
 * A block written where an expression belongs (`x = a.b "l" { ... }`): parse
 * it as a block so the user gets one clear message. Returns false when it
 * does not even look like a block; the statement has then been skipped.
 */
static bool pj_parse_misplaced_block(pj_parser *p, pj_expr *primary)
{
	if (p->tok.tok == PJ_TOK_STRING)
		pj_next_tok(p);
	pj_tok got;
	pj_expect(p, PJ_TOK_LCURLY, &got);
	if (got != PJ_TOK_LCURLY) {
		pj_consume_statement(p);
		return false;
	}
	pj_parse_body(p, PJ_TOK_RCURLY);
	pj_span end = pj_expect(p, PJ_TOK_RCURLY, &got);
	if (got != PJ_TOK_RCURLY) {
		pj_consume_statement(p);
		return false;
	}
	pj_error_at(p, primary->span.start, end.start + 1, "cannot use a block as an expression");
	return true;
}

/* OperExpr = PrimaryExpr { "." identifier | "[" Expression "]" | "(" [ ExpressionList ] ")" } */
static pj_expr *pj_parse_postfix(pj_parser *p)
{
	pj_expr *primary = pj_parse_primary(p);
	for (;;) {
		pj_token t = p->tok;
		pj_expr *e;
		switch (t.tok) {
		case PJ_TOK_DOT: {
			pj_next_tok(p);
			pj_token name = p->tok;
			pj_expect(p, PJ_TOK_IDENT, NULL);
			bool has_text = name.tok == PJ_TOK_IDENT || name.tok == PJ_TOK_BOOL ||
					name.tok == PJ_TOK_NULL || name.tok == PJ_TOK_STRING ||
					name.tok == PJ_TOK_NUMBER || name.tok == PJ_TOK_FLOAT;
			e = pj_new_expr(p, PJ_EXPR_ACCESS, primary->span.start, name.span.end);
			e->u.access.value = primary;
			e->u.access.name = has_text ? pj_text(p, name.span) : "";
			e->u.access.name_span = name.span;
			break;
		}
		case PJ_TOK_LBRACK: {
			pj_next_tok(p);
			pj_expr *index = pj_parse_expr(p);
			pj_span r = pj_expect(p, PJ_TOK_RBRACK, NULL);
			e = pj_new_expr(p, PJ_EXPR_INDEX, primary->span.start, r.start + 1);
			e->u.index.value = primary;
			e->u.index.index = index;
			e->u.index.lbrack = t.span;
			e->u.index.rbrack = r;
			break;
		}
		case PJ_TOK_LPAREN: {
			pj_next_tok(p);
			size_t n = 0;
			pj_expr **args = NULL;
			if (p->tok.tok != PJ_TOK_RPAREN)
				args = pj_parse_expr_list(p, PJ_TOK_RPAREN, &n);
			pj_span r = pj_expect(p, PJ_TOK_RPAREN, NULL);
			e = pj_new_expr(p, PJ_EXPR_CALL, primary->span.start, r.start + 1);
			e->u.call.fn = primary;
			e->u.call.args = args;
			e->u.call.len = n;
			e->u.call.lparen = t.span;
			e->u.call.rparen = r;
			break;
		}
		case PJ_TOK_STRING:
		case PJ_TOK_LCURLY:
			if (!pj_parse_misplaced_block(p, primary))
				return primary;
			continue;
		default:
			return primary;
		}
		primary = e;
	}
}

/* UnaryExpr = OperExpr | unary_op UnaryExpr */
static pj_expr *pj_parse_unary(pj_parser *p)
{
	pj_token t = p->tok;
	if (t.tok != PJ_TOK_NOT && t.tok != PJ_TOK_SUB)
		return pj_parse_postfix(p);
	pj_next_tok(p);
	if (!pj_enter(p))
		return pj_new_expr(p, PJ_EXPR_NULL, t.span.start, t.span.end);
	pj_expr *operand = pj_parse_unary(p);
	p->depth--;
	pj_expr *e = pj_new_expr(p, PJ_EXPR_UNARY, t.span.start, operand->span.end);
	e->u.unary.op = t.tok;
	e->u.unary.operand = operand;
	return e;
}

static pj_expr *pj_new_binary(pj_parser *p, pj_token op, pj_expr *lhs, pj_expr *rhs)
{
	pj_expr *e = pj_new_expr(p, PJ_EXPR_BINARY, lhs->span.start, rhs->span.end);
	e->u.binary.op = op.tok;
	e->u.binary.op_span = op.span;
	e->u.binary.lhs = lhs;
	e->u.binary.rhs = rhs;
	return e;
}

/* PowExpr = UnaryExpr [ "^" PowExpr ]: the only right-associative operator. */
static pj_expr *pj_parse_pow(pj_parser *p)
{
	pj_expr *lhs = pj_parse_unary(p);
	if (p->tok.tok != PJ_TOK_POW)
		return lhs;
	pj_token op = p->tok;
	pj_next_tok(p);
	return pj_new_binary(p, op, lhs, pj_parse_pow(p));
}

/* Left-associative binary operators from precedence `min` upwards (spec 2.2). */
static pj_expr *pj_parse_binop(pj_parser *p, int min)
{
	pj_expr *lhs = pj_parse_pow(p);
	for (;;) {
		pj_token op = p->tok;
		int prec = pj_tok_precedence(op.tok);
		if (prec < min)
			return lhs;
		pj_next_tok(p);
		lhs = pj_new_binary(p, op, lhs, pj_parse_binop(p, prec + 1));
	}
}

static pj_expr *pj_parse_expr(pj_parser *p)
{
	if (!pj_enter(p))
		return pj_new_expr(p, PJ_EXPR_NULL, p->tok.span.start, p->tok.span.start);
	pj_expr *e = pj_parse_binop(p, 1);
	p->depth--;
	return e;
}

typedef struct pj_block_name {
	pj_buf name; /* fragments joined with "." */
	size_t nfrags;
	uint32_t start;
	uint32_t end; /* end of the last fragment; comments may sit between fragments */
	const char *label; /* NULL when no label token was seen */
	pj_span label_span;
} pj_block_name;

static const char *pj_token_lit(pj_parser *p, pj_token t, size_t *len)
{
	switch (t.tok) {
	case PJ_TOK_IDENT: case PJ_TOK_STRING: case PJ_TOK_NUMBER: case PJ_TOK_FLOAT:
	case PJ_TOK_BOOL: case PJ_TOK_NULL: case PJ_TOK_ILLEGAL:
		return pj_token_text(&p->sc, t, len);
	default:
		*len = 0;
		return "";
	}
}

static void pj_parse_label(pj_parser *p, pj_block_name *bn)
{
	pj_token t = p->tok;
	if (t.tok != PJ_TOK_STRING) {
		pj_errorf(p, "expected block label, got %s", pj_tok_name(t.tok));
		pj_next_tok(p);
		return;
	}
	size_t len;
	const char *lit = pj_token_text(&p->sc, t, &len);
	pj_buf q = PJ_BUF_INIT;
	if (lit[0] != '"') {
		pj_quote_go(&q, lit, len);
		pj_errorf(p, "expected block label to be a double quoted string, but got %s", pj_buf_cstr(&q));
	}
	bn->label = "";
	if (len > 2) {
		bn->label = pj_arena_strndup(&p->file->arena, lit + 1, len - 2);
		if (!pj_scanner_is_identifier(lit + 1, len - 2)) {
			pj_buf_reset(&q);
			pj_quote_go(&q, lit + 1, len - 2);
			pj_errorf(p, "expected block label to be a valid identifier, but got %s", pj_buf_cstr(&q));
		}
	}
	pj_buf_free(&q);
	bn->label_span = t.span;
	pj_next_tok(p);
}

/* BlockName = identifier { "." identifier } [ string ] */
static bool pj_parse_block_name(pj_parser *p, pj_block_name *bn)
{
	memset(bn, 0, sizeof(*bn));
	if (p->tok.tok != PJ_TOK_IDENT) {
		pj_errorf(p, "expected identifier, got %s", pj_tok_name(p->tok.tok));
		return false;
	}
	bn->start = p->tok.span.start;
	bn->end = p->tok.span.end;
	size_t len;
	const char *lit = pj_token_lit(p, p->tok, &len);
	pj_buf_append(&bn->name, lit, len);
	bn->nfrags = 1;
	pj_next_tok(p);
	while (p->tok.tok == PJ_TOK_DOT) {
		pj_next_tok(p);
		if (p->tok.tok != PJ_TOK_IDENT)
			pj_errorf(p, "expected identifier, got %s", pj_tok_name(p->tok.tok));
		lit = pj_token_lit(p, p->tok, &len);
		pj_buf_putc(&bn->name, '.');
		pj_buf_append(&bn->name, lit, len);
		bn->nfrags++;
		bn->end = p->tok.span.end;
		pj_next_tok(p);
	}
	if (p->tok.tok != PJ_TOK_ASSIGN && p->tok.tok != PJ_TOK_LCURLY)
		pj_parse_label(p, bn);
	return true;
}

static pj_stmt *pj_parse_attribute(pj_parser *p, pj_block_name *bn)
{
	pj_next_tok(p); /* = */
	if (bn->nfrags != 1) {
		pj_error_at(p, bn->start, bn->start + (uint32_t)bn->name.len,
			"attribute names may only consist of a single identifier with no \".\"");
	} else if (bn->label) {
		pj_error_at(p, bn->label_span.start, bn->label_span.start + (uint32_t)strlen(bn->label) + 2,
			"attribute names may not have labels");
	}
	pj_stmt *s = pj_arena_alloc(&p->file->arena, sizeof(*s));
	s->kind = PJ_STMT_ATTR;
	/* Alloy keeps only the first fragment of a dotted attribute name. */
	const char *dot = memchr(bn->name.data, '.', bn->name.len);
	size_t first = dot ? (size_t)(dot - bn->name.data) : bn->name.len;
	s->name = pj_arena_strndup(&p->file->arena, bn->name.data, first);
	s->name_span.start = bn->start;
	s->name_span.end = bn->start + (uint32_t)first;
	s->value = pj_parse_expr(p);
	s->span.start = bn->start;
	s->span.end = s->value->span.end;
	return s;
}

static pj_stmt *pj_parse_block(pj_parser *p, pj_block_name *bn)
{
	pj_stmt *s = pj_arena_alloc(&p->file->arena, sizeof(*s));
	s->kind = PJ_STMT_BLOCK;
	s->name = pj_arena_strndup(&p->file->arena, bn->name.data, bn->name.len);
	s->name_span.start = bn->start;
	s->name_span.end = bn->end;
	s->label = bn->label;
	s->label_span = bn->label_span;
	s->lcurly = pj_expect(p, PJ_TOK_LCURLY, NULL);
	s->body = pj_parse_body(p, PJ_TOK_RCURLY);
	s->rcurly = pj_expect(p, PJ_TOK_RCURLY, NULL);
	s->span.start = bn->start;
	s->span.end = s->rcurly.start + 1;
	return s;
}

/* Statement = Attribute | Block */
static pj_stmt *pj_parse_statement(pj_parser *p)
{
	pj_block_name bn;
	if (!pj_parse_block_name(p, &bn)) {
		pj_advance(p, PJ_TOK_IDENT);
		return NULL;
	}
	pj_stmt *s = NULL;
	if (p->tok.tok == PJ_TOK_ASSIGN) {
		s = pj_parse_attribute(p, &bn);
	} else if (p->tok.tok == PJ_TOK_LCURLY) {
		s = pj_parse_block(p, &bn);
	} else {
		if (bn.nfrags == 1 && (!bn.label || !bn.label[0]))
			pj_errorf(p, "expected attribute assignment or block body, got %s", pj_tok_name(p->tok.tok));
		else
			pj_errorf(p, "expected block body, got %s", pj_tok_name(p->tok.tok));
		pj_advance(p, PJ_TOK_IDENT);
	}
	pj_buf_free(&bn.name);
	return s;
}

/* Body = [ Statement { terminator Statement } ], up to (not including) `until`. */
static pj_body pj_parse_body(pj_parser *p, pj_tok until)
{
	pj_body body = {NULL, 0};
	if (!pj_enter(p))
		return body;
	pj_buf list = PJ_BUF_INIT;
	while (p->tok.tok != until && p->tok.tok != PJ_TOK_EOF) {
		pj_stmt *s = pj_parse_statement(p);
		if (s)
			pj_buf_append(&list, &s, sizeof(s));
		if (p->tok.tok == until)
			break;
		if (p->tok.tok != PJ_TOK_TERMINATOR) {
			pj_errorf(p, "expected %s, got %s", pj_tok_name(PJ_TOK_TERMINATOR), pj_tok_name(p->tok.tok));
			pj_consume_statement(p);
		}
		pj_next_tok(p);
	}
	body.len = list.len / sizeof(pj_stmt *);
	body.stmts = pj_finish_list(p, &list);
	p->depth--;
	return body;
}

pj_file *pj_parse(pj_source *src, pj_diags *diags)
{
	pj_file *file = pj_calloc(1, sizeof(*file));
	file->src = src;
	pj_parser p;
	memset(&p, 0, sizeof(p));
	p.file = file;
	p.diags = diags;
	pj_scanner_init(&p.sc, src, diags, true);
	pj_next_tok(&p);
	file->body = pj_parse_body(&p, PJ_TOK_EOF);
	file->ncomments = p.comments.len / sizeof(pj_comment);
	file->comments = pj_finish_list(&p, &p.comments);
	return file;
}

void pj_file_free(pj_file *file)
{
	if (!file)
		return;
	pj_arena_free(&file->arena);
	pj_source_free(file->src);
	free(file);
}
