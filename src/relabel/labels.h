#ifndef PJ_RELABEL_LABELS_H
#define PJ_RELABEL_LABELS_H

/*
 * Label sets: the one type for a discovery target, the input and output of
 * relabelling, and the labels attached to a profile.
 *
 * A pj_labels is a small array of name/value pairs kept sorted by name (byte
 * order, like Prometheus), so lookups are a binary search, equality is a walk
 * of two arrays and the printed form is canonical. A name occurs at most once.
 * An empty value means "absent", as everywhere in Alloy: setting a label to ""
 * removes it, so a set never holds an empty value.
 *
 * Each label owns a single heap block holding "name\0value\0"; names and
 * values are NUL-terminated for convenience, and their lengths are stored so
 * values with embedded NULs survive unchanged. Sets are small (tens of labels);
 * inserts shift the array, which beats any hashing at that size.
 *
 * Not thread-safe; share a set between threads only after it stops changing.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef struct pj_label {
	const char *name; /* owns the block; value points into it */
	const char *value;
	size_t name_len;
	size_t value_len;
} pj_label;

typedef struct pj_labels {
	pj_label *items; /* sorted by name */
	size_t len;
	size_t cap;
} pj_labels;

#define PJ_LABELS_INIT {NULL, 0, 0}

void pj_labels_free(pj_labels *l);
/* Removes every label but keeps the array for reuse. */
void pj_labels_clear(pj_labels *l);

/* The label called `name`, or NULL. */
const pj_label *pj_labels_find(const pj_labels *l, const char *name, size_t name_len);
/* The value of `name` (NUL-terminated), or NULL when absent. */
const char *pj_labels_get(const pj_labels *l, const char *name);

/* Sets name=value, replacing an old value; an empty value removes the label. */
void pj_labels_setn(pj_labels *l, const char *name, size_t name_len, const char *value, size_t value_len);
void pj_labels_set(pj_labels *l, const char *name, const char *value);
/* Removes `name`; returns whether it was present. */
bool pj_labels_del(pj_labels *l, const char *name, size_t name_len);
/* Removes the label at index i. */
void pj_labels_del_at(pj_labels *l, size_t i);

/* dst becomes a deep copy of src (dst's old labels are freed). */
void pj_labels_copy(pj_labels *dst, const pj_labels *src);
/* dst takes src's labels; src is left empty. */
void pj_labels_move(pj_labels *dst, pj_labels *src);

/* Order-sensitive hash of names and values; equal sets hash equally. */
uint64_t pj_labels_hash(const pj_labels *l);
bool pj_labels_equal(const pj_labels *a, const pj_labels *b);
/* Total order: label by label, name then value, shorter set first on a tie. */
int pj_labels_compare(const pj_labels *a, const pj_labels *b);

/* Appends {a="x", b="y"}; values are quoted with \" \\ \n \t and \xNN for other control bytes. */
void pj_labels_format(const pj_labels *l, pj_buf *out);

/* A list of label sets, such as the targets a discovery component exports. */
typedef struct pj_targets {
	pj_labels *items;
	size_t len;
	size_t cap;
} pj_targets;

#define PJ_TARGETS_INIT {NULL, 0, 0}

/* Appends an empty set and returns it (valid until the next push). */
pj_labels *pj_targets_push(pj_targets *t);
/* Appends `l` by moving its labels in; `l` is left empty. */
void pj_targets_push_move(pj_targets *t, pj_labels *l);
/* Appends a deep copy of `l`. */
void pj_targets_push_copy(pj_targets *t, const pj_labels *l);
void pj_targets_free(pj_targets *t);
/* Same sets in the same order: what decides whether an export changed. */
bool pj_targets_equal(const pj_targets *a, const pj_targets *b);

#endif
