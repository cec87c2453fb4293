#ifndef PJ_BASE_UNICODE_TABLES_H
#define PJ_BASE_UNICODE_TABLES_H

/* The generated tables behind base/unicode.h; only unicode.c reads them. */

#include "base/unicode.h"

typedef struct pj_unicode_range {
	uint32_t lo, hi;
} pj_unicode_range;

#define PJ_UNICODE_UPPER_LOWER 0x110000 /* Go's unicode.UpperLower: alternating case run */

typedef struct pj_case_range {
	uint32_t lo, hi;
	int32_t to_upper, to_lower; /* deltas, or PJ_UNICODE_UPPER_LOWER */
} pj_case_range;

extern const pj_unicode_range pj_unicode_letters[];
extern const size_t pj_unicode_letters_len;
extern const pj_unicode_range pj_unicode_digits[];
extern const size_t pj_unicode_digits_len;
extern const pj_unicode_range pj_unicode_printable[];
extern const size_t pj_unicode_printable_len;
extern const char *const pj_unicode_scripts[];
extern const size_t pj_unicode_nscripts;
extern const pj_case_range pj_unicode_case_ranges[];
extern const size_t pj_unicode_ncase_ranges;
extern const pj_fold_range pj_unicode_fold_extras_table[];
extern const size_t pj_unicode_nfold_extras;

#endif
