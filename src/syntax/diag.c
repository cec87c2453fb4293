/*
 * Diagnostics in Alloy's layout (spec section 6): a header line, then the
 * source lines around the range with a caret marker, multi-line ranges drawn
 * with an edge down the margin.
 */
#include "syntax/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"

#define PJ_TAB_WIDTH 4
#define PJ_CONTEXT_LINES 1

void pj_diags_add(pj_diags *d, pj_severity sev, const pj_source *src, pj_span span,
	const char *fmt, ...)
{
	d->items = pj_grow(d->items, &d->cap, d->len + 1, sizeof(pj_diag));
	pj_diag *diag = &d->items[d->len++];
	diag->severity = sev;
	diag->src = src;
	diag->span = span;
	pj_buf msg = PJ_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	pj_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	pj_buf_puts(&msg, "");
	diag->message = pj_buf_detach(&msg);
}

bool pj_diags_has_errors(const pj_diags *d)
{
	for (size_t i = 0; i < d->len; i++) {
		if (d->items[i].severity == PJ_SEV_ERROR)
			return true;
	}
	return false;
}

void pj_diags_move(pj_diags *dst, pj_diags *src)
{
	if (!src->len)
		return;
	dst->items = pj_grow(dst->items, &dst->cap, dst->len + src->len, sizeof(pj_diag));
	memcpy(dst->items + dst->len, src->items, src->len * sizeof(pj_diag));
	dst->len += src->len;
	free(src->items);
	src->items = NULL;
	src->len = src->cap = 0;
}

char *pj_diag_position(const pj_diag *diag)
{
	if (!diag->src)
		return pj_strdup("-");
	pj_linecol lc = pj_source_linecol(diag->src, diag->span.start);
	const char *name = diag->src->name ? diag->src->name : "";
	if (!name[0])
		return pj_asprintf("%d:%d", lc.line, lc.col);
	return pj_asprintf("%s:%d:%d", name, lc.line, lc.col);
}

/* The inclusive last position of the range; an empty span covers one column. */
static pj_linecol pj_diag_end(const pj_diag *diag)
{
	uint32_t end = diag->span.end > diag->span.start ? diag->span.end - 1 : diag->span.start;
	return pj_source_linecol(diag->src, end);
}

static bool pj_in_range(int line, int col, pj_linecol start, pj_linecol end)
{
	if (line < start.line || line > end.line)
		return false;
	if (line == start.line)
		return col >= start.col;
	if (line == end.line)
		return col <= end.col;
	return true;
}

/* The marker line under `text`: blanks (or '_' on multi-line ranges), then carets. */
static void pj_focus_line(pj_buf *b, const char *text, size_t len, int line, pj_linecol start,
	pj_linecol end)
{
	char blank = end.line > start.line ? '_' : ' ';
	for (size_t i = 0; i < len; i++) {
		int col = (int)i + 1;
		if (line == end.line && col > end.col)
			break;
		/* Continuation bytes of a UTF-8 character take no column of their own. */
		if (((unsigned char)text[i] & 0xC0) == 0x80)
			continue;
		if (text[i] == '\t' || text[i] == '\v')
			pj_buf_fill(b, blank, PJ_TAB_WIDTH);
		else
			pj_buf_putc(b, pj_in_range(line, col, start, end) ? '^' : blank);
	}
}

static void pj_line_text(pj_buf *b, const char *text, size_t len)
{
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] != '\r' && text[i] != '\t' && text[i] != '\v')
			continue;
		pj_buf_append(b, text + run, i - run);
		if (text[i] != '\r')
			pj_buf_fill(b, ' ', PJ_TAB_WIDTH);
		run = i + 1;
	}
	pj_buf_append(b, text + run, len - run);
}

static void pj_format_range(pj_buf *b, const pj_diag *diag)
{
	const pj_source *src = diag->src;
	pj_linecol start = pj_source_linecol(src, diag->span.start);
	pj_linecol end = pj_diag_end(diag);
	bool multiline = end.line > start.line;
	int first = start.line - PJ_CONTEXT_LINES < 1 ? 1 : start.line - PJ_CONTEXT_LINES;
	int last = end.line + PJ_CONTEXT_LINES;
	if (last > (int)src->nlines)
		last = (int)src->nlines;
	int width = snprintf(NULL, 0, "%d", last);

	pj_buf_putc(b, '\n');
	for (int line = first; line <= last; line++) {
		size_t len;
		const char *text = pj_source_line(src, line, &len);
		pj_buf_printf(b, "%*d | ", width, line);
		if (multiline)
			pj_buf_puts(b, pj_in_range(line, 0, start, end) ? "| " : "  ");
		pj_line_text(b, text, len);
		pj_buf_putc(b, '\n');
		if (line != start.line && !(multiline && line == end.line))
			continue;
		pj_buf_fill(b, ' ', (size_t)width);
		if (multiline)
			pj_buf_puts(b, line == start.line ? " |  _" : " | |_");
		else
			pj_buf_puts(b, " | ");
		pj_focus_line(b, text, len, line, start, end);
		pj_buf_putc(b, '\n');
	}
}

static void pj_print_header(FILE *out, const pj_diag *diag, bool color)
{
	const char *label = diag->severity == PJ_SEV_ERROR ? "Error: " : "Warning: ";
	char *pos = pj_diag_position(diag);
	if (color) {
		const char *hue = diag->severity == PJ_SEV_ERROR ? "\x1b[31;1m" : "\x1b[33;1m";
		fprintf(out, "%s%s\x1b[0m\x1b[1m%s: %s\n\x1b[0m", hue, label, pos, diag->message);
	} else {
		fprintf(out, "%s%s: %s\n", label, pos, diag->message);
	}
	free(pos);
}

void pj_diags_print(const pj_diags *d, FILE *out, bool color)
{
	for (size_t i = 0; i < d->len; i++) {
		const pj_diag *diag = &d->items[i];
		pj_print_header(out, diag, color);
		if (diag->src) {
			pj_buf b = PJ_BUF_INIT;
			pj_format_range(&b, diag);
			fwrite(b.data, 1, b.len, out);
			pj_buf_free(&b);
		}
		if (i + 1 < d->len)
			fputc('\n', out);
	}
}

bool pj_diags_want_color(FILE *out)
{
	const char *term = getenv("TERM");
	if (getenv("NO_COLOR") || (term && strcmp(term, "dumb") == 0))
		return false;
	int fd = fileno(out);
	return fd >= 0 && isatty(fd);
}

void pj_diags_print_brief(const pj_diags *d, FILE *out)
{
	for (size_t i = 0; i < d->len; i++) {
		char *pos = pj_diag_position(&d->items[i]);
		fprintf(out, "%s: %s\n", pos, d->items[i].message);
		free(pos);
	}
}

void pj_diags_free(pj_diags *d)
{
	for (size_t i = 0; i < d->len; i++)
		free(d->items[i].message);
	free(d->items);
	d->items = NULL;
	d->len = d->cap = 0;
}
