#include "jfr_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "java_stack.h"
#include "jfr_meta.h"
#include "sampler.h"
#include "symbols.h"
#include "threads.h"

#define HEADER_SIZE 68
#define AG_JFR_VERSION "4.5"

/* Everything one chunk refers to, keyed the way its pools are. */
typedef struct pools {
	ag_intern symbols; /* key = id */
	ag_intern packages; /* key = id, value = symbol key */
	ag_intern classes; /* key = id */
	ag_intern methods; /* key = id; interned on jmethodID bytes, "!name" or "@lib\nname" */
	ag_intern threads; /* tid bytes */
	ag_buf method_entries; /* pool entries written while interning methods */
	uint32_t method_count;
	ag_buf class_entries;
	uint32_t class_count;
} pools;

static uint32_t symbol(pools *p, const char *s)
{
	return ag_intern_str(&p->symbols, s);
}

static uint32_t class_key(pools *p, const char *name)
{
	uint32_t known = ag_intern_find(&p->classes, name, strlen(name));
	if (known)
		return known;
	uint32_t key = ag_intern_str(&p->classes, name);
	const char *slash = strrchr(name, '/');
	size_t pkg_len = slash ? (size_t)(slash - name) : 0;
	uint32_t pkg = ag_intern_id(&p->packages, name, pkg_len);
	ag_buf *b = &p->class_entries;
	ag_buf_varint(b, key);
	ag_buf_varint(b, 0); /* classLoader */
	ag_buf_varint(b, symbol(p, name));
	ag_buf_varint(b, pkg);
	ag_buf_varint(b, 0); /* modifiers */
	p->class_count++;
	return key;
}

static uint32_t method_key(pools *p, const ag_frame *f, const ag_frame_desc *d)
{
	ag_buf text = {0};
	const void *id = &f->method;
	size_t id_len = sizeof(f->method);
	if (d->synthetic || d->native_name) {
		/* One method per name, whatever the address within it; names of any length. */
		if (d->synthetic)
			ag_buf_printf(&text, "!%s", d->synthetic);
		else
			ag_buf_printf(&text, "@%s\n%s", d->native_lib, d->native_name);
		id = text.data;
		id_len = text.len;
	}
	if (text.failed) {
		ag_buf_free(&text);
		return 0; /* out of memory: a frame without a method */
	}
	uint32_t known = ag_intern_find(&p->methods, id, id_len);
	uint32_t key = known ? known : ag_intern_id(&p->methods, id, id_len);
	ag_buf_free(&text);
	if (known)
		return known;
	ag_buf *b = &p->method_entries;
	ag_buf_varint(b, key);
	if (d->synthetic || d->native_name) {
		/* async-profiler's form: the library as the class, a fake descriptor. */
		ag_buf_varint(b, class_key(p, d->synthetic ? "" : d->native_lib));
		ag_buf_varint(b, symbol(p, d->synthetic ? d->synthetic : d->native_name));
		ag_buf_varint(b, symbol(p, "()L;"));
		ag_buf_varint(b, 0x100);
	} else {
		ag_buf_varint(b, class_key(p, d->method->cls));
		ag_buf_varint(b, symbol(p, d->method->name));
		ag_buf_varint(b, symbol(p, d->method->sig));
		ag_buf_varint(b, (uint32_t)d->method->modifiers);
	}
	ag_buf_u8(b, 0); /* hidden */
	p->method_count++;
	return key;
}

/*
 * The StackTrace pool, interning methods and classes on the way. A stack
 * that filled the walker's whole buffer was cut: it is marked truncated.
 */
static uint32_t write_traces(ag_buf *b, ag_window *w, pools *p, int jstackdepth)
{
	uint32_t agct_limit = jstackdepth > 0 && jstackdepth < AG_MAX_DEPTH ? (uint32_t)jstackdepth : AG_MAX_DEPTH;
	uint32_t count = 0;
	for (uint32_t i = 0; i < w->trace_cap; i++) {
		ag_trace *t = &w->traces[i];
		if (!atomic_load(&t->hash) || !atomic_load(&t->ready))
			continue;
		const ag_frame *frames = &w->frames[t->frames_off];
		uint32_t depth = ag_trace_depth(frames, t->nframes);
		ag_buf_varint(b, i + 1);
		ag_buf_u8(b, t->nframes >= agct_limit || t->nframes == AG_JVMTI_DEPTH);
		ag_buf_varint(b, depth);
		for (uint32_t k = 0; k < depth; k++) {
			const ag_frame *f = &frames[k];
			ag_frame_desc d;
			ag_describe_frame(f, &d);
			ag_buf_varint(b, method_key(p, f, &d));
			ag_buf_varint(b, (uint32_t)d.line);
			ag_buf_varint(b, (uint32_t)d.bci);
			ag_buf_varint(b, (uint64_t)d.type);
		}
		count++;
	}
	return count;
}

static uint64_t event_count(const ag_window *w)
{
	uint64_t n = atomic_load(&w->event_used);
	return n < w->event_cap ? n : w->event_cap;
}

/* A small record: the size fits one byte unless the fields grow it. */
static void begin_record(ag_buf *b, size_t *start, int type)
{
	*start = b->len;
	ag_buf_put(b, "\0\0\0\0\0", 5);
	ag_buf_varint(b, (uint64_t)type);
}

static void end_record(ag_buf *b, size_t start)
{
	ag_buf_patch_varint5(b, start, (uint32_t)(b->len - start));
}

static void write_event(ag_buf *b, const ag_event *e, pools *p)
{
	static const int types[] = {
		[AG_EV_CPU] = AG_T_EXECUTION_SAMPLE, [AG_EV_WALL] = AG_T_WALL_SAMPLE,
		[AG_EV_ALLOC_IN_TLAB] = AG_T_ALLOC_IN_TLAB, [AG_EV_ALLOC_OUTSIDE_TLAB] = AG_T_ALLOC_OUTSIDE_TLAB,
		[AG_EV_LOCK] = AG_T_MONITOR_ENTER, [AG_EV_PARK] = AG_T_THREAD_PARK,
	};
	if (e->kind > AG_EV_PARK)
		return;
	size_t start;
	ag_intern_id(&p->threads, &e->tid, sizeof(e->tid));
	begin_record(b, &start, types[e->kind]);
	ag_buf_varint(b, e->ticks);
	if (e->kind == AG_EV_LOCK || e->kind == AG_EV_PARK)
		ag_buf_varint(b, e->value); /* duration, ns = ticks */
	ag_buf_varint(b, e->tid);
	ag_buf_varint(b, e->trace);
	switch (e->kind) {
	case AG_EV_CPU:
		ag_buf_varint(b, e->state);
		break;
	case AG_EV_WALL:
		ag_buf_varint(b, e->state);
		ag_buf_varint(b, e->samples);
		ag_buf_varint(b, 0); /* timeSpan */
		break;
	case AG_EV_ALLOC_IN_TLAB:
		ag_buf_varint(b, class_key(p, e->cls ? e->cls : ""));
		ag_buf_varint(b, e->value);
		ag_buf_varint(b, e->weight);
		break;
	case AG_EV_ALLOC_OUTSIDE_TLAB:
		ag_buf_varint(b, class_key(p, e->cls ? e->cls : ""));
		ag_buf_varint(b, e->weight);
		break;
	case AG_EV_PARK:
		ag_buf_varint(b, e->cls ? class_key(p, e->cls) : 0); /* parkedClass, 0 = null */
		ag_buf_varint(b, e->state == AG_PARK_TIMEOUT ? e->weight : (uint64_t)INT64_MIN); /* timeout */
		ag_buf_varint(b, e->state == AG_PARK_UNTIL ? e->weight : (uint64_t)INT64_MIN); /* until */
		ag_buf_varint(b, 0); /* address */
		break;
	default:
		ag_buf_varint(b, class_key(p, e->cls ? e->cls : ""));
		ag_buf_varint(b, 0); /* previousOwner */
		ag_buf_varint(b, 0); /* address */
		break;
	}
	end_record(b, start);
}

static void setting(ag_buf *b, uint64_t ticks, int id, const char *name, const char *value)
{
	size_t start;
	begin_record(b, &start, AG_T_ACTIVE_SETTING);
	ag_buf_varint(b, ticks);
	ag_buf_varint(b, (uint64_t)id);
	ag_buf_string(b, name);
	ag_buf_string(b, value);
	end_record(b, start);
}

static void setting_num(ag_buf *b, uint64_t ticks, int id, const char *name, long v)
{
	char text[32];
	snprintf(text, sizeof(text), "%ld", v);
	setting(b, ticks, id, name, v >= 0 ? text : NULL);
}

static void write_settings(ag_buf *b, uint64_t ticks, const ag_jfr_settings *s)
{
	setting(b, ticks, AG_T_ACTIVE_RECORDING, "version", AG_JFR_VERSION);
	setting(b, ticks, AG_T_ACTIVE_RECORDING, "engine", s->engine);
	setting(b, ticks, AG_T_ACTIVE_RECORDING, "event", s->event);
	setting(b, ticks, AG_T_ACTIVE_RECORDING, "cstack", s->cstack ? s->cstack : "no");
	setting(b, ticks, AG_T_ACTIVE_RECORDING, "clock", "monotonic");
	setting_num(b, ticks, AG_T_ACTIVE_RECORDING, "jstackdepth", s->jstackdepth);
	setting(b, ticks, AG_T_EXECUTION_SAMPLE, "enabled", s->engine ? "true" : "false");
	setting_num(b, ticks, AG_T_EXECUTION_SAMPLE, "interval", s->engine ? s->interval : -1);
	setting_num(b, ticks, AG_T_EXECUTION_SAMPLE, "wall", s->wall);
	setting(b, ticks, AG_T_ALLOC_IN_TLAB, "enabled", s->alloc >= 0 ? "true" : "false");
	setting_num(b, ticks, AG_T_ALLOC_IN_TLAB, "alloc", s->alloc);
	setting(b, ticks, AG_T_MONITOR_ENTER, "enabled", s->lock >= 0 ? "true" : "false");
	setting_num(b, ticks, AG_T_MONITOR_ENTER, "lock", s->lock);
	setting(b, ticks, AG_T_THREAD_PARK, "enabled", s->park ? "true" : "false");
	setting_num(b, ticks, AG_T_THREAD_PARK, "lock", s->park ? s->lock : -1);
}

static void pool_header(ag_buf *b, int type, uint32_t count)
{
	ag_buf_varint(b, (uint64_t)type);
	ag_buf_varint(b, count);
}

static void write_threads(ag_buf *b, pools *p)
{
	ag_threads *names = ag_threads_snapshot();
	pool_header(b, AG_T_THREAD, p->threads.count);
	for (uint32_t id = 1; id <= p->threads.count; id++) {
		uint32_t tid;
		memcpy(&tid, ag_intern_key(&p->threads, id), sizeof(tid));
		ag_thread_info info;
		ag_threads_lookup(names, tid, &info);
		ag_buf_varint(b, tid);
		ag_buf_string(b, info.name);
		ag_buf_varint(b, tid);
		ag_buf_string(b, info.java ? info.name : NULL);
		ag_buf_varint(b, (uint64_t)info.java_id);
	}
	ag_threads_free(names);
}

static void write_symbol_pools(ag_buf *b, pools *p)
{
	pool_header(b, AG_T_PACKAGE, p->packages.count);
	for (uint32_t id = 1; id <= p->packages.count; id++) {
		ag_buf_varint(b, id);
		ag_buf_varint(b, symbol(p, ag_intern_key(&p->packages, id)));
	}
	/* Interning above may add symbols, so the symbol pool comes last. */
	pool_header(b, AG_T_SYMBOL, p->symbols.count);
	for (uint32_t id = 1; id <= p->symbols.count; id++) {
		ag_buf_varint(b, id);
		ag_buf_string(b, ag_intern_key(&p->symbols, id));
	}
}

/* One checkpoint holding every pool; empty pools are left out (the JDK rejects them). */
static void write_checkpoint(ag_buf *b, ag_window *w, pools *p, uint64_t ticks, int jstackdepth)
{
	ag_buf traces = {0};
	uint32_t ntraces = write_traces(&traces, w, p, jstackdepth);
	size_t start;
	begin_record(b, &start, 1);
	ag_buf_varint(b, ticks);
	ag_buf_varint(b, 0); /* duration */
	ag_buf_varint(b, 0); /* delta: the only checkpoint */
	ag_buf_u8(b, 1); /* flush */
	int npools = 5 + (ntraces > 0) + (p->threads.count > 0) + (p->method_count > 0) +
		(p->class_count > 0);
	ag_buf_varint(b, (uint64_t)npools);
	pool_header(b, AG_T_FRAME_TYPE, AG_FRAME_TYPES);
	for (int i = 0; i < AG_FRAME_TYPES; i++) {
		ag_buf_varint(b, (uint64_t)i);
		ag_buf_string(b, ag_frame_type_names[i]);
	}
	static const char *const states[] = {"STATE_DEFAULT", "STATE_RUNNABLE", "STATE_SLEEPING"};
	pool_header(b, AG_T_THREAD_STATE, 3);
	for (int i = 0; i < 3; i++) {
		ag_buf_varint(b, (uint64_t)i);
		ag_buf_string(b, states[i]);
	}
	if (p->threads.count)
		write_threads(b, p);
	if (ntraces) {
		pool_header(b, AG_T_STACK_TRACE, ntraces);
		ag_buf_put(b, traces.data, traces.len);
	}
	if (p->method_count) {
		pool_header(b, AG_T_METHOD, p->method_count);
		ag_buf_put(b, p->method_entries.data, p->method_entries.len);
	}
	if (p->class_count) {
		pool_header(b, AG_T_CLASS, p->class_count);
		ag_buf_put(b, p->class_entries.data, p->class_entries.len);
	}
	write_symbol_pools(b, p);
	/* A dummy String pool, as async-profiler writes, keeps the count fixed. */
	pool_header(b, AG_T_STRING, 1);
	ag_buf_varint(b, 0);
	ag_buf_string(b, NULL);
	end_record(b, start);
	if (traces.failed)
		b->failed = true;
	ag_buf_free(&traces);
}

static void write_header(ag_buf *b, const ag_window *w)
{
	ag_buf_put(b, "FLR\0", 4);
	uint8_t version[4] = {0, 2, 0, 0};
	ag_buf_put(b, version, 4);
	for (int i = 0; i < 7; i++)
		ag_buf_be64(b, 0); /* size, cp offset, meta offset, start, duration, ticks, freq */
	ag_buf_be32(b, 1); /* compressed integers */
	ag_buf_patch_be64(b, 32, (uint64_t)w->start_realtime);
	ag_buf_patch_be64(b, 48, w->start_ticks);
	ag_buf_patch_be64(b, 56, 1000000000ull);
}

static bool build(ag_buf *b, ag_window *w, const ag_jfr_settings *s, uint64_t end_ticks)
{
	pools p = {0};
	write_header(b, w);
	ag_jfr_metadata(b, w->start_ticks);
	symbol(&p, ""); /* key 1 is the empty symbol */
	ag_intern_id(&p.packages, "", 0);
	write_settings(b, w->start_ticks, s);
	uint64_t n = event_count(w);
	for (uint64_t i = 0; i < n; i++)
		write_event(b, &w->events[i], &p);
	size_t cp = b->len;
	write_checkpoint(b, w, &p, end_ticks, s->jstackdepth);
	ag_buf_patch_be64(b, 8, b->len);
	ag_buf_patch_be64(b, 16, cp);
	ag_buf_patch_be64(b, 24, HEADER_SIZE);
	ag_buf_patch_be64(b, 40, end_ticks - w->start_ticks);
	bool ok = !b->failed && !p.symbols.failed && !p.classes.failed && !p.methods.failed &&
		!p.method_entries.failed && !p.class_entries.failed && !p.threads.failed &&
		!p.packages.failed;
	ag_intern_free(&p.symbols);
	ag_intern_free(&p.packages);
	ag_intern_free(&p.classes);
	ag_intern_free(&p.methods);
	ag_intern_free(&p.threads);
	ag_buf_free(&p.method_entries);
	ag_buf_free(&p.class_entries);
	return ok;
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

bool ag_jfr_write(const char *path, ag_window *w, const ag_jfr_settings *s, char *err,
	size_t errlen)
{
	ag_buf b = {0};
	if (!build(&b, w, s, ag_ticks())) {
		snprintf(err, errlen, "Not enough memory to write %s", path);
		ag_buf_free(&b);
		return false;
	}
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "Could not open output file: %s (%s)", path, strerror(errno));
		ag_buf_free(&b);
		return false;
	}
	const char *step = "write";
	bool ok = write_all(fd, b.data, b.len);
	int saved = errno;
	if (close(fd) != 0 && ok) {
		saved = errno;
		ok = false;
	}
	if (ok && rename(tmp, path) != 0) {
		step = "rename";
		saved = errno;
		ok = false;
	}
	if (!ok) {
		unlink(tmp);
		snprintf(err, errlen, "Could not %s output file: %s (%s)", step, path, strerror(saved));
	}
	ag_buf_free(&b);
	return ok;
}
