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
	p->lead2 = p->fast && nout >= 2 && !op[0] && !op[1];
	memcpy(p->op, op, sizeof(op));
	p->reach = 9 * nout;
	r->nplans++;
	r->plan_of_cls[cls] = (uint8_t)r->nplans;
	/* A type id declared twice means its first class, as in jfr_class_by_id();
	 * ids 0 and 1 are metadata and checkpoints, never events. */
	if (c->id > 1 && c->id < JFR_SMALL_IDS && r->small_ids[c->id] - 1 == cls)
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

/* The checked decode of a planned record's kept fields (rare: kept out of the loop). */
static __attribute__((noinline)) bool jfr_scan_checked(jfr_reader *r, const jfr_scan_plan *p, jfr_scanned *s)
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

/* One step of a plan: decode the varint at *q into its slot, or step over it. */
static inline __attribute__((always_inline)) void jfr_scan_op(const uint8_t *d, unsigned op, size_t *q, uint64_t *v)
{
	if (op)
		v[op - 1] = jfr_varint_small(d, q);
	else
		jfr_varint_step(d, q);
}

/*
 * The fast decode of a planned record: false (nothing stored that matters)
 * if its fields overrun the record, which the checked path then reports.
 */
static inline __attribute__((always_inline)) bool jfr_scan_fast(const uint8_t *d, const jfr_scan_plan *plan,
	size_t q, size_t end, uint64_t *v)
{
	const uint8_t *op = plan->op;
	size_t nout = plan->nout;
	/* The start time and the thread (unless kept): both from one mask. */
	if (plan->lead2 && nout == 4) {
		(void)jfr_varint_step2_wide(d, &q);
		jfr_scan_op(d, op[2], &q, v);
		jfr_scan_op(d, op[3], &q, v);
		return q <= end;
	}
	/* Most event classes need their first four fields or fewer: unrolled. */
	switch (nout) {
	case 4:
		jfr_scan_op(d, op[0], &q, v);
		jfr_scan_op(d, op[1], &q, v);
		jfr_scan_op(d, op[2], &q, v);
		jfr_scan_op(d, op[3], &q, v);
		break;
	case 3:
		jfr_scan_op(d, op[0], &q, v);
		jfr_scan_op(d, op[1], &q, v);
		jfr_scan_op(d, op[2], &q, v);
		break;
	default:
		for (size_t i = 0; i < nout; i++)
			jfr_scan_op(d, op[i], &q, v);
	}
	return q <= end;
}

/*
 * Fills s for a record of a selected class: 1 = done, -1 = error, 0 = the
 * record needs the checked decode and is not the batch's first. A batch
 * then ends before it: the caller handles the events already in the batch
 * (decoding those of classes without a plan, which may fail) before this
 * one can fail, in the order of the record walk. Inlined by force: as a
 * call, its prologue and epilogue cost a tenth of the loop.
 */
static inline __attribute__((always_inline)) int jfr_scan_emit(jfr_reader *r, const jfr_scan_plan *plan,
	size_t body, size_t end, jfr_scanned *s, bool first, bool in_reach)
{
	bool fast = plan->fast;
	memset(s->v, 0, sizeof(s->v));
	s->body = body;
	s->end = end;
	s->tag = plan->tag;
	s->decoded = fast;
	if (!fast || ((in_reach || r->chunk_end - body >= plan->reach) && jfr_scan_fast(r->data, plan, body, end, s->v)))
		return 1;
	if (!first)
		return 0;
	return jfr_scan_checked(r, plan, s) ? 1 : -1;
}

/*
 * The common records: a one-byte size and type id (events under 128 bytes
 * of the first 128 types), far enough from the chunk end that no check of
 * it is needed. Stops at anything else, for jfr_scan_record(): 1, or 0 / -1
 * as jfr_scan_emit().
 */
static inline int jfr_scan_short(jfr_reader *r, size_t *pos, size_t stop, jfr_scanned *out, size_t *n,
	size_t max)
{
	const uint8_t *d = r->data;
	/* Locals, not *pos and *n: the stores into out[] could alias those for the compiler. */
	size_t at = *pos, count = *n;
	int rc = 1;
	while (count < max && at < stop) {
		unsigned size = d[at], type = d[at + 1];
		if ((size | type) & 0x80 || size < 2)
			break;
		unsigned k = r->plan_of_small[type];
		/* Before `stop`, a plan's reach lies inside the chunk. */
		if (k && (rc = jfr_scan_emit(r, &r->plans[k - 1], at + 2, at + size, &out[count], count == 0, true)) <= 0)
			break;
		count += k != 0;
		at += size;
	}
	*pos = at;
	*n = count;
	return rc;
}

/* Any one record at *pos, with every check: 1 = done, or 0 / -1 as jfr_scan_emit(). */
static int jfr_scan_record(jfr_reader *r, size_t *pos, jfr_scanned *out, size_t *n)
{
	size_t start = *pos, p = start, lim = r->chunk_end;
	uint64_t size, type;
	if (r->chunk.compressed && lim - start >= JFR_SCAN_HEADER_REACH) {
		size = jfr_varint_small(r->data, &p);
		type = jfr_varint_small(r->data, &p);
	} else if (*n > 0) {
		return 0; /* the checked reads may fail: first in a batch of its own */
	} else if (!jfr_read_int(r, &p, lim, &size) || !jfr_read_long(r, &p, lim, &type)) {
		return -1;
	}
	if (size == 0 || size > lim - start || p - start > size) {
		if (*n > 0)
			return 0;
		/* The record walk makes the same checks: let it say what is wrong. */
		jfr_event ev;
		r->event_pos = start;
		if (jfr_reader_next_event(r, &ev) >= 0)
			jfr_fail(r, start, "malformed record");
		return -1;
	}
	const jfr_scan_plan *plan = type > 1 ? jfr_scan_plan_of(r, type) : NULL;
	if (plan) {
		int rc = jfr_scan_emit(r, plan, p, start + (size_t)size, &out[*n], *n == 0, false);
		if (rc <= 0)
			return rc;
		(*n)++;
	}
	*pos = start + (size_t)size;
	return 1;
}

int jfr_reader_scan(jfr_reader *r, jfr_scanned *out, size_t max)
{
	if (r->failed)
		return -1;
	size_t pos = r->event_pos, lim = r->chunk_end, n = 0;
	/* Short records starting before `stop` lie wholly inside the chunk, and
	 * so does whatever a plan may look at past them. */
	size_t margin = 128 + 9 * 64;
	size_t stop = r->chunk.compressed && lim - pos > margin ? lim - margin : 0;
	int rc = 1;
	while (rc > 0 && n < max && pos < lim) {
		if (pos < stop)
			rc = jfr_scan_short(r, &pos, stop, out, &n, max);
		if (rc > 0 && n < max && pos < lim)
			rc = jfr_scan_record(r, &pos, out, &n);
	}
	if (rc < 0)
		return -1;
	r->event_pos = pos;
	return (int)n;
}
