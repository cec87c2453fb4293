#ifndef PJ_BASE_UTF8_H
#define PJ_BASE_UTF8_H

/*
 * UTF-8 with Go's rules (unicode/utf8), because Alloy's strings are Go strings:
 * overlong forms, surrogates and code points above U+10FFFF are invalid, and a
 * decoder that meets an invalid or truncated sequence yields U+FFFD and moves
 * on by one byte, as Go's `for range` over a string does.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define PJ_RUNE_ERROR 0xFFFD /* utf8.RuneError */
#define PJ_RUNE_MAX 0x10FFFF /* unicode.MaxRune */

/*
 * utf8.DecodeRuneInString on s[0..len): the rune and its byte length in
 * *width; an invalid, truncated or empty input gives U+FFFD with *width 1.
 * A real U+FFFD in the text has width 3, which is how callers tell them apart.
 */
int32_t pj_utf8_decode(const char *s, size_t len, size_t *width);

/* Strict form for callers that treat a bad byte specially: the width, or 0 if s (len > 0) starts invalid. */
size_t pj_utf8_rune(const char *s, size_t len, int32_t *rune);

/* utf8.EncodeRune into out (room for 4 bytes); returns the length. Invalid runes become U+FFFD. */
size_t pj_utf8_encode_to(char out[4], int32_t r);
/* Appends the encoding of r to out (invalid runes as U+FFFD). */
void pj_utf8_encode(pj_buf *out, int32_t r);

/* utf8.ValidString. */
bool pj_utf8_valid(const char *s, size_t len);

#endif
