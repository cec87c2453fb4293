/*
 * Decoding JFR values: primitives, strings in all six encodings, and whole
 * instances of metadata classes, with fast paths for the common all-varint
 * layouts (event records, stack frames). Every read is bounds-checked.
 */
#include "profile/jfr_internal.h"

#include <string.h>

/* Skips `count` varints; the 9th byte of a varint carries 8 payload bits. */
static inline bool jfr_skip_varints(jfr_reader *r, size_t *pos, size_t end, uint32_t count)
{
	const uint8_t *d = r->data;
	size_t p = *pos;
	while (count--) {
		for (int k = 0;; k++) {
			if (p >= end)
				return jfr_fail(r, *pos, "truncated varint (record or chunk ends at %zu)", end);
			if (k == 8 || d[p++] < 0x80) {
				p += k == 8;
				break;
			}
		}
	}
	*pos = p;
	return true;
}

/*
 * Skips `count` varints eight bytes at a time: every byte below 0x80 ends
 * one, so a word's terminators are counted (a popcount). A varint with
 * eight continuation bytes (its 9th byte is payload, whatever its top bit)
 * is the one case the count gets wrong; the scan notices the long run and
 * steps over that varint exactly.
 */
static bool jfr_skip_many_varints(jfr_reader *r, size_t *pos, size_t end, uint64_t count)
{
	const uint8_t *d = r->data;
	size_t p = *pos, run = 0; /* run: continuation bytes of the current varint so far */
	while (count && end - p >= 8) {
		uint64_t stops = jfr_varint_ends(jfr_load_le64(d + p));
		if (!stops || run + ((size_t)__builtin_ctzll(stops) >> 3) >= 8) {
			size_t start = p - run;
			if (!jfr_skip_varints(r, &start, end, 1))
				return false;
			p = start;
			run = 0;
			count--;
			continue;
		}
		/* stops has at most one bit per byte (bit 7), so a multiply sums the
		 * bytes into the top one: no popcnt instruction on baseline x86-64,
		 * and the libgcc fallback call cost ~3% of a conversion. */
		uint64_t k = ((stops >> 7) * 0x0101010101010101ULL) >> 56;
		if (k < count) {
			count -= k;
			run = 7 - ((size_t)(63 - __builtin_clzll(stops)) >> 3);
			p += 8;
			continue;
		}
		for (uint64_t i = 1; i < count; i++)
			stops &= stops - 1;
		p += ((size_t)__builtin_ctzll(stops) >> 3) + 1;
		run = 0;
		count = 0;
	}
	p -= run;
	for (; count; count--) {
		if (!jfr_skip_varints(r, &p, end, 1))
			return false;
	}
	*pos = p;
	return true;
}

bool jfr_read_varint(jfr_reader *r, size_t *pos, size_t end, uint64_t *v)
{
	size_t p = *pos;
	const uint8_t *d = r->data;
	uint64_t x = 0;
	if (end - p >= 9) {
		/* Fast path: no bounds checks, the longest encoding fits. */
		for (int k = 0; k < 8; k++) {
			uint8_t b = d[p++];
			x |= (uint64_t)(b & 0x7f) << (7 * k);
			if (b < 0x80) {
				*pos = p;
				*v = x;
				return true;
			}
		}
		x |= (uint64_t)d[p++] << 56;
		*pos = p;
		*v = x;
		return true;
	}
	for (int k = 0; k < 9; k++) {
		if (p >= end)
			return jfr_fail(r, *pos, "truncated varint (record or chunk ends at %zu)", end);
		uint8_t b = d[p++];
		if (k == 8) {
			x |= (uint64_t)b << 56;
			break;
		}
		x |= (uint64_t)(b & 0x7f) << (7 * k);
		if (b < 0x80)
			break;
	}
	*pos = p;
	*v = x;
	return true;
}

bool jfr_read_fixed(jfr_reader *r, size_t *pos, size_t end, size_t width, uint64_t *v)
{
	if (end - *pos < width)
		return jfr_fail(r, *pos, "truncated %zu-byte integer (ends at %zu)", width, end);
	uint64_t x = 0;
	for (size_t i = 0; i < width; i++)
		x = x << 8 | r->data[*pos + i];
	*pos += width;
	*v = x;
	return true;
}

bool jfr_read_u8(jfr_reader *r, size_t *pos, size_t end, uint8_t *v)
{
	if (*pos >= end)
		return jfr_fail(r, *pos, "truncated byte (ends at %zu)", end);
	*v = r->data[(*pos)++];
	return true;
}

/* Reads a count or length and checks that many bytes (at least) remain. */
static bool jfr_read_count(jfr_reader *r, size_t *pos, size_t end, uint64_t *n, const char *what)
{
	size_t at = *pos;
	if (!jfr_read_int(r, pos, end, n))
		return false;
	if (*n > end - *pos)
		return jfr_fail(r, at, "%s %llu exceeds the %zu bytes left", what, (unsigned long long)*n,
			end - *pos);
	return true;
}

bool jfr_skip_string(jfr_reader *r, size_t *pos, size_t end)
{
	size_t at = *pos;
	uint8_t enc = 0;
	uint64_t n, v;
	if (!jfr_read_u8(r, pos, end, &enc))
		return false;
	switch (enc) {
	case 0:
	case 1:
		return true;
	case 2:
		return jfr_read_long(r, pos, end, &v);
	case 3:
	case 5:
		if (!jfr_read_count(r, pos, end, &n, "string length"))
			return false;
		*pos += n;
		return true;
	case 4:
		if (!jfr_read_count(r, pos, end, &n, "string length"))
			return false;
		/* UTF-16 units as varints (the JDK's metadata strings): skipped a word at a time. */
		if (r->chunk.compressed)
			return jfr_skip_many_varints(r, pos, end, n);
		for (uint64_t i = 0; i < n; i++) {
			if (!jfr_read_fixed(r, pos, end, 2, &v))
				return false;
		}
		return true;
	default:
		return jfr_fail(r, at, "unknown string encoding %u", enc);
	}
}

static bool jfr_skip_struct(jfr_reader *r, size_t *pos, size_t end, int32_t cls, int depth);

static bool jfr_skip_one(jfr_reader *r, size_t *pos, size_t end, uint8_t kind, int32_t cls, int depth,
	uint64_t *u)
{
	switch (kind) {
	case JFR_K_VARINT:
		return jfr_read_varint(r, pos, end, u);
	case JFR_K_I16:
		return jfr_read_fixed(r, pos, end, 2, u);
	case JFR_K_I32:
	case JFR_K_F32:
		return jfr_read_fixed(r, pos, end, 4, u);
	case JFR_K_I64:
	case JFR_K_F64:
		return jfr_read_fixed(r, pos, end, 8, u);
	case JFR_K_U8: {
		uint8_t b = 0;
		if (!jfr_read_u8(r, pos, end, &b))
			return false;
		*u = b;
		return true;
	}
	case JFR_K_STRING:
		return jfr_skip_string(r, pos, end);
	case JFR_K_STRUCT:
		return jfr_skip_struct(r, pos, end, cls, depth + 1);
	default:
		if (cls >= 0)
			return jfr_fail(r, *pos, "type %s has no fields and is not a primitive",
				r->classes[cls].name);
		return jfr_fail(r, *pos, "value of an undeclared type");
	}
}

bool jfr_skip_value(jfr_reader *r, size_t *pos, size_t end, uint8_t kind, int32_t cls, int depth)
{
	uint64_t u;
	return jfr_skip_one(r, pos, end, kind, cls, depth, &u);
}

/* With walk_array false an array's elements are left unread (its count is still checked). */
static bool jfr_field_value(jfr_reader *r, const jfr_field *f, size_t *pos, size_t end, int depth,
	jfr_value *out, bool walk_array)
{
	if (f->kind == JFR_K_BAD) {
		if (f->type < 0)
			return jfr_fail(r, *pos, "field %s has undeclared type %llu", f->name,
				(unsigned long long)f->type_id);
		return jfr_fail(r, *pos, "field %s: type %s has no fields and is not a primitive", f->name,
			r->classes[f->type].name);
	}
	out->pos = *pos;
	if (!f->array)
		return jfr_skip_one(r, pos, end, f->kind, f->type, depth, &out->u);
	uint64_t n, u;
	if (!jfr_read_count(r, pos, end, &n, "array length"))
		return false;
	out->u = n;
	out->pos = *pos;
	if (f->kind == JFR_K_U8) {
		*pos += n;
		return true;
	}
	if (!walk_array)
		return true;
	if (f->kind == JFR_K_STRUCT && r->classes[f->type].all_varint) {
		uint64_t nf = r->classes[f->type].nfields;
		if (n > UINT64_MAX / nf)
			return jfr_fail(r, out->pos, "array of %llu elements is too long", (unsigned long long)n);
		return jfr_skip_many_varints(r, pos, end, n * nf);
	}
	for (uint64_t i = 0; i < n; i++) {
		if (!jfr_skip_one(r, pos, end, f->kind, f->type, depth, &u))
			return false;
	}
	return true;
}

static bool jfr_skip_struct(jfr_reader *r, size_t *pos, size_t end, int32_t cls, int depth)
{
	if (depth > JFR_MAX_VALUE_DEPTH)
		return jfr_fail(r, *pos, "values nested deeper than %d (recursive type %s?)",
			JFR_MAX_VALUE_DEPTH, r->classes[cls].name);
	const jfr_class *c = &r->classes[cls];
	if (c->all_varint)
		return jfr_skip_varints(r, pos, end, c->nfields);
	jfr_value v;
	for (uint32_t i = 0; i < c->nfields; i++) {
		const jfr_field *f = &r->fields[c->first_field + i];
		/* Scalars inline: pools are mostly small structs of keys, flags and strings. */
		bool ok = f->array ? jfr_field_value(r, f, pos, end, depth, &v, true)
			: f->kind == JFR_K_VARINT ? jfr_skip_varints(r, pos, end, 1)
			: f->kind == JFR_K_U8	  ? jfr_read_u8(r, pos, end, &(uint8_t){0})
			: f->kind == JFR_K_STRING ? jfr_skip_string(r, pos, end)
						  : jfr_field_value(r, f, pos, end, depth, &v, true);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * The common case of event records and stack frames: every field a varint.
 * Reading may look past `end` (never past the chunk, which is in the
 * buffer), so one check after the loop replaces one per byte.
 */
static bool jfr_decode_varints(jfr_reader *r, const jfr_class *c, size_t *pos, size_t end, jfr_value *out,
	size_t nout, bool all)
{
	size_t p = *pos, lim = r->chunk_end;
	uint32_t n = c->nfields;
	if (!all && nout < n)
		n = (uint32_t)nout;
	uint32_t decode = nout < n ? (uint32_t)nout : n;
	for (uint32_t i = 0; i < decode; i++) {
		if (!jfr_varint_fast(r->data, &p, lim, &out[i].u) && !jfr_read_varint(r, &p, end, &out[i].u))
			return false;
	}
	if (decode < n && !jfr_skip_varints(r, &p, lim, n - decode))
		return false;
	if (p > end)
		return jfr_fail(r, *pos, "fields of %s run past the record end at %zu", c->name, end);
	*pos = p;
	return true;
}

bool jfr_reader_decode(jfr_reader *r, int32_t cls, size_t pos, size_t end, jfr_value *out,
	size_t nout, size_t *next)
{
	if (r->failed)
		return false;
	if (cls < 0 || (size_t)cls >= r->nclasses || end > r->chunk_end || pos > end)
		return jfr_fail(r, pos, "decode of class %d outside the chunk", cls);
	const jfr_class *c = &r->classes[cls];
	jfr_value tmp;
	if (c->prim != JFR_K_STRUCT) {
		jfr_value *o = nout ? &out[0] : &tmp;
		o->pos = pos;
		o->u = 0;
		if (!jfr_skip_one(r, &pos, end, c->prim, cls, 0, &o->u))
			return false;
	} else if (c->all_varint) {
		if (!jfr_decode_varints(r, c, &pos, end, out, nout, next != NULL))
			return false;
	} else {
		uint32_t n = c->nfields;
		if (!next && nout < n)
			n = (uint32_t)nout;
		for (uint32_t i = 0; i < n; i++) {
			jfr_value *o = i < nout ? &out[i] : &tmp;
			const jfr_field *f = &r->fields[c->first_field + i];
			o->pos = pos;
			o->u = 0;
			if (f->kind == JFR_K_VARINT && !f->array) {
				/* What jfr_field_value() does for a scalar varint, inline:
				 * pool entries (methods, classes) are mostly keys. */
				if (!jfr_varint_fast(r->data, &pos, end, &o->u) && !jfr_read_varint(r, &pos, end, &o->u))
					return false;
				continue;
			}
			if (!jfr_field_value(r, f, &pos, end, 0, o, next || i + 1 < n))
				return false;
		}
	}
	if (next)
		*next = pos;
	return true;
}

/*
 * Steps over one varint by finding its last byte in one word, without
 * assembling its value. False (nothing consumed) within 9 bytes of `lim`,
 * where the caller falls back to the checked decode and its errors.
 */
static inline bool jfr_skip_varint_fast(const uint8_t *d, size_t *pos, size_t lim)
{
	if (lim - *pos < 9)
		return false;
	jfr_varint_step(d, pos);
	return true;
}

bool jfr_reader_decode_some(jfr_reader *r, int32_t cls, size_t pos, size_t end, uint64_t want, jfr_value *out,
	size_t nout)
{
	if (r->failed)
		return false;
	if (cls < 0 || (size_t)cls >= r->nclasses || end > r->chunk_end || pos > end)
		return jfr_fail(r, pos, "decode of class %d outside the chunk", cls);
	const jfr_class *c = &r->classes[cls];
	if (!c->all_varint)
		return jfr_reader_decode(r, cls, pos, end, out, nout, NULL);
	/* The same reads as jfr_decode_varints(), so the same errors; fields
	 * not wanted (an event's start time, say) are only stepped over. */
	size_t p = pos, lim = r->chunk_end;
	uint32_t n = nout < c->nfields ? (uint32_t)nout : c->nfields;
	for (uint32_t i = 0; i < n; i++) {
		if (i < 64 && !(want >> i & 1) && jfr_skip_varint_fast(r->data, &p, lim))
			continue;
		if (!jfr_varint_fast(r->data, &p, lim, &out[i].u) && !jfr_read_varint(r, &p, end, &out[i].u))
			return false;
	}
	if (p > end)
		return jfr_fail(r, pos, "fields of %s run past the record end at %zu", c->name, end);
	return true;
}

bool jfr_reader_decode_many(jfr_reader *r, int32_t cls, size_t pos, size_t end, uint64_t count, size_t nout,
	uint64_t *out, size_t *next)
{
	if (r->failed)
		return false;
	if (cls < 0 || (size_t)cls >= r->nclasses || end > r->chunk_end || pos > end)
		return jfr_fail(r, pos, "decode of class %d outside the chunk", cls);
	const jfr_class *c = &r->classes[cls];
	if (count > end - pos)
		return jfr_fail(r, pos, "%llu elements of %s exceed the %zu bytes left", (unsigned long long)count,
			c->name, end - pos);
	if (!c->all_varint) {
		jfr_value v[16];
		for (uint64_t j = 0; j < count; j++) {
			if (!jfr_reader_decode(r, cls, pos, end, v, nout < 16 ? nout : 16, &pos))
				return false;
			for (size_t i = 0; i < nout; i++)
				out[j * nout + i] = i < 16 && i < c->nfields ? v[i].u : 0;
		}
	} else {
		const uint8_t *d = r->data;
		size_t lim = r->chunk_end, keep = nout < c->nfields ? nout : c->nfields;
		uint32_t rest = c->nfields - (uint32_t)keep;
		/* Elements that end at least 9 bytes per varint before the chunk
		 * end can be read a word at a time with no check: the same values
		 * the checked loop below gets (it too reads up to the chunk end). */
		uint64_t unchecked = c->nfields ? (lim - pos) / 9 / c->nfields : 0;
		uint64_t j = 0;
		if (keep == 2 && nout == 2 && rest == 2) {
			/* Stack frames as the JDK and async-profiler write them: the
			 * method and line kept, bytecode index and type stepped over. */
			for (; j < count && j < unchecked; j++) {
				out[2 * j] = jfr_varint_small(d, &pos);
				out[2 * j + 1] = jfr_varint_small(d, &pos);
				jfr_varint_step2(d, &pos);
			}
		}
		for (; j < count && j < unchecked; j++) {
			uint64_t *o = out + j * nout;
			for (size_t i = 0; i < keep; i++)
				o[i] = jfr_varint_small(d, &pos);
			for (size_t i = keep; i < nout; i++)
				o[i] = 0;
			for (uint32_t i = 0; i < rest; i++)
				jfr_varint_step(d, &pos);
		}
		for (; j < count; j++) {
			uint64_t *o = out + j * nout;
			for (size_t i = 0; i < keep; i++) {
				if (!jfr_varint_fast(d, &pos, lim, &o[i]) && !jfr_read_varint(r, &pos, end, &o[i]))
					return false;
			}
			for (size_t i = keep; i < nout; i++)
				o[i] = 0;
			if (rest && !jfr_skip_varints(r, &pos, lim, rest))
				return false;
		}
		if (pos > end)
			return jfr_fail(r, pos, "elements of %s run past the end at %zu", c->name, end);
	}
	if (next)
		*next = pos;
	return true;
}

/* Appends one code point as UTF-8 into space the caller reserved (4 bytes). */
static size_t jfr_utf8_at(char *u, uint32_t c)
{
	if (c < 0x80) {
		u[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		u[0] = (char)(0xC0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		u[0] = (char)(0xE0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	u[0] = (char)(0xF0 | c >> 18);
	u[1] = (char)(0x80 | (c >> 12 & 0x3F));
	u[2] = (char)(0x80 | (c >> 6 & 0x3F));
	u[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/*
 * UTF-16 code units (n of them, already bounded by the bytes left) to UTF-8
 * in the scratch buffer; unpaired surrogates become U+FFFD. The buffer starts
 * at one byte per unit (ASCII, the common case) and grows only for others,
 * so a bogus count cannot make it larger than the input warrants.
 */
static bool jfr_decode_chars(jfr_reader *r, size_t pos, uint64_t n, jfr_str *out)
{
	pj_buf_reset(&r->scratch);
	pj_buf_reserve(&r->scratch, (size_t)n + 8);
	char *o = r->scratch.data;
	size_t len = 0;
	uint32_t high = 0;
	const uint8_t *d = r->data;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v;
		if (r->chunk.compressed && pos < r->chunk_end && d[pos] < 0x80 && !high) {
			o[len++] = (char)d[pos++]; /* ASCII: the whole JDK metadata */
			continue;
		}
		/* Room for this unit (up to 4 bytes with a pending U+FFFD: 7) and the ASCII rest. */
		r->scratch.len = len;
		pj_buf_reserve(&r->scratch, (size_t)(n - i) + 8);
		o = r->scratch.data;
		if (r->chunk.compressed ? !jfr_read_varint(r, &pos, r->chunk_end, &v)
					: !jfr_read_fixed(r, &pos, r->chunk_end, 2, &v))
			return false;
		uint32_t u = (uint32_t)(v & 0xFFFF);
		if (high && u >= 0xDC00 && u <= 0xDFFF) {
			len += jfr_utf8_at(o + len, 0x10000 + ((high - 0xD800) << 10) + (u - 0xDC00));
			high = 0;
			continue;
		}
		if (high)
			len += jfr_utf8_at(o + len, 0xFFFD);
		high = 0;
		if (u >= 0xD800 && u <= 0xDBFF)
			high = u;
		else
			len += jfr_utf8_at(o + len, u >= 0xDC00 && u <= 0xDFFF ? 0xFFFD : u);
	}
	if (high)
		len += jfr_utf8_at(o + len, 0xFFFD);
	o[len] = '\0';
	r->scratch.len = len;
	out->ptr = o;
	out->len = len;
	return true;
}

static bool jfr_string_at(jfr_reader *r, size_t pos, jfr_str *out, int depth)
{
	size_t at = pos, end = r->chunk_end;
	uint8_t enc = 0;
	uint64_t n;
	out->ptr = "";
	out->len = 0;
	out->null = false;
	if (pos < r->chunk.offset || !jfr_read_u8(r, &pos, end, &enc))
		return jfr_fail(r, at, "string outside the chunk");
	switch (enc) {
	case 0:
		out->null = true;
		return true;
	case 1:
		return true;
	case 2: {
		size_t vpos;
		if (!jfr_read_long(r, &pos, end, &n))
			return false;
		if (depth > 0)
			return jfr_fail(r, at, "string pool entry refers to the string pool again");
		if (r->string_cls < 0 || !jfr_reader_pool(r, r->string_cls, n, &vpos)) {
			out->null = true;
			return true;
		}
		return jfr_string_at(r, vpos, out, depth + 1);
	}
	case 3:
		if (!jfr_read_count(r, &pos, end, &n, "string length"))
			return false;
		out->ptr = (const char *)r->data + pos;
		out->len = (size_t)n;
		return true;
	case 4:
		if (!jfr_read_count(r, &pos, end, &n, "string length"))
			return false;
		return jfr_decode_chars(r, pos, n, out);
	case 5:
		if (!jfr_read_count(r, &pos, end, &n, "string length"))
			return false;
		pj_buf_reset(&r->scratch);
		pj_buf_reserve(&r->scratch, (size_t)n * 2);
		for (uint64_t i = 0; i < n; i++)
			r->scratch.len += jfr_utf8_at(r->scratch.data + r->scratch.len, r->data[pos + i]);
		r->scratch.data[r->scratch.len] = '\0';
		out->ptr = r->scratch.data;
		out->len = r->scratch.len;
		return true;
	default:
		return jfr_fail(r, at, "unknown string encoding %u", enc);
	}
}

bool jfr_reader_string(jfr_reader *r, size_t pos, jfr_str *out)
{
	if (r->failed)
		return false;
	return jfr_string_at(r, pos, out, 0);
}
