/*
 * Drives the pprof builder with operations decoded from the input (strings,
 * functions, locations, samples with labels), then encodes, gzips and folds
 * the result and walks the protobuf to check every length stays in bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/buf.h"
#include "profile/pprof.h"

typedef struct fz_in {
	const uint8_t *p;
	size_t n;
} fz_in;

static uint8_t fz_byte(fz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static int64_t fz_int(fz_in *in)
{
	int64_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 8 | fz_byte(in);
	return (fz_byte(in) & 1) ? -v : v;
}

/* A short string taken from the input (it may contain NULs). */
static const char *fz_str(fz_in *in, size_t *len)
{
	size_t n = fz_byte(in) % 12;
	n = n < in->n ? n : in->n;
	const char *s = (const char *)in->p;
	in->p += n;
	in->n -= n;
	*len = n;
	return s;
}

static void fz_sample(fz_in *in, pprof_builder *b, size_t nlocs)
{
	uint64_t stack[16];
	size_t depth = nlocs ? fz_byte(in) % 16 : 0;
	for (size_t i = 0; i < depth; i++)
		stack[i] = 1 + fz_byte(in) % nlocs;
	int64_t values[3];
	for (size_t i = 0; i < pprof_sample_type_count(b); i++)
		values[i] = fz_int(in);
	static const char *keys[] = {"thread", "span", "bytes"};
	pprof_label labels[2];
	size_t nlabels = fz_byte(in) % 3;
	for (size_t i = 0; i < nlabels; i++) {
		uint8_t k = fz_byte(in);
		labels[i] = (pprof_label){keys[k % 3], (k & 4) ? NULL : keys[(k >> 3) % 3], fz_int(in),
			(k & 64) ? "bytes" : NULL};
	}
	pprof_add_sample(b, stack, depth, values, labels, nlabels);
}

/* Walks one message: returns 0 if every field fits, -1 otherwise. */
static int fz_walk(const uint8_t *p, size_t n, int depth)
{
	size_t i = 0;
	while (i < n) {
		uint64_t key = 0, len = 0;
		for (int s = 0; i < n && s < 64; s += 7) {
			key |= (uint64_t)(p[i] & 0x7f) << s;
			if (!(p[i++] & 0x80))
				break;
		}
		if ((key & 7) == 0) {
			while (i < n && (p[i] & 0x80))
				i++;
			if (i++ >= n)
				return -1;
			continue;
		}
		if ((key & 7) != 2)
			return -1;
		for (int s = 0; i < n && s < 64; s += 7) {
			len |= (uint64_t)(p[i] & 0x7f) << s;
			if (!(p[i++] & 0x80))
				break;
		}
		if (len > n - i)
			return -1;
		/* Profile's sub-messages (all but the string table) must be well formed too;
		 * below them LEN fields are packed numbers or small messages: bounds only. */
		if (depth == 0 && (key >> 3) != 6 && fz_walk(p + i, (size_t)len, 1) != 0)
			return -1;
		i += (size_t)len;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_in in = {data, size};
	pprof_builder *b = pprof_new();
	size_t ntypes = fz_byte(&in) % 4;
	static const char *types[] = {"cpu", "alloc_objects", "alloc_bytes"};
	for (size_t i = 0; i < ntypes; i++)
		pprof_add_sample_type(b, types[i], "count");
	size_t nfuncs = 0, nlocs = 0;
	while (in.n) {
		size_t la, lb;
		const char *a, *s;
		switch (fz_byte(&in) % 4) {
		case 0:
			a = fz_str(&in, &la);
			pprof_string(b, a, la);
			break;
		case 1:
			a = fz_str(&in, &la);
			s = fz_str(&in, &lb);
			nfuncs = pprof_function(b, a, la, s, lb) > nfuncs ? nfuncs + 1 : nfuncs;
			break;
		case 2:
			if (nfuncs)
				nlocs = pprof_location(b, 1 + fz_byte(&in) % nfuncs, fz_int(&in)) > nlocs ? nlocs + 1 : nlocs;
			break;
		default:
			fz_sample(&in, b, nlocs);
		}
	}
	pj_buf out = PJ_BUF_INIT;
	pprof_encode(b, &out);
	if (fz_walk((const uint8_t *)out.data, out.len, 0) != 0)
		abort();
	pj_buf_reset(&out);
	if (!pprof_encode_gzip(b, &out))
		abort();
	pj_buf_reset(&out);
	pprof_write_collapsed(b, &out);
	pj_buf_free(&out);
	pprof_free(b);
	return 0;
}
