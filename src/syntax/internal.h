#ifndef PJ_SYNTAX_INTERNAL_H
#define PJ_SYNTAX_INTERNAL_H

/*
 * Helpers shared by the value code, the standard library and the evaluator.
 * Private to src/syntax.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "syntax/token.h"
#include "syntax/value.h"

/* The value of one hex digit, or -1 (Go escape and JSON rules accept both cases). */
static inline int pj_hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* A number as Alloy's ToString writes it: ints plain, floats shortest without exponent. */
void pj_number_text(pj_buf *out, const pj_value *v);

/* Arithmetic on two numbers (ADD SUB MUL DIV MOD POW); the caller rules out a zero divisor. */
pj_value *pj_number_binop(pj_tok op, const pj_value *a, const pj_value *b);
bool pj_number_zero(const pj_value *v);
/* LT LTE GT GTE on two numbers; false whenever a NaN is involved. */
bool pj_number_compare(pj_tok op, const pj_value *a, const pj_value *b);

/*
 * Builtins report errors as text; to let the evaluator point the message at
 * the argument (or array element) at fault, they also record a blame for the
 * current thread. The evaluator resets it before each call.
 */
typedef struct pj_blame {
	bool set;
	size_t arg;
	bool has_elem;
	size_t elem;
} pj_blame;

void pj_blame_reset(void);
void pj_blame_arg(size_t arg);
void pj_blame_elem(size_t arg, size_t elem);
pj_blame pj_blame_get(void);

/* Sets *err to "expected N args, got M" (or "at least") when the count is wrong. */
bool pj_check_arity(size_t nargs, size_t want, bool variadic, char **err);
/* Argument decoding per spec 3.2; on failure blame argument `index` and set *err. */
pj_value *pj_arg_string(const pj_value *arg, size_t index, char **err);
pj_value *pj_arg_string_list(const pj_value *arg, size_t index, char **err);

#endif
