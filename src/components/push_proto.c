/*
 * Encoding and decoding of the push API's PushRequest. The messages are
 * small and flat, so they are written field by field into one buffer; the
 * decoder is a bounds-checked "read key, switch on field, skip unknown" loop
 * per message.
 */
#include "components/push_proto.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "profile/pb.h"
#include "syntax/gostr.h"

enum { WIRE_LEN = PB_WIRE_LEN };

static bool label_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.';
}

static bool label_name_valid(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++) {
		if (!label_name_char(*p))
			return false;
	}
	return true;
}

bool pj_push_labels_check(const pj_label *labels, size_t n, char **err)
{
	if (n == 0) {
		*err = pj_strdup("invalid labels in profile: no labels");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = labels[i].name;
		if (strcmp(name, "__name__") != 0 && !label_name_valid(name)) {
			*err = pj_asprintf("invalid labels in profile: invalid label name \"%s\"", name);
			return false;
		}
		if (!pj_utf8_valid(labels[i].value, strlen(labels[i].value))) {
			*err = pj_asprintf("invalid labels in profile: invalid UTF-8 in the value of label \"%s\"",
				name);
			return false;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(labels[j].name, name) == 0) {
				*err = pj_asprintf("invalid labels in profile: duplicate label name \"%s\"", name);
				return false;
			}
		}
	}
	return true;
}

static bool label_kept(const char *name)
{
	return strncmp(name, "__", 2) != 0 || strcmp(name, "__name__") == 0 || strcmp(name, "__delta__") == 0;
}

static int label_cmp(const void *a, const void *b)
{
	return strcmp(((const pj_label *)a)->name, ((const pj_label *)b)->name);
}

/* Index of the label called name in out[0..n), or n. */
static size_t label_find(const pj_label *out, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(out[i].name, name) == 0)
			return i;
	}
	return n;
}

pj_label *pj_push_labels_prepare(const pj_label *labels, size_t n, const pj_value *external,
	size_t *out_n)
{
	size_t next = external && pj_value_kind(external) == PJ_OBJECT ? pj_object_len(external) : 0;
	pj_label *out = pj_calloc(n + next + 1, sizeof(*out));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (label_kept(labels[i].name))
			out[m++] = labels[i];
	}
	for (size_t i = 0; i < next; i++) {
		const char *name = pj_object_key(external, i);
		size_t len;
		const char *value = pj_value_str(pj_object_value(external, i), &len);
		size_t at = label_find(out, m, name);
		if (!value || !*value) {
			if (at < m)
				out[at] = out[--m];
			continue;
		}
		out[at] = (pj_label){name, value};
		if (at == m)
			m++;
	}
	qsort(out, m, sizeof(*out), label_cmp);
	*out_n = m;
	return out;
}

static void put_varint(pj_buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;
	while (v >= 0x80) {
		tmp[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	tmp[n++] = (unsigned char)v;
	pj_buf_append(b, tmp, n);
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void put_bytes(pj_buf *b, unsigned field, const void *data, size_t len)
{
	put_varint(b, (uint64_t)field << 3 | WIRE_LEN);
	put_varint(b, len);
	pj_buf_append(b, data, len);
}

/* Size of a LEN field's payload plus its key and length prefix. */
static size_t field_len(size_t payload)
{
	return 1 + varint_len(payload) + payload;
}

static size_t label_pair_len(const pj_label *l)
{
	return field_len(strlen(l->name)) + field_len(strlen(l->value));
}

static size_t raw_sample_len(const pj_raw_sample *s)
{
	size_t id = s->id ? strlen(s->id) : 0;
	return field_len(s->len) + (id ? field_len(id) : 0);
}

void pj_push_encode(const pj_label *labels, size_t nlabels, const pj_raw_sample *samples,
	size_t nsamples, pj_buf *out)
{
	size_t series = 0;
	for (size_t i = 0; i < nlabels; i++)
		series += field_len(label_pair_len(&labels[i]));
	for (size_t i = 0; i < nsamples; i++)
		series += field_len(raw_sample_len(&samples[i]));
	pj_buf_reserve(out, field_len(series));
	put_varint(out, 1 << 3 | WIRE_LEN);
	put_varint(out, series);
	for (size_t i = 0; i < nlabels; i++) {
		put_varint(out, 1 << 3 | WIRE_LEN);
		put_varint(out, label_pair_len(&labels[i]));
		put_bytes(out, 1, labels[i].name, strlen(labels[i].name));
		put_bytes(out, 2, labels[i].value, strlen(labels[i].value));
	}
	for (size_t i = 0; i < nsamples; i++) {
		put_varint(out, 2 << 3 | WIRE_LEN);
		put_varint(out, raw_sample_len(&samples[i]));
		put_bytes(out, 1, samples[i].data, samples[i].len);
		if (samples[i].id && *samples[i].id)
			put_bytes(out, 2, samples[i].id, strlen(samples[i].id));
	}
}

/* Collected strings of one series, freed after the callback. */
typedef struct series_build {
	pj_push_series s;
	size_t label_cap, sample_cap;
	char **strings;
	size_t nstrings, strings_cap;
} series_build;

static char *keep_string(series_build *b, const pb_reader *r)
{
	char *s = pj_strndup((const char *)r->p, (size_t)(r->end - r->p));
	b->strings = pj_grow(b->strings, &b->strings_cap, b->nstrings + 1, sizeof(*b->strings));
	b->strings[b->nstrings++] = s;
	return s;
}

static bool decode_label(series_build *b, pb_reader r)
{
	pj_label l = {"", ""};
	pb_field f;
	while (r.p < r.end) {
		if (!pb_read_field(&r, &f))
			return false;
		if (f.wire == WIRE_LEN && f.number == 1)
			l.name = keep_string(b, &f.payload);
		else if (f.wire == WIRE_LEN && f.number == 2)
			l.value = keep_string(b, &f.payload);
	}
	b->s.labels = pj_grow(b->s.labels, &b->label_cap, b->s.nlabels + 1, sizeof(*b->s.labels));
	b->s.labels[b->s.nlabels++] = l;
	return true;
}

static bool decode_sample(series_build *b, pb_reader r)
{
	pj_raw_sample s = {"", 0, NULL};
	pb_field f;
	while (r.p < r.end) {
		if (!pb_read_field(&r, &f))
			return false;
		if (f.wire == WIRE_LEN && f.number == 1) {
			s.data = f.payload.p;
			s.len = (size_t)(f.payload.end - f.payload.p);
		} else if (f.wire == WIRE_LEN && f.number == 2) {
			s.id = keep_string(b, &f.payload);
		}
	}
	b->s.samples = pj_grow(b->s.samples, &b->sample_cap, b->s.nsamples + 1, sizeof(*b->s.samples));
	b->s.samples[b->s.nsamples++] = s;
	return true;
}

static bool decode_series(series_build *b, pb_reader r)
{
	pb_field f;
	while (r.p < r.end) {
		if (!pb_read_field(&r, &f))
			return false;
		if (f.wire == WIRE_LEN && f.number == 1 && !decode_label(b, f.payload))
			return false;
		if (f.wire == WIRE_LEN && f.number == 2 && !decode_sample(b, f.payload))
			return false;
	}
	return true;
}

static void series_build_free(series_build *b)
{
	for (size_t i = 0; i < b->nstrings; i++)
		free(b->strings[i]);
	free(b->strings);
	free(b->s.labels);
	free(b->s.samples);
}

bool pj_push_decode(const void *data, size_t len, pj_push_series_fn fn, void *ctx, char **err)
{
	pb_reader r = pb_reader_of(data, len);
	pb_field f;
	while (r.p < r.end) {
		if (!pb_read_field(&r, &f)) {
			*err = pj_strdup("malformed PushRequest");
			return false;
		}
		if (f.wire != WIRE_LEN || f.number != 1)
			continue;
		series_build b = {0};
		bool ok = decode_series(&b, f.payload);
		if (!ok)
			*err = pj_strdup("malformed PushRequest series");
		else
			ok = fn(ctx, &b.s, err);
		series_build_free(&b);
		if (!ok)
			return false;
	}
	return true;
}
