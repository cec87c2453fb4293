#include "syntax/tabwriter.h"

#include <stdbool.h>
#include <stdlib.h>

#include "base/alloc.h"

#define PJ_TW_PADDING 1
#define PJ_TW_TABWIDTH 8

typedef struct pj_cell {
	size_t start, size; /* bytes in the input */
	int width; /* runes, not counting escape bytes */
	bool htab; /* ended by '\t' rather than '\v' or a line end */
} pj_cell;

typedef struct pj_line {
	pj_cell *cells;
	size_t len, cap;
	bool newline; /* ended by '\n' or '\f' (the last line may not be) */
} pj_line;

typedef struct pj_tw {
	const char *text;
	pj_buf *out;
	pj_line *lines;
	size_t nlines, cap;
	int *widths; /* the column widths stack */
	size_t nwidths, wcap;
} pj_tw;

/* Go's utf8.RuneCount: every byte that does not continue a sequence starts a rune. */
static int pj_rune_count(const char *s, size_t n)
{
	int count = 0;
	for (size_t i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	}
	return count;
}

static pj_line *pj_tw_add_line(pj_tw *tw)
{
	tw->lines = pj_grow(tw->lines, &tw->cap, tw->nlines + 1, sizeof(pj_line));
	pj_line *l = &tw->lines[tw->nlines++];
	l->cells = NULL;
	l->len = l->cap = 0;
	l->newline = false;
	return l;
}

static void pj_tw_add_cell(pj_line *l, pj_cell c)
{
	l->cells = pj_grow(l->cells, &l->cap, l->len + 1, sizeof(pj_cell));
	l->cells[l->len++] = c;
}

static void pj_tw_padding(pj_tw *tw, int textw, int cellw, bool use_tabs)
{
	if (use_tabs) {
		cellw = (cellw + PJ_TW_TABWIDTH - 1) / PJ_TW_TABWIDTH * PJ_TW_TABWIDTH;
		int n = cellw - textw;
		pj_buf_fill(tw->out, '\t', (size_t)((n + PJ_TW_TABWIDTH - 1) / PJ_TW_TABWIDTH));
		return;
	}
	if (cellw > textw)
		pj_buf_fill(tw->out, ' ', (size_t)(cellw - textw));
}

static void pj_tw_write_lines(pj_tw *tw, size_t line0, size_t line1)
{
	for (size_t i = line0; i < line1; i++) {
		const pj_line *l = &tw->lines[i];
		bool use_tabs = true; /* leading empty cells are indentation */
		for (size_t j = 0; j < l->len; j++) {
			const pj_cell *c = &l->cells[j];
			if (c->size == 0) {
				if (j < tw->nwidths)
					pj_tw_padding(tw, c->width, tw->widths[j], use_tabs);
				continue;
			}
			use_tabs = false;
			pj_buf_append(tw->out, tw->text + c->start, c->size);
			if (j < tw->nwidths)
				pj_tw_padding(tw, c->width, tw->widths[j], false);
		}
		if (l->newline)
			pj_buf_putc(tw->out, '\n');
	}
}

/* Go's tabwriter format(): columns are aligned over blocks of consecutive lines. */
static void pj_tw_format(pj_tw *tw, size_t line0, size_t line1)
{
	size_t column = tw->nwidths;
	for (size_t cur = line0; cur < line1; cur++) {
		if (column + 1 >= tw->lines[cur].len)
			continue;
		pj_tw_write_lines(tw, line0, cur);
		line0 = cur;
		int width = 0;
		bool discardable = true;
		for (; cur < line1; cur++) {
			const pj_line *l = &tw->lines[cur];
			if (column + 1 >= l->len)
				break;
			const pj_cell *c = &l->cells[column];
			if (c->width + PJ_TW_PADDING > width)
				width = c->width + PJ_TW_PADDING;
			if (c->width > 0 || c->htab)
				discardable = false;
		}
		if (discardable)
			width = 0;
		tw->widths = pj_grow(tw->widths, &tw->wcap, tw->nwidths + 1, sizeof(int));
		tw->widths[tw->nwidths++] = width;
		pj_tw_format(tw, line0, cur);
		tw->nwidths--;
		line0 = cur;
		if (cur == line1)
			break;
	}
	pj_tw_write_lines(tw, line0, line1);
}

static void pj_tw_flush(pj_tw *tw)
{
	pj_tw_format(tw, 0, tw->nlines);
	for (size_t i = 0; i < tw->nlines; i++)
		free(tw->lines[i].cells);
	tw->nlines = 0;
}

void pj_tabwriter(pj_buf *out, const char *text, size_t len)
{
	pj_tw tw = {.text = text, .out = out};
	pj_line *line = pj_tw_add_line(&tw);
	pj_cell cell = {0, 0, 0, false};
	bool escaped = false;
	size_t seg = 0; /* start of text not yet counted into cell.width */
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (escaped) {
			if (ch == PJ_TW_ESCAPE) {
				cell.width += pj_rune_count(text + seg, i + 1 - seg) - 2;
				seg = i + 1;
				escaped = false;
			}
			continue;
		}
		if (ch == PJ_TW_ESCAPE) {
			cell.width += pj_rune_count(text + seg, i - seg);
			seg = i;
			escaped = true;
			continue;
		}
		if (ch != '\t' && ch != '\v' && ch != '\n' && ch != '\f')
			continue;
		cell.width += pj_rune_count(text + seg, i - seg);
		cell.size = i - cell.start;
		cell.htab = ch == '\t';
		pj_tw_add_cell(line, cell);
		cell.start = seg = i + 1;
		cell.width = 0;
		if (ch == '\n' || ch == '\f') {
			line->newline = true;
			if (ch == '\f')
				pj_tw_flush(&tw);
			line = pj_tw_add_line(&tw);
		}
	}
	cell.width += pj_rune_count(text + seg, len - seg) - (escaped ? 2 : 0);
	cell.size = len - cell.start;
	if (cell.size > 0)
		pj_tw_add_cell(line, cell);
	pj_tw_flush(&tw);
	free(tw.lines);
	free(tw.widths);
}

enum { PJ_TRIM_SPACE, PJ_TRIM_ESCAPE, PJ_TRIM_TEXT };

void pj_trimmer(pj_buf *out, const char *text, size_t len)
{
	int state = PJ_TRIM_SPACE;
	pj_buf space = PJ_BUF_INIT; /* blanks not yet known to be trailing */
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		char b = text[i] == '\v' ? '\t' : text[i];
		switch (state) {
		case PJ_TRIM_SPACE:
			if (b == '\t' || b == ' ') {
				pj_buf_putc(&space, b);
			} else if (b == '\n' || b == '\f') {
				pj_buf_reset(&space);
				pj_buf_putc(out, '\n');
			} else {
				pj_buf_append(out, space.data, space.len);
				pj_buf_reset(&space);
				state = b == PJ_TW_ESCAPE ? PJ_TRIM_ESCAPE : PJ_TRIM_TEXT;
				start = b == PJ_TW_ESCAPE ? i + 1 : i;
			}
			break;
		case PJ_TRIM_TEXT:
			if (b == '\t' || b == ' ' || b == '\n' || b == '\f') {
				pj_buf_append(out, text + start, i - start);
				state = PJ_TRIM_SPACE;
				if (b == '\n' || b == '\f')
					pj_buf_putc(out, '\n');
				else
					pj_buf_putc(&space, b);
			} else if (b == PJ_TW_ESCAPE) {
				pj_buf_append(out, text + start, i - start);
				state = PJ_TRIM_ESCAPE;
				start = i + 1;
			}
			break;
		default:
			if (b == PJ_TW_ESCAPE) {
				pj_buf_append(out, text + start, i - start);
				state = PJ_TRIM_SPACE;
			}
			break;
		}
	}
	if (state != PJ_TRIM_SPACE)
		pj_buf_append(out, text + start, len - start);
	pj_buf_free(&space);
}
