#ifndef PJ_SYNTAX_UNICODE_H
#define PJ_SYNTAX_UNICODE_H

/*
 * The few Unicode classes the Alloy scanner needs, with Go's semantics.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/utf8.h"

typedef struct pj_unicode_range {
	uint32_t lo, hi;
} pj_unicode_range;

bool pj_unicode_is_letter(int32_t r); /* Go unicode.IsLetter */
bool pj_unicode_is_digit(int32_t r); /* Go unicode.IsDigit (Nd) */
bool pj_unicode_is_print(int32_t r); /* Go strconv.IsPrint */

/* Go's %#U: "U+0023 '#'", or "U+0000" when the rune is not printable. */
void pj_unicode_format(int32_t r, char out[32]);

#endif
