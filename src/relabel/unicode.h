#ifndef PJ_RELABEL_UNICODE_H
#define PJ_RELABEL_UNICODE_H

/*
 * The bits of Unicode that relabelling needs, with Go's semantics:
 * strings.ToLower/ToUpper, and the script names Go's regexp knows. The tables
 * are generated from Go's unicode package by scripts/gen-unicode-tables.go.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/utf8.h"

#define RELABEL_UPPER_LOWER 0x110000 /* Go's unicode.UpperLower: alternating case run */

typedef struct relabel_case_range {
	uint32_t lo, hi;
	int32_t to_upper, to_lower; /* deltas, or RELABEL_UPPER_LOWER */
} relabel_case_range;

/* Code points lo, lo + stride, ... hi that (?i) adds to the class `name`. */
typedef struct relabel_fold_range {
	const char *name;
	uint32_t lo, hi, stride;
} relabel_fold_range;

extern const char relabel_unicode_version[];
extern const char *const relabel_unicode_scripts[];
extern const size_t relabel_unicode_nscripts;
extern const relabel_case_range relabel_unicode_case_ranges[];
extern const size_t relabel_unicode_ncase_ranges;
extern const relabel_fold_range relabel_unicode_fold_extras[];
extern const size_t relabel_unicode_nfold_extras;

uint32_t relabel_rune_to_lower(uint32_t r);
uint32_t relabel_rune_to_upper(uint32_t r);
/* Go's strings.ToLower / strings.ToUpper: appends the mapped text to out. */
void relabel_to_lower(const char *s, size_t len, pj_buf *out);
void relabel_to_upper(const char *s, size_t len, pj_buf *out);

/*
 * The ranges Go's (?i) adds to \p{name} (unicode.FoldCategory/FoldScript):
 * sets *first and returns how many consecutive entries there are (0: none).
 */
size_t relabel_unicode_fold_extras_of(const char *name, size_t len, const relabel_fold_range **first);

/* Whether `name` is one of Go's unicode.Scripts keys (exact, case-sensitive). */
bool relabel_unicode_is_script(const char *name, size_t len);

#endif
