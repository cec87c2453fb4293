/*
 * JFR -> pprof (see jfr_pprof.h and docs/jfr-conversion.md).
 *
 * Per chunk, samples are aggregated by (profile, stack-trace key, thread):
 * by indexing for small keys, else in a flat hash map. When the chunk ends
 * each aggregate's stack is resolved to pprof locations, once, and handed
 * with its values to the profile's builder. Memory thus follows the number
 * of distinct stacks and constants, not the number of events.
 */
#include "profile/jfr_pprof.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/u64map.h"
#include "profile/jfr_reader.h"
#include "profile/jfr_stacks.h"

enum { JFR_ST_CPU, JFR_ST_WALL, JFR_ST_IN_TLAB, JFR_ST_OUT_TLAB, JFR_ST_ALLOC_SAMPLE, JFR_ST_LOCK, JFR_ST_PARK,
	JFR_ST_LIVE, JFR_ST_MALLOC, JFR_ST_COUNT };

static const struct jfr_profile_kind {
	const char *metric, *name;
	size_t ntypes;
	const char *types[2], *units[2];
	const char *period_type, *period_unit;
} jfr_kinds[JFR_ST_COUNT] = {
	{"process_cpu", "process_cpu_cpu__nanoseconds", 1, {"cpu"}, {"nanoseconds"}, "cpu", "nanoseconds"},
	{"wall", "wall_wall__nanoseconds", 1, {"wall"}, {"nanoseconds"}, "wall", "nanoseconds"},
	{"memory", "memory_alloc_in_new_tlab_objects__count alloc_in_new_tlab_bytes__bytes", 2,
		{"alloc_in_new_tlab_objects", "alloc_in_new_tlab_bytes"}, {"count", "bytes"}, "space", "bytes"},
	{"memory", "memory_alloc_outside_tlab_objects__count alloc_outside_tlab_bytes__bytes", 2,
		{"alloc_outside_tlab_objects", "alloc_outside_tlab_bytes"}, {"count", "bytes"}, "space", "bytes"},
	{"memory", "memory_alloc_sample_objects__count alloc_sample_bytes__bytes", 2,
		{"alloc_sample_objects", "alloc_sample_bytes"}, {"count", "bytes"}, "space", "bytes"},
	{"mutex", "mutex_contentions__count delay__nanoseconds", 2, {"contentions", "delay"},
		{"count", "nanoseconds"}, "mutex", "count"},
	{"block", "block_contentions__count delay__nanoseconds", 2, {"contentions", "delay"},
		{"count", "nanoseconds"}, "block", "count"},
	{"memory", "memory_live__count", 1, {"live"}, {"count"}, "objects", "count"},
	{"memory", "memory_malloc_objects__count malloc_bytes__bytes", 2, {"malloc_objects", "malloc_bytes"},
		{"count", "bytes"}, NULL, NULL},
};

/* The events converted, and which field carries each role. */
enum { JFR_EV_EXEC, JFR_EV_WALL, JFR_EV_IN_TLAB, JFR_EV_OUT_TLAB, JFR_EV_ALLOC_SAMPLE, JFR_EV_MONITOR,
	JFR_EV_PARK, JFR_EV_LIVE, JFR_EV_MALLOC, JFR_EV_SETTING, JFR_EV_COUNT };
/* The first JFR_SCAN_SLOTS roles are the ones jfr_reader_scan() decodes. */
enum { JFR_F_STACK, JFR_F_THREAD, JFR_F_STATE, JFR_F_VALUE, JFR_F_NAME, JFR_F_COUNT };
_Static_assert(JFR_F_VALUE < JFR_SCAN_SLOTS && JFR_F_NAME >= JFR_SCAN_SLOTS, "scanned roles");

static const struct jfr_event_kind {
	const char *cls;
	const char *fields[JFR_F_COUNT];
} jfr_events[JFR_EV_COUNT] = {
	{"jdk.ExecutionSample", {"stackTrace", "sampledThread", "state", NULL, NULL}},
	{"profiler.WallClockSample", {"stackTrace", "sampledThread", "state", "samples", NULL}},
	{"jdk.ObjectAllocationInNewTLAB", {"stackTrace", "eventThread", NULL, "tlabSize", NULL}},
	{"jdk.ObjectAllocationOutsideTLAB", {"stackTrace", "eventThread", NULL, "allocationSize", NULL}},
	{"jdk.ObjectAllocationSample", {"stackTrace", "eventThread", NULL, "weight", NULL}},
	{"jdk.JavaMonitorEnter", {"stackTrace", "eventThread", NULL, "duration", NULL}},
	{"jdk.ThreadPark", {"stackTrace", "eventThread", NULL, "duration", NULL}},
	{"profiler.LiveObject", {"stackTrace", "eventThread", NULL, NULL, NULL}},
	{"profiler.Malloc", {"stackTrace", "eventThread", NULL, "size", NULL}},
	{"jdk.ActiveSetting", {NULL, NULL, NULL, "value", "name"}},
};

#define JFR_MAX_EVENT_FIELDS 64

typedef struct jfr_bound_event {
	int32_t cls;
	size_t nout; /* fields to decode: up to the last one used */
	uint64_t want; /* bit i: field i is used */
	int32_t field[JFR_F_COUNT]; /* -1 = absent */
	jfr_timespan value_unit;
} jfr_bound_event;

typedef struct jfr_agg {
	int64_t values[2];
	uint64_t stack;
	uint64_t thread; /* per-thread mode: the thread key, for its root frame */
	uint32_t next; /* index + 1 of another kind's aggregate for the same stack; 0 = none */
	uint8_t kind;
} jfr_agg;

/* A slot of the chunk's stack index: the newest aggregate of a stack trace key. */
typedef struct jfr_agg_slot {
	uint64_t stack;
	uint32_t agg; /* index + 1; 0 = empty slot */
} jfr_agg_slot;

/* Batch size of jfr_reader_scan(): big enough to amortise the call, small enough for L1. */
#define JFR_SCAN_BATCH 128

typedef struct jfr_conv {
	jfr_reader *r;
	const jfr_convert_options *opts;
	int64_t period;
	char *event; /* last "event" setting */
	bool wall_mode; /* event == "wall" */
	pprof_builder *builders[JFR_ST_COUNT];

	jfr_bound_event ev[JFR_EV_COUNT];
	jfr_stacks stacks;

	/* Stack trace key -> its aggregates (one per kind, chained by next):
	 * an open-addressing table at most half full, probed inline per event.
	 * Per-thread mode keys aggregates by thread too and uses `samples`. */
	jfr_agg_slot *index;
	size_t index_mask, index_count;
	pj_u64map samples; /* per-thread mode: (stack key, thread slot << 4 | kind) -> agg index */
	pj_u64map threads; /* thread key -> slot (per-thread mode) */
	jfr_agg *aggs;
	size_t naggs, aggs_cap;
	uint64_t *locs; /* one stack's location ids while it is handed to its builder */
	size_t nlocs, locs_cap;
} jfr_conv;

static pprof_builder *jfr_builder(jfr_conv *c, int kind)
{
	if (c->builders[kind])
		return c->builders[kind];
	const struct jfr_profile_kind *k = &jfr_kinds[kind];
	pprof_builder *b = pprof_new();
	for (size_t i = 0; i < k->ntypes; i++)
		pprof_add_sample_type(b, k->types[i], k->units[i]);
	if (k->period_type)
		pprof_set_period(b, k->period_type, k->period_unit, 0);
	pprof_set_time(b, c->opts->start_nanos, c->opts->end_nanos - c->opts->start_nanos);
	c->builders[kind] = b;
	return b;
}

/* An inline java.lang.String field (not a pool reference, not an array). */
static bool jfr_plain_string(const jfr_reader *r, int32_t cls, int32_t field)
{
	const char *type = jfr_reader_class_name(r, jfr_reader_field_type(r, cls, field));
	return field >= 0 && type && strcmp(type, "java.lang.String") == 0 && !jfr_reader_field_is_array(r, cls, field) &&
	       !jfr_reader_field_is_cpool(r, cls, field);
}

/*
 * Asks the reader to scan for event e's class, keeping its role fields in
 * role order (the thread only where it is shown: per-thread mode). All
 * fields up to the last bound one are still decoded, so that both paths
 * validate alike.
 */
static void jfr_select(jfr_conv *c, int e)
{
	const jfr_bound_event *b = &c->ev[e];
	int32_t keep[JFR_SCAN_SLOTS];
	for (int f = 0; f < JFR_SCAN_SLOTS; f++)
		keep[f] = f == JFR_F_THREAD && !c->opts->per_thread ? -1 : b->field[f];
	/* Cannot fail: distinct fields of the class, all below nout. */
	if (b->cls >= 0)
		(void)jfr_reader_scan_select(c->r, b->cls, (uint32_t)e, keep, b->nout);
}

static void jfr_bind_chunk(jfr_conv *c)
{
	jfr_reader *r = c->r;
	for (int e = 0; e < JFR_EV_COUNT; e++) {
		jfr_bound_event *b = &c->ev[e];
		b->cls = jfr_reader_class(r, jfr_events[e].cls);
		b->nout = 0;
		b->want = 0;
		for (int f = 0; f < JFR_F_COUNT; f++) {
			const char *name = jfr_events[e].fields[f];
			int32_t idx = name ? jfr_reader_field(r, b->cls, name) : -1;
			b->field[f] = idx < JFR_MAX_EVENT_FIELDS ? idx : -1;
			if (b->field[f] >= 0)
				b->want |= 1ULL << b->field[f];
			if (b->field[f] >= 0 && (size_t)b->field[f] + 1 > b->nout)
				b->nout = (size_t)b->field[f] + 1;
		}
		if (e == JFR_EV_SETTING && !(jfr_plain_string(r, b->cls, b->field[JFR_F_NAME]) &&
						   jfr_plain_string(r, b->cls, b->field[JFR_F_VALUE])))
			b->field[JFR_F_NAME] = b->field[JFR_F_VALUE] = -1; /* bound by name and shape */
		b->value_unit = jfr_reader_field_timespan(r, b->cls, b->field[JFR_F_VALUE]);
		if (b->value_unit == JFR_TIMESPAN_NONE)
			b->value_unit = JFR_TIMESPAN_TICKS; /* the JDK's convention for durations */
		jfr_select(c, e);
	}
	jfr_stacks_bind(&c->stacks, r);
}

static uint64_t jfr_thread_slot(jfr_conv *c, uint64_t thread)
{
	if (!c->opts->per_thread)
		return 0;
	bool added;
	uint64_t *slot = pj_u64map_put(&c->threads, thread, 0, c->threads.count + 1, &added);
	return *slot;
}

static inline size_t jfr_agg_hash(uint64_t stack)
{
	return (size_t)((stack * 0x9E3779B97F4A7C15ULL) >> 32);
}

/* The index slot of `stack`: its own, or the empty one where it would go. */
static inline jfr_agg_slot *jfr_agg_find(const jfr_conv *c, uint64_t stack)
{
	for (size_t i = jfr_agg_hash(stack) & c->index_mask;; i = (i + 1) & c->index_mask) {
		jfr_agg_slot *sl = &c->index[i];
		if (!sl->agg || sl->stack == stack)
			return sl;
	}
}

/* An empty index of the smallest size. */
static void jfr_agg_index_reset(jfr_conv *c)
{
	free(c->index);
	c->index = pj_calloc(64, sizeof(*c->index));
	c->index_mask = 63;
	c->index_count = 0;
}

/* Makes room for one more key, keeping the index at most half full. */
static void jfr_agg_reserve(jfr_conv *c)
{
	if ((c->index_count + 1) * 2 <= c->index_mask + 1)
		return;
	jfr_agg_slot *old = c->index;
	size_t old_cap = c->index_mask + 1;
	c->index = pj_calloc(old_cap * 2, sizeof(*c->index));
	c->index_mask = old_cap * 2 - 1;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].agg)
			*jfr_agg_find(c, old[i].stack) = old[i];
	}
	free(old);
}

/* A new aggregate for (kind, stack, thread); its stack is resolved when the chunk ends. */
static jfr_agg *jfr_new_agg(jfr_conv *c, int kind, uint64_t stack, uint64_t thread)
{
	(void)jfr_builder(c, kind); /* a profile exists once one of its events was seen */
	c->aggs = pj_grow(c->aggs, &c->aggs_cap, c->naggs + 1, sizeof(*c->aggs));
	jfr_agg *a = &c->aggs[c->naggs++];
	memset(a, 0, sizeof(*a));
	a->kind = (uint8_t)kind;
	a->stack = stack;
	a->thread = thread;
	return a;
}

/* jfr_add() for a new aggregate, and for every event in per-thread mode. */
static bool jfr_add_slow(jfr_conv *c, int kind, uint64_t stack, uint64_t thread, int64_t v0, int64_t v1)
{
	jfr_agg *a;
	if (!c->opts->per_thread) {
		jfr_agg_reserve(c);
		jfr_agg_slot *sl = jfr_agg_find(c, stack);
		a = jfr_new_agg(c, kind, stack, thread);
		a->next = sl->agg;
		c->index_count += !sl->agg;
		sl->stack = stack;
		sl->agg = (uint32_t)c->naggs;
	} else {
		bool added;
		uint64_t slot = jfr_thread_slot(c, thread);
		uint64_t *idx = pj_u64map_put(&c->samples, stack, slot << 4 | (uint64_t)kind, c->naggs, &added);
		if (added)
			jfr_new_agg(c, kind, stack, thread);
		a = &c->aggs[*idx];
	}
	a->values[0] = (int64_t)((uint64_t)a->values[0] + (uint64_t)v0);
	a->values[1] = (int64_t)((uint64_t)a->values[1] + (uint64_t)v1);
	return true;
}

/* Adds values to the chunk's aggregate for (kind, stack, thread). */
static inline bool jfr_add(jfr_conv *c, int kind, uint64_t stack, uint64_t thread, int64_t v0, int64_t v1)
{
	if (!c->opts->per_thread) {
		for (uint32_t i = jfr_agg_find(c, stack)->agg; i; i = c->aggs[i - 1].next) {
			jfr_agg *a = &c->aggs[i - 1];
			if (a->kind == kind) {
				a->values[0] = (int64_t)((uint64_t)a->values[0] + (uint64_t)v0);
				a->values[1] = (int64_t)((uint64_t)a->values[1] + (uint64_t)v1);
				return true;
			}
		}
	}
	return jfr_add_slow(c, kind, stack, thread, v0, v1);
}

/*
 * Hands the chunk's aggregates to their builders, resolving each stack
 * trace once (into one reusable buffer, so that the chunk's stacks are
 * never all held at once). False on a decoding error.
 */
static bool jfr_flush_chunk(jfr_conv *c)
{
	bool ok = true;
	for (size_t i = 0; i < c->naggs; i++) {
		const jfr_agg *a = &c->aggs[i];
		if (!ok)
			continue;
		pprof_builder *b = c->builders[a->kind];
		c->nlocs = 0;
		int rc = jfr_stacks_resolve(&c->stacks, b, a->kind, a->stack, c->opts->per_thread ? &a->thread : NULL,
			c->opts->truncated_frame, &c->locs, &c->nlocs, &c->locs_cap);
		ok = rc >= 0;
		/* A missing stack trace, or one none of whose frames resolves, has nothing to show. */
		if (rc > 0 && c->nlocs)
			pprof_add_sample(b, c->locs, c->nlocs, a->values, NULL, 0);
	}
	/* The chunk's aggregates and caches are done with: freed, so that only
	 * the profiles stay resident, not the largest chunk's working set. */
	free(c->aggs);
	c->aggs = NULL;
	c->naggs = c->aggs_cap = 0;
	free(c->locs);
	c->locs = NULL;
	c->nlocs = c->locs_cap = 0;
	jfr_agg_index_reset(c);
	pj_u64map_free(&c->samples);
	pj_u64map_free(&c->threads);
	jfr_stacks_release(&c->stacks);
	return ok;
}

static bool jfr_on_setting(jfr_conv *c, const jfr_bound_event *b, const jfr_value *v)
{
	jfr_str name, value;
	if (b->field[JFR_F_NAME] < 0 || b->field[JFR_F_VALUE] < 0)
		return true;
	if (!jfr_reader_string(c->r, v[b->field[JFR_F_NAME]].pos, &name))
		return false;
	if (name.len != 5 || memcmp(name.ptr, "event", 5) != 0)
		return true;
	if (!jfr_reader_string(c->r, v[b->field[JFR_F_VALUE]].pos, &value))
		return false;
	free(c->event);
	c->event = pj_strndup(value.ptr, value.len);
	c->wall_mode = strcmp(c->event, "wall") == 0;
	return true;
}

/* jdk.ExecutionSample, nearly every event of a CPU recording; role as for jfr_on_event(). */
static inline bool jfr_on_execution_sample(jfr_conv *c, const uint64_t *role)
{
	uint64_t stack = role[JFR_F_STACK], thread = role[JFR_F_THREAD];
	int state = jfr_stacks_state(&c->stacks, role[JFR_F_STATE]);
	if (state < 0)
		return false;
	if (state != JFR_STATE_UNKNOWN && state != JFR_STATE_SLEEPING &&
		!jfr_add(c, JFR_ST_CPU, stack, thread, c->period, 0))
		return false;
	return !c->wall_mode || jfr_add(c, JFR_ST_WALL, stack, thread, c->period, 0);
}

/* Event e of a sampling kind; role[f] is its field for role f < JFR_SCAN_SLOTS (0 if absent). */
static bool jfr_on_event(jfr_conv *c, int e, const uint64_t *role)
{
	const jfr_bound_event *b = &c->ev[e];
	uint64_t stack = role[JFR_F_STACK], thread = role[JFR_F_THREAD];
	uint64_t raw = role[JFR_F_VALUE];
	int64_t value = (int64_t)raw;
	int state;
	switch (e) {
	case JFR_EV_EXEC:
		return jfr_on_execution_sample(c, role);
	case JFR_EV_WALL: {
		int64_t samples = (int64_t)(uint32_t)raw;
		int64_t ns = (int64_t)((uint64_t)samples * (uint64_t)c->period);
		if (!jfr_add(c, JFR_ST_WALL, stack, thread, ns, 0))
			return false;
		if (!c->wall_mode)
			return true;
		state = jfr_stacks_state(&c->stacks, role[JFR_F_STATE]);
		return state >= 0 && (state != JFR_STATE_RUNNABLE || jfr_add(c, JFR_ST_CPU, stack, thread, ns, 0));
	}
	case JFR_EV_IN_TLAB:
		return jfr_add(c, JFR_ST_IN_TLAB, stack, thread, 1, value);
	case JFR_EV_OUT_TLAB:
		return jfr_add(c, JFR_ST_OUT_TLAB, stack, thread, 1, value);
	case JFR_EV_ALLOC_SAMPLE:
		return jfr_add(c, JFR_ST_ALLOC_SAMPLE, stack, thread, 1, value);
	case JFR_EV_MONITOR:
		return jfr_add(c, JFR_ST_LOCK, stack, thread, 1, jfr_reader_to_nanos(c->r, value, b->value_unit));
	case JFR_EV_PARK:
		return jfr_add(c, JFR_ST_PARK, stack, thread, 1, jfr_reader_to_nanos(c->r, value, b->value_unit));
	case JFR_EV_LIVE:
		return jfr_add(c, JFR_ST_LIVE, stack, thread, 1, 0);
	default:
		return jfr_add(c, JFR_ST_MALLOC, stack, thread, 1, value);
	}
}

/* One event from jfr_reader_scan(): its role fields, decoded here if the scan did not. */
static bool jfr_on_scanned(jfr_conv *c, const jfr_scanned *s)
{
	int e = (int)s->tag;
	const jfr_bound_event *b = &c->ev[e];
	uint64_t role[JFR_F_COUNT];
	if (s->decoded && e != JFR_EV_SETTING)
		return jfr_on_event(c, e, s->v);
	jfr_value v[JFR_MAX_EVENT_FIELDS];
	if (!jfr_reader_decode_some(c->r, b->cls, s->body, s->end, b->want, v, b->nout))
		return false;
	if (e == JFR_EV_SETTING)
		return jfr_on_setting(c, b, v);
	for (int f = 0; f < JFR_F_COUNT; f++)
		role[f] = b->field[f] >= 0 ? v[b->field[f]].u : 0;
	return jfr_on_event(c, e, role);
}

static int jfr_convert_chunk(jfr_conv *c)
{
	jfr_scanned batch[JFR_SCAN_BATCH];
	int n;
	jfr_bind_chunk(c);
	while ((n = jfr_reader_scan(c->r, batch, JFR_SCAN_BATCH)) > 0) {
		for (int i = 0; i < n; i++) {
			const jfr_scanned *s = &batch[i];
			bool ok = s->decoded && s->tag == JFR_EV_EXEC ? jfr_on_execution_sample(c, s->v)
								       : jfr_on_scanned(c, s);
			if (!ok)
				return -1;
		}
	}
	if (n == 0 && !jfr_flush_chunk(c))
		return -1;
	return n;
}

static int jfr_profile_cmp(const void *a, const void *b)
{
	return strcmp(((const jfr_profile *)a)->name, ((const jfr_profile *)b)->name);
}

static void jfr_collect(jfr_conv *c, jfr_profiles *out)
{
	out->items = pj_calloc(JFR_ST_COUNT, sizeof(*out->items));
	for (int k = 0; k < JFR_ST_COUNT; k++) {
		if (!c->builders[k])
			continue;
		const struct jfr_profile_kind *pk = &jfr_kinds[k];
		jfr_profile *p = &out->items[out->count++];
		p->metric = pk->metric;
		p->name = pk->name;
		p->nsample_types = pk->ntypes;
		for (size_t i = 0; i < pk->ntypes; i++) {
			p->sample_types[i] = pk->types[i];
			p->sample_units[i] = pk->units[i];
		}
		p->period_type = pk->period_type;
		p->period_unit = pk->period_unit;
		p->builder = c->builders[k];
		c->builders[k] = NULL;
	}
	qsort(out->items, out->count, sizeof(*out->items), jfr_profile_cmp);
	out->event = c->event;
	c->event = NULL;
}

static void jfr_conv_free(jfr_conv *c)
{
	for (int k = 0; k < JFR_ST_COUNT; k++)
		pprof_free(c->builders[k]);
	free(c->event);
	free(c->index);
	free(c->aggs);
	free(c->locs);
	pj_u64map_free(&c->samples);
	pj_u64map_free(&c->threads);
	jfr_stacks_free(&c->stacks);
	jfr_reader_free(c->r);
}

bool jfr_convert(const uint8_t *data, size_t len, const jfr_convert_options *opts, jfr_profiles *out,
	char **err)
{
	jfr_conv c = {.opts = opts};
	memset(out, 0, sizeof(*out));
	*err = NULL;
	c.r = jfr_reader_new(data, len);
	c.period = opts->sample_rate > 0 ? 1000000000 / opts->sample_rate : 0;
	jfr_stacks_init(&c.stacks, data, len);
	jfr_agg_index_reset(&c);
	int rc;
	while ((rc = jfr_reader_next_chunk(c.r)) > 0) {
		if (jfr_convert_chunk(&c) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc < 0) {
		*err = pj_asprintf("jfr: %s", jfr_reader_error(c.r));
		jfr_conv_free(&c);
		return false;
	}
	jfr_collect(&c, out);
	out->chunks = jfr_reader_chunk_count(c.r);
	if (jfr_reader_warning(c.r))
		out->warning = pj_asprintf("jfr: %s", jfr_reader_warning(c.r));
	jfr_conv_free(&c);
	return true;
}

void jfr_profiles_free(jfr_profiles *p)
{
	for (size_t i = 0; i < p->count; i++)
		pprof_free(p->items[i].builder);
	free(p->items);
	free(p->event);
	free(p->warning);
	memset(p, 0, sizeof(*p));
}
