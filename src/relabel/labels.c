#include "relabel/labels.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hmap.h"

static void label_release(pj_label *lb)
{
	free((void *)lb->name);
}

static pj_label label_make(const char *name, size_t name_len, const char *value, size_t value_len)
{
	char *block = pj_malloc(name_len + value_len + 2);
	memcpy(block, name, name_len);
	block[name_len] = '\0';
	memcpy(block + name_len + 1, value, value_len);
	block[name_len + 1 + value_len] = '\0';
	return (pj_label){block, block + name_len + 1, name_len, value_len};
}

static int bytes_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Index of `name`, or of where it would be inserted; *found says which. */
static size_t labels_search(const pj_labels *l, const char *name, size_t name_len, bool *found)
{
	size_t lo = 0, hi = l->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = bytes_compare(l->items[mid].name, l->items[mid].name_len, name, name_len);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

void pj_labels_clear(pj_labels *l)
{
	for (size_t i = 0; i < l->len; i++)
		label_release(&l->items[i]);
	l->len = 0;
}

void pj_labels_free(pj_labels *l)
{
	pj_labels_clear(l);
	free(l->items);
	*l = (pj_labels)PJ_LABELS_INIT;
}

const pj_label *pj_labels_find(const pj_labels *l, const char *name, size_t name_len)
{
	bool found;
	size_t i = labels_search(l, name, name_len, &found);
	return found ? &l->items[i] : NULL;
}

const char *pj_labels_get(const pj_labels *l, const char *name)
{
	const pj_label *lb = pj_labels_find(l, name, strlen(name));
	return lb ? lb->value : NULL;
}

void pj_labels_del_at(pj_labels *l, size_t i)
{
	label_release(&l->items[i]);
	memmove(&l->items[i], &l->items[i + 1], (l->len - i - 1) * sizeof(pj_label));
	l->len--;
}

bool pj_labels_del(pj_labels *l, const char *name, size_t name_len)
{
	bool found;
	size_t i = labels_search(l, name, name_len, &found);
	if (found)
		pj_labels_del_at(l, i);
	return found;
}

void pj_labels_setn(pj_labels *l, const char *name, size_t name_len, const char *value, size_t value_len)
{
	bool found;
	size_t i = labels_search(l, name, name_len, &found);
	if (value_len == 0) {
		if (found)
			pj_labels_del_at(l, i);
		return;
	}
	if (found) {
		pj_label *old = &l->items[i];
		if (old->value_len == value_len && memcmp(old->value, value, value_len) == 0)
			return;
		pj_label fresh = label_make(name, name_len, value, value_len);
		label_release(old);
		*old = fresh;
		return;
	}
	l->items = pj_grow(l->items, &l->cap, l->len + 1, sizeof(pj_label));
	memmove(&l->items[i + 1], &l->items[i], (l->len - i) * sizeof(pj_label));
	l->items[i] = label_make(name, name_len, value, value_len);
	l->len++;
}

void pj_labels_set(pj_labels *l, const char *name, const char *value)
{
	pj_labels_setn(l, name, strlen(name), value, strlen(value));
}

void pj_labels_copy(pj_labels *dst, const pj_labels *src)
{
	if (dst == src)
		return;
	pj_labels_clear(dst);
	dst->items = pj_grow(dst->items, &dst->cap, src->len, sizeof(pj_label));
	for (size_t i = 0; i < src->len; i++) {
		const pj_label *s = &src->items[i];
		dst->items[i] = label_make(s->name, s->name_len, s->value, s->value_len);
	}
	dst->len = src->len;
}

void pj_labels_move(pj_labels *dst, pj_labels *src)
{
	if (dst == src)
		return;
	pj_labels_free(dst);
	*dst = *src;
	*src = (pj_labels)PJ_LABELS_INIT;
}

uint64_t pj_labels_hash(const pj_labels *l)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < l->len; i++) {
		/* The name's NUL is hashed too, so {ab=c} and {a=bc} differ. */
		const pj_label *lb = &l->items[i];
		h = (h ^ pj_hash_bytes(lb->name, lb->name_len + 1)) * 0x100000001b3ULL;
		h = (h ^ pj_hash_bytes(lb->value, lb->value_len)) * 0x100000001b3ULL;
	}
	return h;
}

bool pj_labels_equal(const pj_labels *a, const pj_labels *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++) {
		const pj_label *x = &a->items[i], *y = &b->items[i];
		if (x->name_len != y->name_len || x->value_len != y->value_len ||
		    memcmp(x->name, y->name, x->name_len) != 0 || memcmp(x->value, y->value, x->value_len) != 0)
			return false;
	}
	return true;
}

int pj_labels_compare(const pj_labels *a, const pj_labels *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	for (size_t i = 0; i < n; i++) {
		const pj_label *x = &a->items[i], *y = &b->items[i];
		int c = bytes_compare(x->name, x->name_len, y->name, y->name_len);
		if (c == 0)
			c = bytes_compare(x->value, x->value_len, y->value, y->value_len);
		if (c != 0)
			return c;
	}
	return a->len < b->len ? -1 : a->len > b->len;
}

static void format_quoted(pj_buf *out, const char *s, size_t len)
{
	pj_buf_putc(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			pj_buf_putc(out, '\\');
			pj_buf_putc(out, (char)c);
		} else if (c == '\n') {
			pj_buf_puts(out, "\\n");
		} else if (c == '\t') {
			pj_buf_puts(out, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			pj_buf_printf(out, "\\x%02x", c);
		} else {
			pj_buf_putc(out, (char)c);
		}
	}
	pj_buf_putc(out, '"');
}

void pj_labels_format(const pj_labels *l, pj_buf *out)
{
	pj_buf_putc(out, '{');
	for (size_t i = 0; i < l->len; i++) {
		if (i > 0)
			pj_buf_puts(out, ", ");
		pj_buf_append(out, l->items[i].name, l->items[i].name_len);
		pj_buf_putc(out, '=');
		format_quoted(out, l->items[i].value, l->items[i].value_len);
	}
	pj_buf_putc(out, '}');
}

pj_labels *pj_targets_push(pj_targets *t)
{
	t->items = pj_grow(t->items, &t->cap, t->len + 1, sizeof(pj_labels));
	t->items[t->len] = (pj_labels)PJ_LABELS_INIT;
	return &t->items[t->len++];
}

void pj_targets_push_move(pj_targets *t, pj_labels *l)
{
	pj_labels_move(pj_targets_push(t), l);
}

void pj_targets_push_copy(pj_targets *t, const pj_labels *l)
{
	pj_labels_copy(pj_targets_push(t), l);
}

void pj_targets_free(pj_targets *t)
{
	for (size_t i = 0; i < t->len; i++)
		pj_labels_free(&t->items[i]);
	free(t->items);
	*t = (pj_targets)PJ_TARGETS_INIT;
}

bool pj_targets_equal(const pj_targets *a, const pj_targets *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (!pj_labels_equal(&a->items[i], &b->items[i]))
			return false;
	return true;
}
