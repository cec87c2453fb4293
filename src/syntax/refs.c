/*
 * The identifier chains an expression references (spec 5.2). The runtime
 * matches them against component IDs to build the dependency graph, so a
 * chain is only the dotted names: it stops at an index or a call.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "syntax/eval.h"

static void pj_refs_add(pj_refs *refs, char *path, pj_span span)
{
	refs->items = pj_grow(refs->items, &refs->cap, refs->len + 1, sizeof(*refs->items));
	refs->items[refs->len++] = (pj_ref){path, span};
}

/* Writes a.b.c when e is a pure identifier chain; false otherwise. */
static bool pj_chain_text(const pj_expr *e, pj_buf *out)
{
	if (e->kind == PJ_EXPR_IDENT) {
		pj_buf_puts(out, e->u.ident.name);
		return true;
	}
	if (e->kind != PJ_EXPR_ACCESS || !pj_chain_text(e->u.access.value, out))
		return false;
	pj_buf_putc(out, '.');
	pj_buf_puts(out, e->u.access.name);
	return true;
}

static void pj_collect_list(pj_expr *const *elems, size_t len, pj_refs *refs)
{
	for (size_t i = 0; i < len; i++)
		pj_collect_refs(elems[i], refs);
}

/*
 * Operator chains like a + b + c + ... are left-deep and can be as long as
 * the file, so their left spine is walked with a heap stack, not recursion.
 */
static void pj_collect_chain(const pj_expr *e, pj_refs *refs)
{
	const pj_expr **spine = NULL;
	size_t len = 0, cap = 0;
	for (; e->kind == PJ_EXPR_BINARY; e = e->u.binary.lhs) {
		spine = pj_grow(spine, &cap, len + 1, sizeof(*spine));
		spine[len++] = e;
	}
	pj_collect_refs(e, refs);
	while (len)
		pj_collect_refs(spine[--len]->u.binary.rhs, refs);
	free(spine);
}

void pj_collect_refs(const pj_expr *e, pj_refs *refs)
{
	pj_buf chain = PJ_BUF_INIT;
	switch (e->kind) {
	case PJ_EXPR_IDENT:
	case PJ_EXPR_ACCESS:
		if (pj_chain_text(e, &chain)) {
			pj_refs_add(refs, pj_buf_detach(&chain), e->span);
			return;
		}
		pj_buf_free(&chain);
		pj_collect_refs(e->u.access.value, refs);
		break;
	case PJ_EXPR_ARRAY:
		pj_collect_list(e->u.array.elems, e->u.array.len, refs);
		break;
	case PJ_EXPR_OBJECT:
		for (size_t i = 0; i < e->u.object.len; i++)
			pj_collect_refs(e->u.object.fields[i].value, refs);
		break;
	case PJ_EXPR_INDEX:
		pj_collect_refs(e->u.index.value, refs);
		pj_collect_refs(e->u.index.index, refs);
		break;
	case PJ_EXPR_CALL:
		pj_collect_refs(e->u.call.fn, refs);
		pj_collect_list(e->u.call.args, e->u.call.len, refs);
		break;
	case PJ_EXPR_UNARY:
		pj_collect_refs(e->u.unary.operand, refs);
		break;
	case PJ_EXPR_BINARY:
		pj_collect_chain(e, refs);
		break;
	case PJ_EXPR_PAREN:
		pj_collect_refs(e->u.paren.inner, refs);
		break;
	default:
		break;
	}
}

void pj_collect_body_refs(const pj_body *body, pj_refs *refs)
{
	for (size_t i = 0; i < body->len; i++) {
		const pj_stmt *s = body->stmts[i];
		if (s->kind == PJ_STMT_ATTR)
			pj_collect_refs(s->value, refs);
		else
			pj_collect_body_refs(&s->body, refs);
	}
}

void pj_refs_free(pj_refs *refs)
{
	for (size_t i = 0; i < refs->len; i++)
		free((char *)refs->items[i].path);
	free(refs->items);
	memset(refs, 0, sizeof(*refs));
}
