#ifndef PJ_RELABEL_RE2_PARSER_H
#define PJ_RELABEL_RE2_PARSER_H

/* Private to re2.c and re2_class.c: the translator's state and shared steps. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define RE2_MAX_DEPTH 1000 /* Go's maxHeight */
#define RE2_MAX_REPEAT 1000

/* What the last parsed item allows a following quantifier to do. */
typedef enum re2_last {
	LAST_NONE, /* start of a group or alternative: nothing to repeat */
	LAST_ATOM, /* a repeatable item */
	LAST_REPEAT, /* a quantifier: another one would be nested */
	LAST_ATOM_FLAGS, /* an atom, then flag groups or an empty \Q\E: a quantifier still applies to the atom */
	LAST_FLAGS, /* a quantifier, then flag groups or an empty \Q\E: another quantifier is refused */
} re2_last;

/*
 * What is known about the alternatives of one group, to spot a loop over a
 * group that can match empty and holds captures: Go never runs an empty
 * iteration of such a loop, PCRE2 runs one, so their captures differ.
 */
typedef struct re2_shape {
	bool alt_nullable; /* the current alternative can match empty so far */
	bool any_nullable; /* some finished alternative can match empty */
	bool has_capture; /* a capturing group was seen inside */
	long need; /* Go's repeat budget the contents use up (see apply_repeat) */
} re2_shape;

typedef struct re2_group {
	bool fold; /* (?i) state to restore at the closing paren */
	bool capture;
	size_t out_start;
	re2_shape outer; /* the enclosing group's shape, restored at the closing paren */
} re2_group;

typedef struct re2_state {
	const char *s;
	size_t len;
	size_t pos;
	pj_buf out;
	re2_group *stack;
	size_t depth, stack_cap;
	size_t captures_open; /* capturing groups among the open ones */
	bool fold;
	re2_last last;
	size_t atom_out; /* where the last atom starts in out */
	bool atom_is_assert;
	bool atom_nullable, atom_has_capture, atom_pending;
	long atom_need;
	re2_shape cur;
	size_t repeat_src; /* where the last quantifier starts in s */
	size_t flags_out; /* LAST_ATOM_FLAGS: where the flag groups start in out */
	char **names;
	size_t ngroups, names_cap;
	char *err;
} re2_state;

bool re2_fail(re2_state *t, const char *code, size_t from, size_t to);
bool re2_refuse(re2_state *t, const char *what, size_t from, size_t to);
bool re2_is_alnum(uint32_t c);
/* The pattern was checked to be valid UTF-8 up front, so decoding cannot fail. */
uint32_t re2_next_rune(const re2_state *t, size_t *i);
/* Appends r as a PCRE2 literal: alphanumerics as they are, anything else as \x{...}. */
void re2_emit_char(pj_buf *out, uint32_t r);
/* Starts a new repeatable item (an assertion when `assertion`). */
void re2_begin_atom(re2_state *t, bool assertion);
/* Go's parseEscape: a backslash escape standing for one character, at *i. */
bool re2_parse_escape(re2_state *t, size_t *i, uint32_t *r);

/* \p{Name}, \pN, \P..., \p{^Name} at *i; in_class emits class items. */
bool re2_parse_unicode_class(re2_state *t, size_t *i, bool in_class, bool *emitted);
/* \d \D \s \S \w \W at *i; returns false if there is none (*ok: no error). */
bool re2_perl_class(re2_state *t, size_t *i, bool in_class, bool *ok);
/* A bracket class starting at t->pos. */
bool re2_parse_class(re2_state *t);

#endif
