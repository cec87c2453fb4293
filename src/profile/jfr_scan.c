/*
 * Batch event scan (jfr_reader_scan(), see jfr_reader.h): the hot loop of a
 * conversion. Per selected class a plan says which varints to step over and
 * which to keep, so an event costs a size prefix, a type id and the wanted
 * fields; unselected records are stepped over by their size alone. Anything
 * the plan cannot take at full speed (the last bytes of a chunk, a record
 * whose fields overrun it) goes through the checked decoders, which then
 * give exactly the values or the error the generic path would.
 */
#include "profile/jfr_internal.h"

#include <stdlib.h>

#include "base/alloc.h"

/* Bytes a record's size and type prefix may look at on the fast path. */
#define JFR_SCAN_HEADER_REACH 18

bool jfr_reader_scan_select(jfr_reader *r, int32_t cls, uint32_t tag, const int32_t fields[JFR_SCAN_SLOTS],
	size_t nout)
{
	if (cls < 0 || (size_t)cls >= r->nclasses || r->nplans == JFR_SCAN_CLASSES)
		return false;
	const jfr_class *c = &r->classes[cls];
	if (nout > c->nfields || nout > 64)
		return false;
	uint8_t op[64] = {0};
	uint64_t want = 0;
	for (int k = 0; k < JFR_SCAN_SLOTS; k++) {
		if (fields[k] < 0)
			continue;
		if ((size_t)fields[k] >= nout || want >> fields[k] & 1)
			return false;
		want |= 1ULL << fields[k];
		op[fields[k]] = (uint8_t)(k + 1);
	}
	if (!r->plan_of_cls)
		r->plan_of_cls = pj_calloc(r->nclasses, 1);
	jfr_scan_plan *p = &r->plans[r->nplans];
	memset(p, 0, sizeof(*p));
	p->cls = cls;
	p->tag = tag;
	p->want = want;
	p->nout = nout;
	p->fast = c->all_varint && r->chunk.compressed;
	memcpy(p->op, op, sizeof(op));
	p->reach = 9 * nout;
	r->nplans++;
	r->plan_of_cls[cls] = (uint8_t)r->nplans;
	/* A type id declared twice means its first class, as in jfr_class_by_id(). */
	if (c->id < JFR_SMALL_IDS && r->small_ids[c->id] - 1 == cls)
		r->plan_of_small[c->id] = (uint8_t)r->nplans;
	return true;
}

/* The plan for a record's type id, or NULL if its class is not selected. */
static inline const jfr_scan_plan *jfr_scan_plan_of(const jfr_reader *r, uint64_t type)
{
	unsigned k;
	if (type < JFR_SMALL_IDS) {
		k = r->plan_of_small[type];
	} else {
		int32_t cls = jfr_class_by_id(r, type);
		k = cls >= 0 && r->plan_of_cls ? r->plan_of_cls[cls] : 0;
	}
	return k ? &r->plans[k - 1] : NULL;
}

/* The checked decode of a planned record's kept fields. */
static bool jfr_scan_checked(jfr_reader *r, const jfr_scan_plan *p, jfr_scanned *s)
{
	jfr_value v[64];
	if (!jfr_reader_decode_some(r, p->cls, s->body, s->end, p->want, v, p->nout))
		return false;
	for (size_t i = 0; i < p->nout; i++) {
		if (p->op[i])
			s->v[p->op[i] - 1] = v[i].u;
	}
	return true;
}

/*
 * The fast decode of a planned record: false (nothing stored that matters)
 * if its fields overrun the record, which the checked path then reports.
 */
static inline bool jfr_scan_fast(const uint8_t *d, const jfr_scan_plan *plan, size_t q, size_t end,
	uint64_t *v)
{
	for (size_t i = 0; i < plan->nout; i++) {
		if (plan->op[i])
			v[plan->op[i] - 1] = jfr_varint_small(d, &q);
		else
			jfr_varint_step(d, &q);
	}
	return q <= end;
}

int jfr_reader_scan(jfr_reader *r, jfr_scanned *out, size_t max)
{
	if (r->failed)
		return -1;
	const uint8_t *d = r->data;
	size_t pos = r->event_pos, lim = r->chunk_end, n = 0;
	bool compressed = r->chunk.compressed;
	while (n < max && pos < lim) {
		size_t start = pos, p = pos;
		uint64_t size, type;
		if (compressed && lim - start >= JFR_SCAN_HEADER_REACH) {
			size = jfr_varint_small(d, &p);
			type = jfr_varint_small(d, &p);
		} else if (!jfr_read_int(r, &p, lim, &size) || !jfr_read_long(r, &p, lim, &type)) {
			return -1;
		}
		if (size == 0 || size > lim - start || p - start > size) {
			/* The record walk makes the same checks: let it say what is wrong. */
			jfr_event ev;
			r->event_pos = start;
			if (jfr_reader_next_event(r, &ev) >= 0)
				jfr_fail(r, start, "malformed record");
			return -1;
		}
		pos = start + (size_t)size;
		if (type <= 1)
			continue;
		const jfr_scan_plan *plan = jfr_scan_plan_of(r, type);
		if (!plan)
			continue;
		jfr_scanned *s = &out[n++];
		memset(s->v, 0, sizeof(s->v));
		s->body = p;
		s->end = pos;
		s->tag = plan->tag;
		s->decoded = plan->fast;
		if (!plan->fast || (lim - p >= plan->reach && jfr_scan_fast(d, plan, p, pos, s->v)))
			continue;
		if (!jfr_scan_checked(r, plan, s))
			return -1;
	}
	r->event_pos = pos;
	return (int)n;
}
