/*
 * Number arithmetic as Alloy does it: both operands are widened to the wider
 * kind (uint < int < float) and integers wrap on overflow like Go's. All
 * integer work is done in uint64 so wrapping is defined behaviour in C.
 */
#include <math.h>

#include "syntax/internal.h"

static pj_numkind pj_fit(const pj_value *a, const pj_value *b)
{
	pj_numkind x = pj_value_numkind(a), y = pj_value_numkind(b);
	return x > y ? x : y;
}

/*
 * Alloy's intPow: repeated multiplication, except that exponent 0 or base 1
 * gives 1 and a negative exponent leaves the base unchanged. Squaring gives
 * the same wrapped product as the loop without taking 2^63 steps.
 */
static uint64_t pj_int_pow(uint64_t n, uint64_t m, bool negative_exp)
{
	if (m == 0 || n == 1)
		return 1;
	if (negative_exp)
		return n;
	uint64_t result = 1, base = n;
	while (m) {
		if (m & 1)
			result *= base;
		base *= base;
		m >>= 1;
	}
	return result;
}

static uint64_t pj_uint_op(pj_tok op, uint64_t a, uint64_t b)
{
	switch (op) {
	case PJ_TOK_ADD: return a + b;
	case PJ_TOK_SUB: return a - b;
	case PJ_TOK_MUL: return a * b;
	case PJ_TOK_DIV: return a / b;
	case PJ_TOK_MOD: return a % b;
	default: return pj_int_pow(a, b, false);
	}
}

static int64_t pj_int_op(pj_tok op, int64_t a, int64_t b)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
	switch (op) {
	case PJ_TOK_ADD: return (int64_t)(ua + ub);
	case PJ_TOK_SUB: return (int64_t)(ua - ub);
	case PJ_TOK_MUL: return (int64_t)(ua * ub);
	case PJ_TOK_DIV:
		if (b == -1)
			return (int64_t)(0 - ua); /* Go wraps MinInt64 / -1 instead of trapping */
		return a / b;
	case PJ_TOK_MOD:
		return b == -1 ? 0 : a % b;
	default:
		return (int64_t)pj_int_pow(ua, ub, b < 0);
	}
}

static double pj_float_op(pj_tok op, double a, double b)
{
	switch (op) {
	case PJ_TOK_ADD: return a + b;
	case PJ_TOK_SUB: return a - b;
	case PJ_TOK_MUL: return a * b;
	case PJ_TOK_DIV: return a / b;
	case PJ_TOK_MOD: return fmod(a, b);
	default: return pow(a, b);
	}
}

pj_value *pj_number_binop(pj_tok op, const pj_value *a, const pj_value *b)
{
	switch (pj_fit(a, b)) {
	case PJ_NUM_UINT:
		return pj_uint(pj_uint_op(op, pj_value_uint(a), pj_value_uint(b)));
	case PJ_NUM_INT:
		return pj_int(pj_int_op(op, pj_value_int(a), pj_value_int(b)));
	default:
		return pj_float(pj_float_op(op, pj_value_float(a), pj_value_float(b)));
	}
}

bool pj_number_zero(const pj_value *v)
{
	switch (pj_value_numkind(v)) {
	case PJ_NUM_UINT: return pj_value_uint(v) == 0;
	case PJ_NUM_INT: return pj_value_int(v) == 0;
	default: return pj_value_float(v) == 0;
	}
}

static bool pj_holds(pj_tok op, int cmp)
{
	switch (op) {
	case PJ_TOK_LT: return cmp < 0;
	case PJ_TOK_LTE: return cmp <= 0;
	case PJ_TOK_GT: return cmp > 0;
	default: return cmp >= 0;
	}
}

bool pj_number_compare(pj_tok op, const pj_value *a, const pj_value *b)
{
	switch (pj_fit(a, b)) {
	case PJ_NUM_UINT: {
		uint64_t x = pj_value_uint(a), y = pj_value_uint(b);
		return pj_holds(op, (x > y) - (x < y));
	}
	case PJ_NUM_INT: {
		int64_t x = pj_value_int(a), y = pj_value_int(b);
		return pj_holds(op, (x > y) - (x < y));
	}
	default: {
		double x = pj_value_float(a), y = pj_value_float(b);
		if (isnan(x) || isnan(y))
			return false;
		return pj_holds(op, (x > y) - (x < y));
	}
	}
}
