/*
 * Differential check of jfr_reader_scan() (the conversion's fast path)
 * against the record walk it replaces, jfr_reader_next_event() plus
 * jfr_reader_decode_some(). Shared by test_jfr_scan.c and the fuzz_jfr
 * harness. Every class with fields is selected, JFR_SCAN_CLASSES at a time
 * (one pass over the file each), keeping up to four of its fields in an
 * order that is not field order, and then again with another choice of
 * fields (jsc_variant). Events the scan leaves undecoded are
 * decoded as the converter does. Both readers must see the same events
 * with the same values, or fail with the same error.
 */
#ifndef PJ_TESTS_JFR_SCAN_CHECK_H
#define PJ_TESTS_JFR_SCAN_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "profile/jfr_reader.h"

typedef struct jfr_scan_check {
	size_t events; /* selected events both readers saw */
	size_t decoded; /* of which the scan decoded itself */
	size_t errors; /* passes that ended in the same error on both sides */
	char why[320]; /* the first difference, if any */
} jfr_scan_check;

enum { JSC_MAX_CLASSES = 4096, JSC_BATCH = 7 }; /* an odd batch, to end batches anywhere */

/*
 * Which fields the check keeps: 0 = last, first, middle (a kept first
 * field); 1 = last and middle only, as the converter keeps a sample's
 * stack and state but steps over its start time and thread (the plans'
 * two-varint step, jfr_varint_step2_wide()).
 */
static int jsc_variant;

/* The fields kept for class cls (distinct; see jsc_variant); returns nout. */
static inline size_t jsc_fields(const jfr_reader *r, int32_t cls, int32_t fields[JFR_SCAN_SLOTS], uint64_t *want)
{
	int32_t n = (int32_t)jfr_reader_field_count(r, cls);
	if (n > 64)
		n = 64;
	int32_t pick[JFR_SCAN_SLOTS] = {n - 1, jsc_variant ? -1 : 0, n / 2, -1};
	*want = 0;
	for (int k = 0; k < JFR_SCAN_SLOTS; k++) {
		fields[k] = pick[k] >= 0 && !(*want >> pick[k] & 1) ? pick[k] : -1;
		if (fields[k] >= 0)
			*want |= 1ULL << fields[k];
	}
	return (size_t)n;
}

/* Selects the classes of pass `pass` in r; *more: a later pass has classes too. */
static inline void jsc_select(jfr_reader *r, size_t pass, bool *selected, bool *more)
{
	size_t n = jfr_reader_class_count(r), seen = 0;
	memset(selected, 0, JSC_MAX_CLASSES * sizeof(*selected));
	for (size_t c = 0; c < n && c < JSC_MAX_CLASSES; c++) {
		if (jfr_reader_field_count(r, (int32_t)c) == 0)
			continue;
		size_t p = seen++ / JFR_SCAN_CLASSES;
		*more |= p > pass;
		if (p != pass)
			continue;
		int32_t fields[JFR_SCAN_SLOTS];
		uint64_t want;
		size_t nout = jsc_fields(r, (int32_t)c, fields, &want);
		selected[c] = jfr_reader_scan_select(r, (int32_t)c, (uint32_t)c, fields, nout);
	}
}

static inline bool jsc_differ(jfr_scan_check *out, const char *what, const jfr_reader *a, const jfr_reader *b)
{
	const char *ea = jfr_reader_error(a), *eb = jfr_reader_error(b);
	snprintf(out->why, sizeof(out->why), "%s (scan: %s; walk: %s)", what, ea ? ea : "no error",
		eb ? eb : "no error");
	return false;
}

/* The walk's next selected event, decoded: 1, 0 at the chunk end, -1 on error. */
static inline int jsc_walk_next(jfr_reader *b, const bool *selected, jfr_event *ev, uint64_t v[JFR_SCAN_SLOTS])
{
	int rc;
	while ((rc = jfr_reader_next_event(b, ev)) > 0) {
		if (ev->cls < 0 || ev->cls >= JSC_MAX_CLASSES || !selected[ev->cls])
			continue;
		int32_t fields[JFR_SCAN_SLOTS];
		uint64_t want;
		size_t nout = jsc_fields(b, ev->cls, fields, &want);
		jfr_value all[64];
		if (!jfr_reader_decode_some(b, ev->cls, ev->body, ev->end, want, all, nout))
			return -1;
		for (int k = 0; k < JFR_SCAN_SLOTS; k++)
			v[k] = fields[k] >= 0 ? all[fields[k]].u : 0;
		return 1;
	}
	return rc;
}

/* The scan's next event as the converter sees it: 1, 0 at the chunk end, -1 on error. */
static inline int jsc_scan_next(jfr_reader *a, jfr_scanned *batch, int *n, int *i, jfr_scan_check *out,
	jfr_scanned *s)
{
	if (*i == *n) {
		*n = jfr_reader_scan(a, batch, JSC_BATCH);
		*i = 0;
		if (*n <= 0)
			return *n;
	}
	*s = batch[(*i)++];
	if (s->decoded) {
		out->decoded++;
		return 1;
	}
	int32_t fields[JFR_SCAN_SLOTS];
	uint64_t want;
	size_t nout = jsc_fields(a, (int32_t)s->tag, fields, &want);
	jfr_value all[64];
	if (!jfr_reader_decode_some(a, (int32_t)s->tag, s->body, s->end, want, all, nout))
		return -1;
	for (int k = 0; k < JFR_SCAN_SLOTS; k++)
		s->v[k] = fields[k] >= 0 ? all[fields[k]].u : 0;
	return 1;
}

/* One pass over the file; *more: another pass is needed. */
static inline bool jsc_pass(const uint8_t *data, size_t len, size_t pass, bool *more, jfr_scan_check *out)
{
	static bool selected[JSC_MAX_CLASSES];
	jfr_reader *a = jfr_reader_new(data, len), *b = jfr_reader_new(data, len);
	bool ok = true;
	for (;;) {
		int ra = jfr_reader_next_chunk(a), rb = jfr_reader_next_chunk(b);
		if (ra != rb) {
			ok = jsc_differ(out, "chunk loads differ", a, b);
			break;
		}
		if (ra < 0) {
			const char *ea = jfr_reader_error(a), *eb = jfr_reader_error(b);
			if (!ea || !eb || strcmp(ea, eb) != 0)
				ok = jsc_differ(out, "chunk load errors differ", a, b);
			else
				out->errors++;
		}
		if (ra <= 0)
			break;
		jsc_select(a, pass, selected, more);
		jfr_scanned batch[JSC_BATCH], s;
		int n = 0, i = 0;
		for (;;) {
			jfr_event ev;
			uint64_t v[JFR_SCAN_SLOTS];
			int sa = jsc_scan_next(a, batch, &n, &i, out, &s);
			if (sa < 0) {
				/* The scan may drop a failed batch's earlier events: the
				 * walk must fail the same way before the chunk ends. */
				while ((rb = jsc_walk_next(b, selected, &ev, v)) > 0)
					;
				break;
			}
			rb = jsc_walk_next(b, selected, &ev, v);
			if (sa != rb) {
				ok = jsc_differ(out, sa ? "an event only the scan has" : "an event only the walk has", a, b);
				break;
			}
			if (sa == 0)
				break;
			out->events++;
			if ((int32_t)s.tag != ev.cls || s.body != ev.body || s.end != ev.end ||
				memcmp(s.v, v, sizeof(v)) != 0) {
				char what[128];
				snprintf(what, sizeof(what), "event at offset %zu differs", ev.offset);
				ok = jsc_differ(out, what, a, b);
				break;
			}
		}
		if (!ok)
			break;
		const char *ea = jfr_reader_error(a), *eb = jfr_reader_error(b);
		if (!ea != !eb || (ea && strcmp(ea, eb) != 0)) {
			ok = jsc_differ(out, "errors differ", a, b);
			break;
		}
		if (ea) {
			out->errors++;
			break;
		}
	}
	jfr_reader_free(a);
	jfr_reader_free(b);
	return ok;
}

/* The whole check: true if the scan and the walk agree on every pass. */
static inline bool jfr_scan_agrees(const uint8_t *data, size_t len, jfr_scan_check *out)
{
	memset(out, 0, sizeof(*out));
	for (jsc_variant = 0; jsc_variant < 2; jsc_variant++) {
		bool more = true;
		for (size_t pass = 0; more; pass++) {
			more = false;
			if (!jsc_pass(data, len, pass, &more, out))
				return false;
		}
	}
	return true;
}

#endif
