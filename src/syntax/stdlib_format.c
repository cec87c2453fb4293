/*
 * string.format: Go's fmt.Sprintf over Alloy values. This file reads the
 * format directives (flags, width, precision, argument indexes) and reports
 * missing and surplus arguments; gofmt.c formats each argument.
 */
#include <stdlib.h>
#include <string.h>

#include "syntax/gofmt.h"
#include "base/utf8.h"
#include "syntax/internal.h"
#include "syntax/stdlib.h"

#define PJ_FMT_TOO_LARGE 1000000 /* fmt's limit on widths, precisions and indexes */

/* One string.format call: its format, its arguments and the parse state Go's fmt keeps. */
typedef struct pj_fmt {
	const char *f;
	size_t len, i;
	pj_value *const *args;
	size_t n, next; /* argument count and the next one to take */
	bool reordered; /* an explicit [n] index was used: surplus arguments are not reported */
	bool good_index;
} pj_fmt;

/* fmt's parsenum: digits at i; an absurdly long number swallows the rest of the format. */
static bool pj_fmt_parsenum(pj_fmt *p, size_t end, int *num)
{
	bool isnum = false;
	*num = 0;
	while (p->i < end && p->f[p->i] >= '0' && p->f[p->i] <= '9') {
		if (*num > PJ_FMT_TOO_LARGE) {
			p->i = p->len;
			*num = 0;
			return false;
		}
		*num = *num * 10 + (p->f[p->i++] - '0');
		isnum = true;
	}
	return isnum;
}

/* fmt's argNumber: an explicit "[n]" index; returns whether one was written. */
static bool pj_fmt_index(pj_fmt *p)
{
	if (p->i >= p->len || p->f[p->i] != '[')
		return false;
	p->reordered = true;
	const char *close = p->len - p->i >= 3 ? memchr(p->f + p->i + 1, ']', p->len - p->i - 1) : NULL;
	if (!close) {
		p->i++;
		p->good_index = false;
		return false;
	}
	size_t end = (size_t)(close - p->f);
	p->i++;
	int n;
	bool ok = pj_fmt_parsenum(p, end, &n) && p->i == end;
	p->i = end + 1;
	if (ok && n >= 1 && (size_t)n <= p->n)
		p->next = (size_t)n - 1;
	else
		p->good_index = false;
	return ok;
}

/* fmt's intFromArg: a '*' width or precision taken from an int argument. */
static bool pj_fmt_star(pj_fmt *p, int *out)
{
	*out = 0;
	if (p->next >= p->n)
		return false;
	const pj_value *v = p->args[p->next++];
	if (pj_value_kind(v) != PJ_NUMBER || pj_value_numkind(v) == PJ_NUM_FLOAT)
		return false;
	if (pj_value_numkind(v) == PJ_NUM_UINT && pj_value_uint(v) > INT64_MAX)
		return false;
	int64_t n = pj_value_int(v);
	if (n > PJ_FMT_TOO_LARGE || n < -PJ_FMT_TOO_LARGE)
		return false;
	*out = (int)n;
	return true;
}

static void pj_fmt_flags(pj_fmt *p, pj_gofmt_spec *sp)
{
	for (; p->i < p->len; p->i++) {
		switch (p->f[p->i]) {
		case '#': sp->sharp = true; break;
		case '0': sp->zero = !sp->minus; break;
		case '+': sp->plus = true; break;
		case '-': sp->minus = true, sp->zero = false; break;
		case ' ': sp->space = true; break;
		default: return;
		}
	}
}

/* Width: digits or '*'. Returns whether an index written before it still stands. */
static bool pj_fmt_width(pj_buf *out, pj_fmt *p, pj_gofmt_spec *sp, bool after_index)
{
	if (p->i < p->len && p->f[p->i] == '*') {
		p->i++;
		if (!pj_fmt_star(p, &sp->width)) {
			pj_buf_puts(out, "%!(BADWIDTH)");
			sp->width = -1;
		} else if (sp->width < 0) {
			sp->width = -sp->width;
			sp->minus = true, sp->zero = false;
		}
		return false;
	}
	int w;
	if (pj_fmt_parsenum(p, p->len, &w)) {
		sp->width = w;
		if (after_index)
			p->good_index = false; /* "%[3]2d" */
	}
	return after_index;
}

/* Precision: '.' then digits or '*' (an index may come first). */
static bool pj_fmt_precision(pj_buf *out, pj_fmt *p, pj_gofmt_spec *sp, bool after_index)
{
	if (!(p->i + 1 < p->len && p->f[p->i] == '.'))
		return after_index;
	p->i++;
	if (after_index)
		p->good_index = false; /* "%[3].2d" */
	after_index = pj_fmt_index(p);
	if (p->i < p->len && p->f[p->i] == '*') {
		p->i++;
		if (!pj_fmt_star(p, &sp->prec) || sp->prec < 0) {
			pj_buf_puts(out, "%!(BADPREC)");
			sp->prec = -1;
		}
		return false;
	}
	int prec;
	sp->prec = pj_fmt_parsenum(p, p->len, &prec) ? prec : 0;
	return after_index;
}

static void pj_fmt_arg(pj_buf *out, pj_fmt *p, pj_gofmt_spec *sp)
{
	const pj_value *v = p->args[p->next++];
	if (sp->verb == 'T' && pj_value_kind(v) == PJ_NULL) {
		pj_gofmt_pad(out, "<nil>", 5, sp);
	} else if (sp->verb == 'T') {
		/* Go prints the type name like a %s string: precision truncates it. */
		pj_value *type = pj_cstring(pj_gofmt_type(v));
		sp->verb = 's';
		pj_gofmt_value(out, type, sp);
		pj_value_unref(type);
	} else {
		if (sp->verb == 'v') {
			/* %#v asks for Go syntax; %+v only matters for structs, which Alloy values never are. */
			sp->sharp_v = sp->sharp;
			sp->sharp = sp->plus = false;
		}
		pj_gofmt_value(out, v, sp);
	}
}

/* One directive, from just after its '%', laid out as Go's doPrintf reads it. */
static void pj_fmt_directive(pj_buf *out, pj_fmt *p)
{
	pj_gofmt_spec sp = {.width = -1, .prec = -1};
	p->good_index = true;
	pj_fmt_flags(p, &sp);
	bool after_index = pj_fmt_index(p);
	after_index = pj_fmt_width(out, p, &sp, after_index);
	after_index = pj_fmt_precision(out, p, &sp, after_index);
	if (!after_index)
		pj_fmt_index(p);
	if (p->i >= p->len) {
		pj_buf_puts(out, "%!(NOVERB)");
		return;
	}
	size_t w;
	sp.verb = pj_utf8_decode(p->f + p->i, p->len - p->i, &w);
	p->i += w;
	if (sp.verb == '%') {
		pj_buf_putc(out, '%');
	} else if (!p->good_index || p->next >= p->n) {
		pj_buf_puts(out, "%!");
		pj_utf8_encode(out, sp.verb);
		pj_buf_puts(out, p->good_index ? "(MISSING)" : "(BADINDEX)");
	} else {
		pj_fmt_arg(out, p, &sp);
	}
}

static void pj_fmt_extra(pj_buf *out, const pj_fmt *p)
{
	pj_gofmt_spec plain = {.width = -1, .prec = -1, .verb = 'v'};
	pj_buf_puts(out, "%!(EXTRA ");
	for (size_t k = p->next; k < p->n; k++) {
		if (k > p->next)
			pj_buf_puts(out, ", ");
		if (pj_value_kind(p->args[k]) == PJ_NULL) {
			pj_buf_puts(out, "<nil>");
			continue;
		}
		pj_buf_puts(out, pj_gofmt_type(p->args[k]));
		pj_buf_putc(out, '=');
		pj_gofmt_value(out, p->args[k], &plain);
	}
	pj_buf_putc(out, ')');
}

PJ_BUILTIN(pj_std_format)
{
	if (!pj_check_arity(nargs, 1, true, err))
		return NULL;
	pj_value *fmtv = pj_arg_string(args[0], 0, err);
	if (!fmtv)
		return NULL;
	pj_fmt p = {.args = args + 1, .n = nargs - 1};
	p.f = pj_value_str(fmtv, &p.len);
	pj_buf out = PJ_BUF_INIT;
	while (p.i < p.len) {
		const char *pct = memchr(p.f + p.i, '%', p.len - p.i);
		size_t end = pct ? (size_t)(pct - p.f) : p.len;
		pj_buf_append(&out, p.f + p.i, end - p.i);
		if (!pct)
			break;
		p.i = end + 1;
		pj_fmt_directive(&out, &p);
	}
	if (!p.reordered && p.next < p.n)
		pj_fmt_extra(&out, &p);
	pj_value_unref(fmtv);
	size_t n = out.len;
	return out.data ? pj_string_take(pj_buf_detach(&out), n) : pj_string("", 0);
}
