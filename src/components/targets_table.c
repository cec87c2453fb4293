/* The aligned table of `pyrojava targets` (see targets_table.h). */
#include "components/targets_table.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hmap.h"

/* Columns wider than this (in characters) go last, narrowest first. */
#define WIDE_COLUMN 40

typedef struct column {
	const char *name;
	size_t width;
} column;

static void put_cell(pj_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			pj_buf_puts(out, "\\n");
		else if (c == '\t')
			pj_buf_puts(out, "\\t");
		else if (c < 0x20 || c == 0x7f)
			pj_buf_printf(out, "\\x%02x", c);
		else
			pj_buf_putc(out, (char)c);
	}
}

/* Characters as a terminal shows them: UTF-8 continuation bytes take no room. */
static size_t cell_width(const char *s, size_t len)
{
	pj_buf b = PJ_BUF_INIT;
	put_cell(&b, s, len);
	size_t w = 0;
	for (size_t i = 0; i < b.len; i++)
		w += ((unsigned char)b.data[i] & 0xc0) != 0x80;
	pj_buf_free(&b);
	return w;
}

static int column_rank(const column *c)
{
	if (strcmp(c->name, "__process_pid__") == 0)
		return 0;
	return c->width > WIDE_COLUMN ? 2 : 1;
}

static int column_cmp(const void *a, const void *b)
{
	const column *x = a, *y = b;
	int rx = column_rank(x), ry = column_rank(y);
	if (rx != ry)
		return rx - ry;
	if (rx == 2 && x->width != y->width)
		return x->width < y->width ? -1 : 1;
	return strcmp(x->name, y->name);
}

static column *collect_columns(const pj_targets *t, size_t *n)
{
	pj_hmap seen = PJ_HMAP_INIT;
	column *cols = NULL;
	size_t cap = 0;
	*n = 0;
	for (size_t i = 0; i < t->len; i++) {
		for (size_t j = 0; j < t->items[i].len; j++) {
			const pj_label *l = &t->items[i].items[j];
			column *c = pj_hmap_get(&seen, l->name, l->name_len);
			size_t idx;
			if (!c) {
				cols = pj_grow(cols, &cap, *n + 1, sizeof(*cols));
				idx = (*n)++;
				cols[idx] = (column){l->name, cell_width(l->name, l->name_len)};
				pj_hmap_put(&seen, l->name, l->name_len, (void *)(idx + 1));
			} else {
				idx = (size_t)c - 1;
			}
			size_t w = cell_width(l->value, l->value_len);
			if (w > cols[idx].width)
				cols[idx].width = w;
		}
	}
	pj_hmap_free(&seen);
	if (*n)
		qsort(cols, *n, sizeof(*cols), column_cmp);
	return cols;
}

static void pad(pj_buf *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pj_buf_putc(out, ' ');
}

/* One row; padding is only written before a cell, so rows carry no trailing blanks. */
static void put_row(pj_buf *out, const column *cols, size_t n, const pj_labels *row)
{
	size_t pending = 0;
	for (size_t c = 0; c < n; c++) {
		const char *s = cols[c].name;
		size_t len = strlen(s);
		if (row) {
			const pj_label *l = pj_labels_find(row, cols[c].name, len);
			s = l ? l->value : NULL;
			len = l ? l->value_len : 0;
		}
		if (!s) {
			pending += cols[c].width + 2;
			continue;
		}
		pad(out, pending);
		put_cell(out, s, len);
		pending = cols[c].width - cell_width(s, len) + 2;
	}
	pj_buf_putc(out, '\n');
}

void pj_targets_table(const pj_targets *t, pj_buf *out)
{
	size_t n;
	column *cols = collect_columns(t, &n);
	if (n)
		put_row(out, cols, n, NULL);
	for (size_t i = 0; i < t->len; i++)
		put_row(out, cols, n, &t->items[i]);
	free(cols);
}
