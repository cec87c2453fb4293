#ifndef PJ_SYNTAX_UNICODE_H
#define PJ_SYNTAX_UNICODE_H

/*
 * UTF-8 decoding and the few Unicode classes the Alloy scanner needs, with
 * Go's semantics: an invalid byte decodes as U+FFFD of width 1.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PJ_UNICODE_ERROR 0xFFFD
#define PJ_UNICODE_MAX 0x10FFFF

typedef struct pj_unicode_range {
	uint32_t lo, hi;
} pj_unicode_range;

/* Decodes the rune at s[0..len); *width gets its byte length (1 for an invalid byte). */
int32_t pj_unicode_decode(const unsigned char *s, size_t len, int *width);
/* Writes r as UTF-8 into out (4 bytes room); returns the length. Invalid runes become U+FFFD. */
int pj_unicode_encode(int32_t r, char *out);
bool pj_unicode_valid(const unsigned char *s, size_t len);

bool pj_unicode_is_letter(int32_t r); /* Go unicode.IsLetter */
bool pj_unicode_is_digit(int32_t r); /* Go unicode.IsDigit (Nd) */
bool pj_unicode_is_print(int32_t r); /* Go strconv.IsPrint */

/* Go's %#U: "U+0023 '#'", or "U+0000" when the rune is not printable. */
void pj_unicode_format(int32_t r, char out[32]);

#endif
