#ifndef PJ_PROFILE_PPROF_H
#define PJ_PROFILE_PPROF_H

/*
 * Building pprof profiles (spec: pyroscope-push-and-pprof.md) and encoding
 * them as protobuf, gzipped protobuf or the collapsed text the golden tests
 * compare against. Strings, functions and locations are interned once;
 * samples with identical stacks and labels are merged by summing values.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef struct pprof_builder pprof_builder;

typedef struct pprof_label {
	const char *key;
	const char *str; /* string label; NULL for a numeric one */
	int64_t num;
	const char *num_unit; /* may be NULL */
} pprof_label;

pprof_builder *pprof_new(void);
void pprof_free(pprof_builder *b);

/* Index of s in the string table (0 is ""). */
int64_t pprof_string(pprof_builder *b, const char *s, size_t len);

void pprof_add_sample_type(pprof_builder *b, const char *type, const char *unit);
void pprof_set_period(pprof_builder *b, const char *type, const char *unit, int64_t period);
void pprof_set_time(pprof_builder *b, int64_t time_nanos, int64_t duration_nanos);
void pprof_set_default_sample_type(pprof_builder *b, const char *type);

/* Interned: the same (name, filename) gives the same id. Ids start at 1. */
uint64_t pprof_function(pprof_builder *b, const char *name, size_t name_len,
	const char *filename, size_t filename_len);
/* Interned: the same (function, line) gives the same id. */
uint64_t pprof_location(pprof_builder *b, uint64_t function_id, int64_t line);

/*
 * Adds values (one per sample type) for a stack of location ids, leaf first.
 * A stack + label set seen before has the values added to the existing sample
 * (labels compare in the order given). All sample types must be added before
 * the first sample. Passing an id this builder did not return is a
 * programming error and aborts.
 */
void pprof_add_sample(pprof_builder *b, const uint64_t *locations, size_t nlocations,
	const int64_t *values, const pprof_label *labels, size_t nlabels);

size_t pprof_sample_count(const pprof_builder *b);
size_t pprof_sample_type_count(const pprof_builder *b);
size_t pprof_string_count(const pprof_builder *b); /* including "" */
size_t pprof_function_count(const pprof_builder *b);
size_t pprof_location_count(const pprof_builder *b);
/* Type and unit of sample type i (NULL if out of range); valid until the next change. */
const char *pprof_sample_type_name(const pprof_builder *b, size_t i);
const char *pprof_sample_type_unit(const pprof_builder *b, size_t i);

/*
 * Serialises the Profile message, appending to out. Every location refers to
 * one mapping (id 1, has_functions) and carries one line.
 */
void pprof_encode(const pprof_builder *b, pj_buf *out);
/* Serialises and gzips (mtime 0), appending to out; returns false only if zlib fails. */
bool pprof_encode_gzip(const pprof_builder *b, pj_buf *out);

/*
 * Collapsed text (shared/testdata/README.md): one line per distinct stack,
 * root first, frames "<function>:<line>" joined by ';', then " [v1 v2]";
 * lines sorted bytewise, equal stacks merged, all-zero lines dropped, no
 * trailing newline.
 */
void pprof_write_collapsed(const pprof_builder *b, pj_buf *out);

#endif
