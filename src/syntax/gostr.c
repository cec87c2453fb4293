#include "syntax/gostr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pj_float_shortest(double f, char digits[32], int *dp)
{
	char tmp[40];
	f = fabs(f);
	if (f == 0) {
		*dp = 0;
		return 0;
	}
	/* The first precision that reads back exactly is the shortest; %e rounds correctly. */
	for (int prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, f);
		if (strtod(tmp, NULL) == f || prec == 16)
			break;
	}
	int nd = 0;
	char *p = tmp;
	for (; *p && *p != 'e'; p++) {
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	}
	int exp = *p == 'e' ? atoi(p + 1) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	*dp = exp + 1;
	return nd;
}

static void pj_format_fixed(pj_buf *out, const char *d, int nd, int dp)
{
	if (nd == 0) {
		pj_buf_putc(out, '0');
		return;
	}
	if (dp <= 0) {
		pj_buf_puts(out, "0.");
		pj_buf_fill(out, '0', (size_t)-dp);
		pj_buf_append(out, d, (size_t)nd);
	} else if (dp >= nd) {
		pj_buf_append(out, d, (size_t)nd);
		pj_buf_fill(out, '0', (size_t)(dp - nd));
	} else {
		pj_buf_append(out, d, (size_t)dp);
		pj_buf_putc(out, '.');
		pj_buf_append(out, d + dp, (size_t)(nd - dp));
	}
}

static void pj_format_exp(pj_buf *out, const char *d, int nd, int dp)
{
	pj_buf_putc(out, nd ? d[0] : '0');
	if (nd > 1) {
		pj_buf_putc(out, '.');
		pj_buf_append(out, d + 1, (size_t)(nd - 1));
	}
	int exp = nd ? dp - 1 : 0;
	pj_buf_printf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

void pj_go_format_float(pj_buf *out, double f, char fmt, int prec)
{
	if (isnan(f)) {
		pj_buf_puts(out, "NaN");
		return;
	}
	if (isinf(f)) {
		pj_buf_puts(out, f > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (prec >= 0) {
		char spec[8] = {'%', '.', '*', fmt, 0};
		pj_buf_printf(out, spec, prec, f);
		return;
	}
	char d[32];
	int dp;
	int nd = pj_float_shortest(f, d, &dp);
	if (signbit(f))
		pj_buf_putc(out, '-');
	int exp = dp - 1;
	if (fmt == 'e' || (fmt == 'g' && nd && (exp < -4 || exp >= 6)))
		pj_format_exp(out, d, nd, dp);
	else
		pj_format_fixed(out, d, nd, dp);
}
