/*
 * The agent's JFR writer, read back with pyrojava's own reader and
 * converter: a window of CPU, wall, allocation, lock and park events (synthetic
 * frames, so no JVM is needed) must come out as one complete chunk with
 * async-profiler's event types, settings, stacks and thread names, and with
 * the annotations (labels, categories, units) the JDK's tools format values by.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "../../agent/jfr_writer.h" /* not the test helper beside this file */
#include "profile/jfr_pprof.h"
#include "profile/jfr_reader.h"
#include "sampler.h"
#include "storage.h"

typedef struct recording {
	char path[64];
	uint8_t *data;
	size_t len;
} recording;

/* A stack of one synthetic frame standing for AsyncGetCallTrace's `code`. */
static void add(ag_window *w, ag_event_kind kind, int32_t code, const char *cls, uint64_t value,
	uint8_t state)
{
	ag_frame f = {.bci = code, .method = NULL};
	ag_event ev = {
		.ticks = ag_ticks(), .tid = ag_gettid(), .kind = (uint8_t)kind, .state = state,
		.samples = 1, .cls = cls, .value = value, .weight = 524288,
	};
	assert_true(ag_record(w, &f, 1, &ev));
}

static int write_recording(void **state)
{
	static recording rec;
	assert_true(ag_storage_init());
	ag_storage_open(true);
	ag_window *w = ag_window_enter();
	for (int i = 0; i < 3; i++)
		add(w, AG_EV_CPU, -5, NULL, 0, AG_STATE_DEFAULT);
	add(w, AG_EV_WALL, 0, NULL, 0, AG_STATE_SLEEPING);
	add(w, AG_EV_WALL, 0, NULL, 0, AG_STATE_RUNNABLE);
	add(w, AG_EV_ALLOC_IN_TLAB, -5, "java/lang/String", 24, 0);
	add(w, AG_EV_LOCK, -2, "java/lang/Object", 5000000, 0);
	/* Parks: one with a timeout (524288 ns, the helper's weight) and a blocker, one without either. */
	add(w, AG_EV_PARK, -7, "java/util/concurrent/locks/ReentrantLock$NonfairSync", 7000000,
		AG_PARK_TIMEOUT);
	add(w, AG_EV_PARK, -7, NULL, 3000000, AG_PARK_FOREVER);
	/* A stack as deep as jstackdepth (below) was cut by the walker. */
	ag_frame deep[2] = {{.bci = -9}, {.bci = -7}};
	ag_event ev = {.ticks = ag_ticks(), .tid = ag_gettid(), .kind = AG_EV_CPU, .samples = 1};
	assert_true(ag_record(w, deep, 2, &ev));
	ag_window_leave(w);
	w = ag_storage_close(false);
	ag_jfr_settings s = {
		.engine = "itimer", .event = "itimer", .interval = 10000000, .wall = -1,
		.alloc = 524288, .lock = 10000000, .jstackdepth = 2,
	};
	snprintf(rec.path, sizeof(rec.path), "/tmp/test_agent_jfr.%d.jfr", (int)getpid());
	char err[256];
	if (!ag_jfr_write(rec.path, w, &s, err, sizeof(err)))
		fail_msg("%s", err);
	FILE *f = fopen(rec.path, "rb");
	assert_non_null(f);
	rec.data = malloc(1 << 20);
	rec.len = fread(rec.data, 1, 1 << 20, f);
	fclose(f);
	*state = &rec;
	return 0;
}

static int remove_recording(void **state)
{
	recording *rec = *state;
	unlink(rec->path);
	free(rec->data);
	return 0;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void test_header_describes_a_finished_chunk(void **state)
{
	recording *rec = *state;
	assert_true(rec->len > 68);
	assert_memory_equal(rec->data, "FLR\0\0\2\0\0", 8);
	assert_int_equal(be64(rec->data + 8), rec->len); /* chunk size */
	assert_int_equal(be64(rec->data + 24), 68); /* metadata right after the header */
	assert_true(be64(rec->data + 16) > 68 && be64(rec->data + 16) < rec->len); /* checkpoint */
	assert_int_equal(be64(rec->data + 56), 1000000000); /* ns ticks */
	assert_int_equal(rec->data[64], 0); /* finished */
	assert_int_equal(rec->data[67], 1); /* compressed integers */
	/* Nothing was left behind under the temporary name. */
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", rec->path, (int)getpid());
	assert_int_not_equal(access(tmp, F_OK), 0);
}

static void count_events(jfr_reader *r, const char *cls_name, int want)
{
	int32_t cls = jfr_reader_class(r, cls_name);
	if (cls < 0)
		fail_msg("no class %s", cls_name);
	int n = 0, rc;
	jfr_event ev;
	while ((rc = jfr_reader_next_event(r, &ev)) > 0)
		n += ev.cls == cls;
	assert_int_equal(rc, 0);
	if (n != want)
		fail_msg("%s: %d events, want %d", cls_name, n, want);
}

/* A reader of the recording, in its first (and only) chunk. */
static jfr_reader *open_chunk(const recording *rec)
{
	jfr_reader *r = jfr_reader_new(rec->data, rec->len);
	assert_int_equal(jfr_reader_next_chunk(r), 1);
	return r;
}

static void test_events_by_type(void **state)
{
	recording *rec = *state;
	static const struct {
		const char *cls;
		int n;
	} want[] = {
		{"jdk.ExecutionSample", 4}, {"profiler.WallClockSample", 2},
		{"jdk.ObjectAllocationInNewTLAB", 1}, {"jdk.ObjectAllocationOutsideTLAB", 0},
		{"jdk.JavaMonitorEnter", 1}, {"jdk.ThreadPark", 2},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		jfr_reader *r = open_chunk(rec);
		count_events(r, want[i].cls, want[i].n);
		assert_int_equal(jfr_reader_next_chunk(r), 0);
		jfr_reader_free(r);
	}
}

static void test_event_setting_names_the_engine(void **state)
{
	recording *rec = *state;
	jfr_reader *r = open_chunk(rec);
	int32_t cls = jfr_reader_class(r, "jdk.ActiveSetting");
	int32_t fname = jfr_reader_field(r, cls, "name"), fvalue = jfr_reader_field(r, cls, "value");
	assert_true(cls >= 0 && fname >= 0 && fvalue >= 0);
	char event[32] = "", engine[32] = "";
	jfr_event ev;
	while (jfr_reader_next_event(r, &ev) > 0) {
		jfr_value v[8];
		jfr_str name, value;
		if (ev.cls != cls || !jfr_reader_decode(r, cls, ev.body, ev.end, v, 8, NULL))
			continue;
		assert_true(jfr_reader_string(r, v[fname].pos, &name));
		assert_true(jfr_reader_string(r, v[fvalue].pos, &value));
		char *dst = name.len == 5 && memcmp(name.ptr, "event", 5) == 0 ? event
			: name.len == 6 && memcmp(name.ptr, "engine", 6) == 0 ? engine
			: NULL;
		if (dst && !value.null)
			snprintf(dst, 32, "%.*s", (int)value.len, value.ptr);
	}
	assert_string_equal(event, "itimer");
	assert_string_equal(engine, "itimer");
	jfr_reader_free(r);
}

/* The JDK's encoding: timeout in ns or until in epoch ms, Long.MIN_VALUE for the other; no blocker = null class. */
static void test_park_fields_follow_the_jdk(void **state)
{
	recording *rec = *state;
	jfr_reader *r = open_chunk(rec);
	int32_t cls = jfr_reader_class(r, "jdk.ThreadPark");
	int32_t fdur = jfr_reader_field(r, cls, "duration"), fclass = jfr_reader_field(r, cls, "parkedClass");
	int32_t ftimeout = jfr_reader_field(r, cls, "timeout"), funtil = jfr_reader_field(r, cls, "until");
	assert_true(cls >= 0 && fdur >= 0 && fclass >= 0 && ftimeout >= 0 && funtil >= 0);
	assert_true(jfr_reader_field(r, cls, "address") >= 0 && jfr_reader_field(r, cls, "stackTrace") >= 0);
	int seen = 0;
	jfr_event ev;
	while (jfr_reader_next_event(r, &ev) > 0) {
		jfr_value v[8];
		if (ev.cls != cls)
			continue;
		assert_true(jfr_reader_decode(r, cls, ev.body, ev.end, v, 8, NULL));
		assert_int_equal(v[funtil].u, (uint64_t)INT64_MIN);
		if (v[fdur].u == 7000000) {
			assert_int_not_equal(v[fclass].u, 0);
			assert_int_equal(v[ftimeout].u, 524288);
		} else {
			assert_int_equal(v[fdur].u, 3000000);
			assert_int_equal(v[fclass].u, 0);
			assert_int_equal(v[ftimeout].u, (uint64_t)INT64_MIN);
		}
		seen++;
	}
	assert_int_equal(seen, 2);
	jfr_reader_free(r);
}

/*
 * The metadata element tree, parsed here from the bytes (pyrojava's reader
 * keeps only what decoding needs): an element is a name, attributes and
 * children, every string an index into the record's string table.
 */
typedef struct elem {
	const char *name;
	const char *key[8], *value[8];
	uint32_t nattrs, nkids;
	struct elem **kids;
} elem;

typedef struct meta {
	const uint8_t *p, *end;
	char **strings;
	uint64_t nstrings;
	elem *pool;
	size_t used, cap;
	elem *root, *metadata;
} meta;

static uint64_t varint(meta *m)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (m->p >= m->end)
			fail_msg("metadata ends inside a number");
		uint8_t b = *m->p++;
		if (shift == 56) /* the ninth byte is whole */
			return v | (uint64_t)b << 56;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (b < 0x80)
			return v;
	}
	return v;
}

static const char *string_ref(meta *m)
{
	uint64_t i = varint(m);
	if (i >= m->nstrings || !m->strings[i])
		fail_msg("string index %llu out of the table", (unsigned long long)i);
	return m->strings[i];
}

static elem *parse_elem(meta *m)
{
	if (m->used == m->cap)
		fail_msg("more than %zu metadata elements", m->cap);
	elem *e = &m->pool[m->used++];
	e->name = string_ref(m);
	e->nattrs = (uint32_t)varint(m);
	assert_true(e->nattrs <= 8);
	for (uint32_t i = 0; i < e->nattrs; i++) {
		e->key[i] = string_ref(m);
		e->value[i] = string_ref(m);
	}
	e->nkids = (uint32_t)varint(m);
	assert_true(e->nkids < 1000);
	e->kids = calloc(e->nkids + 1, sizeof(*e->kids));
	assert_non_null(e->kids);
	for (uint32_t i = 0; i < e->nkids; i++)
		e->kids[i] = parse_elem(m);
	return e;
}

/* The recording's metadata record, right after the header. */
static void parse_meta(const recording *rec, meta *m)
{
	memset(m, 0, sizeof(*m));
	m->p = rec->data + 68;
	m->end = rec->data + rec->len;
	uint64_t size = varint(m);
	assert_true(size > 5 && 68 + size <= rec->len);
	m->end = rec->data + 68 + size;
	assert_int_equal(varint(m), 0); /* record type: metadata */
	(void)varint(m); /* start */
	(void)varint(m); /* duration */
	(void)varint(m); /* metadata id */
	m->nstrings = varint(m);
	assert_true(m->nstrings > 0 && m->nstrings < 10000);
	m->strings = calloc(m->nstrings, sizeof(*m->strings));
	assert_non_null(m->strings);
	for (uint64_t i = 0; i < m->nstrings; i++) {
		uint8_t enc = *m->p++;
		assert_true(enc == 3); /* the agent writes UTF-8 only */
		uint64_t n = varint(m);
		assert_true(n <= (uint64_t)(m->end - m->p));
		m->strings[i] = strndup((const char *)m->p, n);
		assert_non_null(m->strings[i]);
		m->p += n;
	}
	m->cap = 4096;
	m->pool = calloc(m->cap, sizeof(*m->pool));
	assert_non_null(m->pool);
	m->root = parse_elem(m);
	assert_ptr_equal(m->p, m->end); /* the tree fills the record exactly */
	assert_string_equal(m->root->name, "root");
	for (uint32_t i = 0; i < m->root->nkids; i++)
		if (strcmp(m->root->kids[i]->name, "metadata") == 0)
			m->metadata = m->root->kids[i];
	assert_non_null(m->metadata);
}

static void free_meta(meta *m)
{
	for (size_t i = 0; i < m->used; i++)
		free(m->pool[i].kids);
	free(m->pool);
	for (uint64_t i = 0; i < m->nstrings; i++)
		free(m->strings[i]);
	free(m->strings);
}

static const char *attr(const elem *e, const char *key)
{
	for (uint32_t i = 0; i < e->nattrs; i++)
		if (strcmp(e->key[i], key) == 0)
			return e->value[i];
	return NULL;
}

/* The child `kind` ("class", "field") named `name`. */
static const elem *child(const elem *e, const char *kind, const char *name)
{
	for (uint32_t i = 0; i < e->nkids; i++) {
		const char *n = attr(e->kids[i], "name");
		if (strcmp(e->kids[i]->name, kind) == 0 && n && strcmp(n, name) == 0)
			return e->kids[i];
	}
	return NULL;
}

static const elem *meta_class(const meta *m, const char *name)
{
	const elem *c = child(m->metadata, "class", name);
	if (!c)
		fail_msg("no class %s in the metadata", name);
	return c;
}

/* The annotation of type `type` (a class name) on `e`, NULL if none. */
static const elem *annotation_of(const meta *m, const elem *e, const char *type)
{
	const char *id = attr(meta_class(m, type), "id");
	for (uint32_t i = 0; i < e->nkids; i++) {
		const char *cls = attr(e->kids[i], "class");
		if (strcmp(e->kids[i]->name, "annotation") == 0 && cls && strcmp(cls, id) == 0)
			return e->kids[i];
	}
	return NULL;
}

static void test_annotation_types_are_declared_as_the_jdk_needs(void **state)
{
	meta m;
	parse_meta(*state, &m);
	/* Every annotation names a declared annotation type. */
	int annotations = 0;
	for (size_t i = 0; i < m.used; i++) {
		const elem *e = &m.pool[i];
		if (strcmp(e->name, "annotation") != 0)
			continue;
		const char *cls = attr(e, "class");
		assert_non_null(cls);
		const elem *type = NULL;
		for (uint32_t k = 0; k < m.metadata->nkids && !type; k++) {
			const char *id = attr(m.metadata->kids[k], "id");
			if (id && strcmp(id, cls) == 0)
				type = m.metadata->kids[k];
		}
		if (!type)
			fail_msg("annotation of undeclared type %s", cls);
		assert_string_equal(attr(type, "superType"), "java.lang.annotation.Annotation");
		annotations++;
	}
	assert_true(annotations > 100);
	/* The JDK formats a value by a unit annotation only when its type is a ContentType. */
	static const char *const units[] = {
		"jdk.jfr.Timestamp", "jdk.jfr.Timespan", "jdk.jfr.DataAmount", "jdk.jfr.MemoryAddress",
		"jdk.jfr.Unsigned",
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!annotation_of(&m, meta_class(&m, units[i]), "jdk.jfr.ContentType"))
			fail_msg("%s is not marked jdk.jfr.ContentType", units[i]);
	/* Category takes a list. */
	const elem *value = child(meta_class(&m, "jdk.jfr.Category"), "field", "value");
	assert_non_null(value);
	assert_string_equal(attr(value, "dimension"), "1");
	free_meta(&m);
}

static void test_events_and_their_fields_are_labelled(void **state)
{
	meta m;
	parse_meta(*state, &m);
	int events = 0;
	for (uint32_t i = 0; i < m.metadata->nkids; i++) {
		const elem *c = m.metadata->kids[i];
		const char *super = attr(c, "superType");
		if (!super || strcmp(super, "jdk.jfr.Event") != 0)
			continue;
		events++;
		if (!annotation_of(&m, c, "jdk.jfr.Label") || !annotation_of(&m, c, "jdk.jfr.Category"))
			fail_msg("event %s without a Label or a Category", attr(c, "name"));
		for (uint32_t k = 0; k < c->nkids; k++) {
			const elem *f = c->kids[k];
			if (strcmp(f->name, "field") == 0 && !annotation_of(&m, f, "jdk.jfr.Label"))
				fail_msg("%s.%s has no Label", attr(c, "name"), attr(f, "name"));
		}
	}
	assert_true(events >= 7); /* the six async-profiler events we write, and ActiveSetting */
	const elem *cpu = meta_class(&m, "jdk.ExecutionSample");
	assert_string_equal(attr(annotation_of(&m, cpu, "jdk.jfr.Label"), "value"), "Method Profiling Sample");
	const elem *cat = annotation_of(&m, cpu, "jdk.jfr.Category");
	assert_string_equal(attr(cat, "value-0"), "Java Virtual Machine");
	assert_string_equal(attr(cat, "value-1"), "Profiling");
	const elem *park = meta_class(&m, "jdk.ThreadPark");
	assert_string_equal(attr(annotation_of(&m, park, "jdk.jfr.Category"), "value-0"), "Java Application");
	assert_string_equal(attr(annotation_of(&m, child(park, "field", "timeout"), "jdk.jfr.Label"), "value"),
		"Park Timeout");
	free_meta(&m);
}

/* Each value's unit as the JDK declares it, matching what the writer puts there. */
static void test_fields_declare_their_units(void **state)
{
	static const struct {
		const char *cls, *field, *annotation, *value; /* value NULL: an annotation without one */
	} want[] = {
		{"jdk.ExecutionSample", "startTime", "jdk.jfr.Timestamp", "TICKS"},
		{"jdk.JavaMonitorEnter", "startTime", "jdk.jfr.Timestamp", "TICKS"},
		{"jdk.JavaMonitorEnter", "duration", "jdk.jfr.Timespan", "TICKS"},
		{"jdk.JavaMonitorEnter", "address", "jdk.jfr.MemoryAddress", NULL},
		{"jdk.JavaMonitorEnter", "address", "jdk.jfr.Unsigned", NULL},
		{"jdk.ThreadPark", "duration", "jdk.jfr.Timespan", "TICKS"},
		{"jdk.ThreadPark", "timeout", "jdk.jfr.Timespan", "NANOSECONDS"},
		{"jdk.ThreadPark", "until", "jdk.jfr.Timestamp", "MILLISECONDS_SINCE_EPOCH"},
		{"jdk.ObjectAllocationInNewTLAB", "allocationSize", "jdk.jfr.DataAmount", "BYTES"},
		{"jdk.ObjectAllocationInNewTLAB", "allocationSize", "jdk.jfr.Unsigned", NULL},
		{"jdk.ObjectAllocationInNewTLAB", "tlabSize", "jdk.jfr.DataAmount", "BYTES"},
		{"jdk.ObjectAllocationOutsideTLAB", "allocationSize", "jdk.jfr.DataAmount", "BYTES"},
		{"profiler.WallClockSample", "timeSpan", "jdk.jfr.Timespan", "TICKS"},
	};
	meta m;
	parse_meta(*state, &m);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const elem *f = child(meta_class(&m, want[i].cls), "field", want[i].field);
		assert_non_null(f);
		const elem *a = annotation_of(&m, f, want[i].annotation);
		if (!a)
			fail_msg("%s.%s is not %s", want[i].cls, want[i].field, want[i].annotation);
		if (want[i].value)
			assert_string_equal(attr(a, "value"), want[i].value);
		else
			assert_null(attr(a, "value"));
	}
	/* Identifiers and counts have no unit. */
	assert_null(annotation_of(&m, child(meta_class(&m, "jdk.ActiveSetting"), "field", "id"), "jdk.jfr.Timespan"));
	free_meta(&m);
	/* pyrojava's reader takes the same units. */
	recording *rec = *state;
	jfr_reader *r = open_chunk(rec);
	int32_t park = jfr_reader_class(r, "jdk.ThreadPark"), lock = jfr_reader_class(r, "jdk.JavaMonitorEnter");
	assert_int_equal(jfr_reader_field_timespan(r, park, jfr_reader_field(r, park, "timeout")), JFR_TIMESPAN_NANOSECONDS);
	assert_int_equal(jfr_reader_field_timespan(r, park, jfr_reader_field(r, park, "duration")), JFR_TIMESPAN_TICKS);
	assert_int_equal(jfr_reader_field_timespan(r, lock, jfr_reader_field(r, lock, "duration")), JFR_TIMESPAN_TICKS);
	jfr_reader_free(r);
}

static const jfr_profile *profile(const jfr_profiles *p, const char *name)
{
	for (size_t i = 0; i < p->count; i++)
		if (strcmp(p->items[i].name, name) == 0)
			return &p->items[i];
	fail_msg("no profile %s", name);
	return NULL;
}

static void test_converter_sees_stacks_threads_and_values(void **state)
{
	recording *rec = *state;
	jfr_convert_options o = JFR_CONVERT_OPTIONS_INIT;
	o.per_thread = true;
	jfr_profiles out;
	char *err = NULL;
	if (!jfr_convert(rec->data, rec->len, &o, &out, &err))
		fail_msg("%s", err);
	assert_string_equal(out.event, "itimer");
	/* The thread's OS name is this test's; every stack is its one synthetic frame. */
	char comm[64] = "";
	FILE *f = fopen("/proc/self/comm", "r");
	assert_non_null(f);
	assert_non_null(fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	pj_buf b = {0};
	pprof_write_collapsed(profile(&out, "process_cpu_cpu__nanoseconds")->builder, &b);
	assert_non_null(strstr(pj_buf_cstr(&b), comm));
	assert_non_null(strstr(pj_buf_cstr(&b), "unknown_Java:0 [30000000]"));
	pj_buf_reset(&b);
	pprof_write_collapsed(
		profile(&out, "memory_alloc_in_new_tlab_objects__count alloc_in_new_tlab_bytes__bytes")
			->builder,
		&b);
	assert_non_null(strstr(pj_buf_cstr(&b), "unknown_Java:0 [1 524288]"));
	pj_buf_reset(&b);
	pprof_write_collapsed(profile(&out, "mutex_contentions__count delay__nanoseconds")->builder, &b);
	assert_non_null(strstr(pj_buf_cstr(&b), "GC_active:0 [1 5000000]"));
	pj_buf_reset(&b);
	pprof_write_collapsed(profile(&out, "block_contentions__count delay__nanoseconds")->builder, &b);
	assert_non_null(strstr(pj_buf_cstr(&b), "unknown_state:0 [2 10000000]"));
	pj_buf_reset(&b);
	pprof_write_collapsed(profile(&out, "wall_wall__nanoseconds")->builder, &b);
	assert_non_null(strstr(pj_buf_cstr(&b), "no_Java_frame:0 [20000000]"));
	pj_buf_free(&b);
	jfr_profiles_free(&out);
}

static void test_stacks_cut_at_jstackdepth_are_truncated(void **state)
{
	recording *rec = *state;
	jfr_convert_options o = JFR_CONVERT_OPTIONS_INIT;
	o.truncated_frame = true;
	jfr_profiles out;
	char *err = NULL;
	if (!jfr_convert(rec->data, rec->len, &o, &out, &err))
		fail_msg("%s", err);
	pj_buf b = {0};
	pprof_write_collapsed(profile(&out, "process_cpu_cpu__nanoseconds")->builder, &b);
	const char *text = pj_buf_cstr(&b);
	/* Synthetic frames have an empty class, hence the converter's leading dot. */
	assert_non_null(strstr(text, "[truncated]:0;.unknown_state:0;.deopt:0 [10000000]"));
	assert_null(strstr(text, "[truncated]:0;.unknown_Java"));
	pj_buf_free(&b);
	jfr_profiles_free(&out);
}

static void test_unwritable_path_reports_the_file(void **state)
{
	(void)state;
	ag_window *w = ag_storage_last();
	ag_jfr_settings s = {.interval = -1, .wall = -1, .alloc = -1, .lock = -1, .jstackdepth = 1};
	char err[256] = "";
	assert_false(ag_jfr_write("/nonexistent-dir/x.jfr", w, &s, err, sizeof(err)));
	assert_non_null(strstr(err, "Could not open output file: /nonexistent-dir/x.jfr"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_describes_a_finished_chunk),
		cmocka_unit_test(test_events_by_type),
		cmocka_unit_test(test_event_setting_names_the_engine),
		cmocka_unit_test(test_park_fields_follow_the_jdk),
		cmocka_unit_test(test_annotation_types_are_declared_as_the_jdk_needs),
		cmocka_unit_test(test_events_and_their_fields_are_labelled),
		cmocka_unit_test(test_fields_declare_their_units),
		cmocka_unit_test(test_converter_sees_stacks_threads_and_values),
		cmocka_unit_test(test_stacks_cut_at_jstackdepth_are_truncated),
		cmocka_unit_test(test_unwritable_path_reports_the_file),
	};
	return cmocka_run_group_tests(tests, write_recording, remove_recording);
}
