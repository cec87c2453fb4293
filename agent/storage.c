#include "storage.h"

#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define TRACE_CAP (1u << 16)
#define FRAME_CAP (1ull << 22)
#define EVENT_CAP (1ull << 20)

static ag_window windows[2];
static int current_index;
static _Atomic(ag_window *) current;
static ag_window *last_closed;

uint64_t ag_ticks(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t ag_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void *reserve(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		-1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static bool window_init(ag_window *w)
{
	w->trace_cap = TRACE_CAP;
	w->frame_cap = FRAME_CAP;
	w->event_cap = EVENT_CAP;
	w->traces = reserve(sizeof(ag_trace) * TRACE_CAP);
	w->inserted = reserve(sizeof(uint32_t) * TRACE_CAP);
	w->frames = reserve(sizeof(ag_frame) * FRAME_CAP);
	w->events = reserve(sizeof(ag_event) * EVENT_CAP);
	return w->traces && w->inserted && w->frames && w->events;
}

bool ag_storage_init(void)
{
	if (windows[0].traces)
		return true;
	return window_init(&windows[0]) && window_init(&windows[1]);
}

ag_window *ag_window_enter(void)
{
	for (;;) {
		ag_window *w = atomic_load(&current);
		if (!w)
			return NULL;
		atomic_fetch_add(&w->writers, 1);
		if (atomic_load(&current) == w)
			return w;
		atomic_fetch_sub(&w->writers, 1);
	}
}

void ag_window_leave(ag_window *w)
{
	atomic_fetch_sub(&w->writers, 1);
}

static uint64_t frames_hash(const ag_frame *f, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ n;
	for (uint32_t i = 0; i < n; i++) {
		h = (h ^ (uint64_t)(uintptr_t)f[i].method) * 0x100000001b3ull;
		h = (h ^ (uint32_t)f[i].bci) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	return h ? h : 1;
}

/* Claims the frames of a newly inserted trace; a full arena leaves it empty. */
static void fill_trace(ag_window *w, ag_trace *t, const ag_frame *frames, uint32_t n)
{
	uint64_t off = atomic_fetch_add(&w->frame_used, n);
	if (off + n <= w->frame_cap) {
		memcpy(&w->frames[off], frames, sizeof(ag_frame) * n);
		t->frames_off = off;
		t->nframes = n;
	}
	atomic_store(&t->ready, 1);
}

/* 1-based id of the trace, 0 when the table is full. */
static uint32_t find_or_insert(ag_window *w, const ag_frame *frames, uint32_t n)
{
	uint64_t h = frames_hash(frames, n);
	uint32_t mask = w->trace_cap - 1;
	for (uint32_t i = 0; i < w->trace_cap; i++) {
		uint32_t idx = ((uint32_t)h + i) & mask;
		ag_trace *t = &w->traces[idx];
		uint64_t cur = atomic_load(&t->hash);
		if (cur == 0) {
			/* Keep the table at most 3/4 full so probes stay short. */
			if (atomic_load(&w->trace_used) >= w->trace_cap / 4 * 3)
				return 0;
			if (!atomic_compare_exchange_strong(&t->hash, &cur, h)) {
				if (cur != h)
					continue;
			} else {
				uint32_t pos = atomic_fetch_add(&w->trace_used, 1);
				fill_trace(w, t, frames, n);
				if (pos < w->trace_cap)
					atomic_store(&w->inserted[pos], idx + 1);
			}
		} else if (cur != h) {
			continue;
		}
		atomic_fetch_add(&t->samples, 1);
		return idx + 1;
	}
	return 0;
}

static bool append_event(ag_window *w, const ag_event *ev, uint32_t trace)
{
	uint64_t slot = atomic_fetch_add(&w->event_used, 1);
	if (slot >= w->event_cap) {
		atomic_fetch_add(&w->dropped, 1);
		return false;
	}
	w->events[slot] = *ev;
	w->events[slot].trace = trace;
	return true;
}

uint32_t ag_record(ag_window *w, const ag_frame *frames, uint32_t n, const ag_event *ev)
{
	uint32_t trace = 0;
	if (n > 0) {
		trace = find_or_insert(w, frames, n);
		if (!trace) {
			atomic_fetch_add(&w->dropped, 1);
			return 0;
		}
	}
	if (!append_event(w, ev, trace))
		return 0;
	return trace ? trace : AG_NO_STACK;
}

bool ag_record_trace(ag_window *w, uint32_t trace, const ag_event *ev)
{
	if (trace == 0 || trace > w->trace_cap || !atomic_load(&w->traces[trace - 1].hash))
		return false;
	atomic_fetch_add(&w->traces[trace - 1].samples, 1);
	return append_event(w, ev, trace);
}

static void discard(void *p, size_t bytes)
{
	/* Anonymous private pages read back as zero after this. */
	madvise(p, bytes, MADV_DONTNEED);
}

void ag_window_reset(ag_window *w)
{
	discard(w->traces, sizeof(ag_trace) * w->trace_cap);
	discard((void *)w->inserted, sizeof(uint32_t) * w->trace_cap);
	discard(w->frames, sizeof(ag_frame) * w->frame_cap);
	discard(w->events, sizeof(ag_event) * w->event_cap);
	atomic_store(&w->trace_used, 0);
	atomic_store(&w->frame_used, 0);
	atomic_store(&w->event_used, 0);
	atomic_store(&w->dropped, 0);
	atomic_fetch_add(&w->generation, 1);
}

static void stamp(ag_window *w)
{
	w->start_realtime = ag_realtime_ns();
	w->start_ticks = ag_ticks();
}

void ag_storage_open(bool reset)
{
	ag_window *w = &windows[current_index];
	if (reset) {
		ag_window_reset(w);
		stamp(w);
	}
	atomic_store(&current, w);
}

static void wait_for_writers(ag_window *w)
{
	struct timespec pause = {0, 100000};
	while (atomic_load(&w->writers) > 0)
		nanosleep(&pause, NULL);
}

ag_window *ag_storage_close(bool rotate)
{
	ag_window *old = atomic_load(&current);
	if (!old)
		return NULL;
	ag_window *next = NULL;
	if (rotate) {
		current_index ^= 1;
		next = &windows[current_index];
		stamp(next);
	}
	atomic_store(&current, next);
	wait_for_writers(old);
	last_closed = old;
	return old;
}

ag_window *ag_storage_last(void)
{
	return last_closed;
}
