#include "syntax/printer_engine.h"

#include <limits.h>
#include <string.h>

#include "syntax/tabwriter.h"

#define PJ_MAX_NEWLINES 2

pj_ppos pj_printer_pos(const pj_printer *p, uint32_t offset)
{
	pj_linecol lc = pj_source_linecol(p->file->src, offset);
	pj_ppos pos = {offset, lc.line, lc.col};
	return pos;
}

static int pj_limit_newlines(int n)
{
	return n > PJ_MAX_NEWLINES ? PJ_MAX_NEWLINES : n;
}

/* Comments on adjacent lines with nothing but whitespace between them form a group. */
static void pj_load_group(pj_printer *p)
{
	const pj_file *f = p->file;
	size_t i = p->group_end;
	p->have_comment = i < f->ncomments;
	if (!p->have_comment)
		return;
	p->next_comment = i;
	size_t j = i + 1;
	for (; j < f->ncomments; j++) {
		const pj_comment *prev = &f->comments[j - 1];
		const pj_comment *cur = &f->comments[j];
		bool blank_gap = true;
		for (uint32_t k = prev->span.end; k < cur->span.start && blank_gap; k++) {
			char c = f->src->text[k];
			blank_gap = c == ' ' || c == '\t' || c == '\r' || c == '\n';
		}
		int end_line = pj_source_linecol(f->src, prev->span.start).line;
		for (const char *t = prev->text; *t; t++)
			end_line += *t == '\n';
		if (!blank_gap || pj_source_linecol(f->src, cur->span.start).line > end_line + 1)
			break;
	}
	p->group_end = j;
}

void pj_printer_init(pj_printer *p, const pj_file *file)
{
	memset(p, 0, sizeof(*p));
	p->file = file;
	p->last_tok = PJ_PTOK_LITERAL;
	p->pos.line = p->pos.col = 1;
	p->outpos.line = p->outpos.col = 1;
	pj_load_group(p);
}

static void pj_write_indent(pj_printer *p)
{
	pj_buf_fill(&p->out, '\t', (size_t)p->indent);
	p->pos.off += p->indent;
	p->pos.col += p->indent;
	p->outpos.col += p->indent;
}

static void pj_write_byte(pj_printer *p, char ch, int n)
{
	if (p->outpos.col == 1)
		pj_write_indent(p);
	pj_buf_fill(&p->out, ch, (size_t)n);
	p->pos.off += n;
	if (ch == '\n' || ch == '\f') {
		p->pos.line += n;
		p->outpos.line += n;
		p->pos.col = p->outpos.col = 1;
		return;
	}
	p->pos.col += n;
	p->outpos.col += n;
}

enum { PJ_ESC_NONE, PJ_ESC_ALL, PJ_ESC_LINES };

/*
 * Writes text at source position pos. Escaped text passes the tabwriter
 * untouched (comments, as in Alloy). String literals are escaped line by
 * line, which Alloy does not do: that way a raw string keeps its tabs and
 * trailing blanks, while its line breaks still end tabwriter lines.
 */
static void pj_write_string(pj_printer *p, pj_ppos pos, const char *s, size_t len, int escape)
{
	if (p->outpos.col == 1)
		pj_write_indent(p);
	if (pos.line > 0)
		p->pos = pos;
	int newlines = 0;
	size_t last_nl = 0;
	if (escape)
		pj_buf_putc(&p->out, PJ_TW_ESCAPE);
	for (size_t i = 0; i < len; i++) {
		/* Alloy also counts a form feed here, so one inside a comment ate the line break after it. */
		bool nl = s[i] == '\n';
		bool split = nl && escape == PJ_ESC_LINES;
		if (split)
			pj_buf_putc(&p->out, PJ_TW_ESCAPE);
		pj_buf_putc(&p->out, s[i]);
		if (split)
			pj_buf_putc(&p->out, PJ_TW_ESCAPE);
		if (nl) {
			newlines++;
			last_nl = i;
		}
	}
	if (escape)
		pj_buf_putc(&p->out, PJ_TW_ESCAPE);
	p->pos.off += (int64_t)len;
	if (newlines > 0) {
		p->pos.line += newlines;
		p->outpos.line += newlines;
		p->pos.col = p->outpos.col = (int)(len - last_nl);
	} else {
		p->pos.col += (int)len;
		p->outpos.col += (int)len;
	}
	p->last = p->pos;
}

static void pj_write_ws(pj_printer *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (p->ws[i]) {
		case PJ_WS_IGNORE:
			break;
		case PJ_WS_INDENT:
			p->indent++;
			break;
		case PJ_WS_UNINDENT:
			if (p->indent > 0)
				p->indent--;
			break;
		default:
			pj_write_byte(p, (char)p->ws[i], 1);
			break;
		}
	}
	memmove(p->ws, p->ws + n, (p->nws - n) * sizeof(pj_ws));
	p->nws -= n;
}

static bool pj_comment_before(const pj_printer *p, pj_ppos next)
{
	return p->have_comment && (int64_t)p->file->comments[p->next_comment].span.start <= next.off;
}

static void pj_comment_prefix(pj_printer *p, pj_ppos next, const pj_comment *c)
{
	if (p->out.len == 0)
		return;
	pj_ppos cpos = pj_printer_pos(p, c->span.start);
	if (cpos.line == p->last.line) {
		/* Same line as the previous token: a tab aligns trailing comments. */
		pj_write_byte(p, cpos.line == next.line ? ' ' : '\t', 1);
		return;
	}
	size_t count = 0;
	for (size_t i = 0; i < p->nws; i++) {
		if (p->ws[i] == PJ_WS_INDENT || p->ws[i] == PJ_WS_UNINDENT)
			continue;
		p->ws[i] = PJ_WS_IGNORE;
		count = i;
		break;
	}
	pj_write_ws(p, count);
	int newlines = p->last.line > 0 ? cpos.line - p->last.line : 0;
	if (newlines > 0)
		pj_write_byte(p, '\f', pj_limit_newlines(newlines));
}

static void pj_comment_suffix(pj_printer *p, pj_ppos next, int tok, const pj_comment *last)
{
	if (tok == PJ_TOK_EOF)
		return;
	size_t len = strlen(last->text);
	pj_ppos end = pj_printer_pos(p, last->span.start + (uint32_t)(len ? len - 1 : 0));
	if (last->text[1] == '*' && next.line == end.line)
		pj_write_byte(p, ' ', 1);
	int newlines = next.line - p->last.line;
	bool dropped_ff = false;
	for (size_t i = 0; i < p->nws; i++) {
		pj_ws w = p->ws[i];
		if (w == PJ_WS_INDENT || w == PJ_WS_UNINDENT)
			continue;
		dropped_ff |= w == PJ_WS_FORMFEED;
		p->ws[i] = PJ_WS_IGNORE;
	}
	pj_write_ws(p, p->nws);
	if (newlines > 0)
		pj_write_byte(p, dropped_ff ? '\f' : '\n', pj_limit_newlines(newlines));
}

static void pj_flush(pj_printer *p, pj_ppos next, int tok)
{
	if (!pj_comment_before(p, next)) {
		if (tok != PJ_TOK_EOF)
			pj_write_ws(p, p->nws);
		return;
	}
	const pj_comment *last = NULL;
	while (pj_comment_before(p, next)) {
		for (size_t i = p->next_comment; i < p->group_end; i++) {
			const pj_comment *c = &p->file->comments[i];
			pj_comment_prefix(p, next, c);
			pj_write_string(p, pj_printer_pos(p, c->span.start), c->text, strlen(c->text), PJ_ESC_ALL);
			last = c;
		}
		pj_load_group(p);
	}
	pj_comment_suffix(p, next, tok, last);
}

void pj_pws(pj_printer *p, pj_ws ws)
{
	if (ws == PJ_WS_IGNORE)
		return;
	if (p->nws == PJ_PWS_MAX)
		pj_write_ws(p, p->nws);
	p->ws[p->nws++] = ws;
	p->last_tok = PJ_PTOK_LITERAL;
}

void pj_pat(pj_printer *p, uint32_t offset)
{
	p->pos = pj_printer_pos(p, offset);
}

void pj_ptext(pj_printer *p, const char *text, size_t len, int tok)
{
	p->last_tok = tok;
	pj_ppos next = p->pos;
	pj_flush(p, next, tok);
	pj_write_string(p, next, text, len, tok == PJ_TOK_STRING ? PJ_ESC_LINES : PJ_ESC_NONE);
}

/* Tokens that would fuse with the previous one when re-scanned get a space. */
static bool pj_may_combine(int prev, char next)
{
	return (prev == PJ_TOK_NUMBER && next == '.') || (prev == PJ_TOK_DIV && next == '*');
}

void pj_ptok(pj_printer *p, pj_tok tok)
{
	const char *text = pj_tok_name(tok);
	if (pj_may_combine(p->last_tok, text[0]) && p->nws == 0)
		p->ws[p->nws++] = PJ_WS_BLANK;
	p->last_tok = tok;
	pj_ppos next = p->pos;
	pj_flush(p, next, tok);
	pj_write_string(p, next, text, strlen(text), PJ_ESC_NONE);
}

void pj_printer_finish(pj_printer *p)
{
	pj_ppos end = {INT64_MAX, INT_MAX, INT_MAX};
	pj_flush(p, end, PJ_TOK_EOF);
}
