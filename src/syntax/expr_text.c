/*
 * pj_expr_text: an expression as Alloy's printer writes it when it fits on one
 * line. Evaluator messages start with this text, so it must match Alloy's
 * spacing: one space around binary operators, ", " between elements, and
 * "name = value" fields without padding inside the braces.
 */
#include <stdlib.h>

#include "base/buf.h"
#include "syntax/ast.h"

static void pj_write_expr(pj_buf *b, const pj_expr *e);

static void pj_write_list(pj_buf *b, pj_expr *const *elems, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (i)
			pj_buf_puts(b, ", ");
		pj_write_expr(b, elems[i]);
	}
}

static void pj_write_object(pj_buf *b, const pj_expr *e)
{
	pj_buf_putc(b, '{');
	for (size_t i = 0; i < e->u.object.len; i++) {
		const pj_field *f = &e->u.object.fields[i];
		if (i)
			pj_buf_puts(b, ", ");
		if (f->quoted)
			pj_buf_printf(b, "\"%s\"", f->name);
		else
			pj_buf_puts(b, f->name);
		pj_buf_puts(b, " = ");
		pj_write_expr(b, f->value);
	}
	pj_buf_putc(b, '}');
}

static void pj_write_expr(pj_buf *b, const pj_expr *e)
{
	switch (e->kind) {
	case PJ_EXPR_IDENT:
		pj_buf_puts(b, e->u.ident.name);
		break;
	case PJ_EXPR_STRING:
		pj_buf_puts(b, e->u.string.literal);
		break;
	case PJ_EXPR_NUMBER:
	case PJ_EXPR_FLOAT:
		pj_buf_puts(b, e->u.number.literal);
		break;
	case PJ_EXPR_BOOL:
		pj_buf_puts(b, e->u.boolean ? "true" : "false");
		break;
	case PJ_EXPR_NULL:
		pj_buf_puts(b, "null");
		break;
	case PJ_EXPR_ARRAY:
		pj_buf_putc(b, '[');
		pj_write_list(b, e->u.array.elems, e->u.array.len);
		pj_buf_putc(b, ']');
		break;
	case PJ_EXPR_OBJECT:
		pj_write_object(b, e);
		break;
	case PJ_EXPR_ACCESS:
		pj_write_expr(b, e->u.access.value);
		/* "1 .x": without the space "1." would re-scan as a float. */
		if (e->u.access.value->kind == PJ_EXPR_NUMBER)
			pj_buf_putc(b, ' ');
		pj_buf_putc(b, '.');
		pj_buf_puts(b, e->u.access.name);
		break;
	case PJ_EXPR_INDEX:
		pj_write_expr(b, e->u.index.value);
		pj_buf_putc(b, '[');
		pj_write_expr(b, e->u.index.index);
		pj_buf_putc(b, ']');
		break;
	case PJ_EXPR_CALL:
		pj_write_expr(b, e->u.call.fn);
		pj_buf_putc(b, '(');
		pj_write_list(b, e->u.call.args, e->u.call.len);
		pj_buf_putc(b, ')');
		break;
	case PJ_EXPR_UNARY:
		pj_buf_puts(b, pj_tok_name(e->u.unary.op));
		pj_write_expr(b, e->u.unary.operand);
		break;
	case PJ_EXPR_BINARY:
		pj_write_expr(b, e->u.binary.lhs);
		pj_buf_printf(b, " %s ", pj_tok_name(e->u.binary.op));
		pj_write_expr(b, e->u.binary.rhs);
		break;
	case PJ_EXPR_PAREN:
		pj_buf_putc(b, '(');
		pj_write_expr(b, e->u.paren.inner);
		pj_buf_putc(b, ')');
		break;
	}
}

char *pj_expr_text(const pj_expr *expr)
{
	pj_buf b = PJ_BUF_INIT;
	pj_write_expr(&b, expr);
	pj_buf_puts(&b, "");
	return pj_buf_detach(&b);
}
