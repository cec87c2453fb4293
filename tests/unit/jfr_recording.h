/*
 * A standard small recording for the JFR tests, with knobs for the
 * encodings and layouts real producers use. Stack 1 is
 * com/example/App.main:20 -> com/example/App.leaf:10 (leaf first on the
 * wire); stack 2 is one lambda frame with line -1 and truncated=true.
 */
#ifndef PJ_TESTS_JFR_RECORDING_H
#define PJ_TESTS_JFR_RECORDING_H

#include "jfr_writer.h"

typedef struct rec_opts {
	bool fixed_ints; /* header flag bit 0 clear: fixed-width integers */
	int symbol_enc; /* 3 (UTF-8), 4 (UTF-16), 5 (Latin-1) or 2 (String pool reference) */
	bool split_pools; /* pools over two chained checkpoints */
	uint64_t symbol_base; /* added to every Symbol key, e.g. above 2^32 */
	int64_t ticks_per_second;
} rec_opts;

static inline void rec_symbol(const tw *w, pj_buf *p, const rec_opts *o, uint64_t key, const char *s)
{
	tw_long(w, p, o->symbol_base + key);
	if (o->symbol_enc == 4) {
		uint16_t u[128];
		size_t n = strlen(s);
		for (size_t i = 0; i < n; i++)
			u[i] = (uint8_t)s[i];
		tw_chars(w, p, u, n);
	} else if (o->symbol_enc == 5) {
		tw_latin1(w, p, s);
	} else if (o->symbol_enc == 2) {
		tw_strref(w, p, 100 + key);
	} else {
		tw_utf8(w, p, s);
	}
}

static const char *const rec_symbols[] = {
	NULL, NULL, "com/example/App", "leaf", "main", "()V", "com/example/App$$Lambda$5.0x00007f46d0001c40", "run",
};

/* Symbol, Class, Method pools (and the String pool that encoding 2 needs). */
static inline size_t rec_name_pools(const tw *w, pj_buf *p, const rec_opts *o)
{
	size_t n = 3;
	tw_pool(w, p, TW_SYMBOL, 6);
	for (uint64_t k = 2; k <= 7; k++)
		rec_symbol(w, p, o, k, rec_symbols[k]);
	if (o->symbol_enc == 2) {
		tw_pool(w, p, TW_STRING, 6);
		for (uint64_t k = 2; k <= 7; k++) {
			tw_long(w, p, 100 + k);
			tw_utf8(w, p, rec_symbols[k]);
		}
		n++;
	}
	tw_pool(w, p, TW_CLASS, 2);
	tw_long(w, p, 1);
	tw_long(w, p, o->symbol_base + 2);
	tw_int(w, p, 0);
	tw_long(w, p, 2);
	tw_long(w, p, o->symbol_base + 6);
	tw_int(w, p, 0);
	tw_pool(w, p, TW_METHOD, 3);
	const uint64_t methods[3][3] = {{1, 1, 3}, {2, 1, 4}, {3, 2, 7}};
	for (int i = 0; i < 3; i++) {
		tw_long(w, p, methods[i][0]);
		tw_long(w, p, methods[i][1]);
		tw_long(w, p, o->symbol_base + methods[i][2]);
		tw_long(w, p, o->symbol_base + 5);
		tw_int(w, p, 0);
		tw_byte(p, 0);
	}
	return n;
}

static inline void rec_frame(const tw *w, pj_buf *p, uint64_t method, uint64_t line)
{
	tw_long(w, p, method);
	tw_int(w, p, line);
	tw_int(w, p, 0);
	tw_long(w, p, 0);
}

/* FrameType, ThreadState, Thread, StackTrace pools. */
static inline size_t rec_stack_pools(const tw *w, pj_buf *p)
{
	tw_pool(w, p, TW_FRAMETYPE, 1);
	tw_long(w, p, 0);
	tw_utf8(w, p, "Interpreted");
	tw_pool(w, p, TW_THREADSTATE, 3);
	const char *states[] = {"STATE_DEFAULT", "STATE_RUNNABLE", "STATE_SLEEPING"};
	for (uint64_t k = 0; k < 3; k++) {
		tw_long(w, p, k);
		tw_utf8(w, p, states[k]);
	}
	tw_pool(w, p, TW_THREAD, 2);
	tw_long(w, p, 7);
	tw_utf8(w, p, "os-main");
	tw_long(w, p, 7);
	tw_utf8(w, p, "main");
	tw_long(w, p, 1);
	tw_long(w, p, 8);
	tw_utf8(w, p, "GC Thread#0");
	tw_long(w, p, 8);
	tw_byte(p, 0);
	tw_long(w, p, 0);
	tw_pool(w, p, TW_STACKTRACE, 2);
	tw_long(w, p, 1);
	tw_byte(p, 0);
	tw_int(w, p, 2);
	rec_frame(w, p, 1, 10);
	rec_frame(w, p, 2, 20);
	tw_long(w, p, 2);
	tw_byte(p, 1);
	tw_int(w, p, 1);
	rec_frame(w, p, 3, 0xFFFFFFFF);
	return 4;
}

/* Writes the pools as one checkpoint, or as two chained ones. */
static inline void rec_pools(tw *w, const rec_opts *o)
{
	pj_buf a = PJ_BUF_INIT, b = PJ_BUF_INIT;
	if (o->split_pools) {
		size_t na = rec_stack_pools(w, &a), nb = rec_name_pools(w, &b, o);
		tw_checkpoint(w, na, &a, 0);
		size_t first = w->cp_off;
		tw_checkpoint(w, nb, &b, first);
	} else {
		size_t n = rec_stack_pools(w, &a);
		n += rec_name_pools(w, &a, o);
		tw_checkpoint(w, n, &a, 0);
	}
	pj_buf_free(&a);
	pj_buf_free(&b);
}

static inline void rec_setting(tw *w, const char *name, const char *value)
{
	pj_buf e = PJ_BUF_INIT;
	tw_long(w, &e, 1000);
	tw_long(w, &e, 107);
	tw_utf8(w, &e, name);
	tw_utf8(w, &e, value);
	tw_record(w, TW_ACTIVE_SETTING, &e);
	pj_buf_free(&e);
}

static inline void rec_exec(tw *w, uint64_t thread, uint64_t stack, uint64_t state)
{
	pj_buf e = PJ_BUF_INIT;
	tw_long(w, &e, 1001);
	tw_long(w, &e, thread);
	tw_long(w, &e, stack);
	tw_long(w, &e, state);
	tw_record(w, TW_EXECUTION_SAMPLE, &e);
	pj_buf_free(&e);
}

static inline void rec_wall(tw *w, uint64_t stack, uint64_t state, uint64_t samples)
{
	pj_buf e = PJ_BUF_INIT;
	tw_long(w, &e, 1001);
	tw_long(w, &e, 7);
	tw_long(w, &e, stack);
	tw_long(w, &e, state);
	tw_int(w, &e, samples);
	tw_long(w, &e, 0);
	tw_record(w, TW_WALL_SAMPLE, &e);
	pj_buf_free(&e);
}

static inline void rec_alloc(tw *w, uint64_t stack, uint64_t weight)
{
	pj_buf e = PJ_BUF_INIT;
	tw_long(w, &e, 1001);
	tw_long(w, &e, 7);
	tw_long(w, &e, stack);
	tw_long(w, &e, 1);
	tw_long(w, &e, 24);
	tw_long(w, &e, weight);
	tw_record(w, TW_ALLOC_IN_TLAB, &e);
	pj_buf_free(&e);
}

static inline void rec_monitor(tw *w, uint64_t stack, uint64_t duration_ticks)
{
	pj_buf e = PJ_BUF_INIT;
	tw_long(w, &e, 1001);
	tw_long(w, &e, duration_ticks);
	tw_long(w, &e, 7);
	tw_long(w, &e, stack);
	tw_long(w, &e, 1);
	tw_long(w, &e, 0);
	tw_long(w, &e, 0xdead);
	tw_record(w, TW_MONITOR_ENTER, &e);
	pj_buf_free(&e);
}

/* Opens a chunk with metadata; the caller writes events, then rec_finish(). */
static inline void rec_start(tw *w, const rec_opts *o)
{
	w->compressed = !o->fixed_ints;
	w->ticks_per_second = o->ticks_per_second;
	tw_begin(w);
	tw_metadata(w);
}

static inline void rec_finish(tw *w, const rec_opts *o)
{
	rec_pools(w, o);
	tw_end(w);
}

#endif
