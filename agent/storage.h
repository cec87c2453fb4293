/*
 * Sample storage written from signal handlers: no locks, no allocation.
 *
 * A window ("generation") holds a call-trace hash table (traces
 * deduplicated by a 64-bit hash of their frames and counted), a frame arena
 * and an append-only event array, all in mmap'ed memory reserved up front
 * and touched lazily. Writers enter the current window, write with atomics
 * and leave; `dump` switches to the other window and waits for writers of
 * the old one to leave before reading it, so sampling never pauses. Full
 * tables drop and count instead of blocking.
 */
#ifndef AG_STORAGE_H
#define AG_STORAGE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Same layout as AsyncGetCallTrace's ASGCT_CallFrame, so AGCT fills it directly. */
typedef struct ag_frame {
	int32_t bci; /* bci; AGCT's negative codes; for method == NULL an error code */
	void *method; /* jmethodID, NULL for a synthetic error frame */
} ag_frame;

typedef enum ag_event_kind {
	AG_EV_CPU,
	AG_EV_WALL,
	AG_EV_ALLOC_IN_TLAB,
	AG_EV_ALLOC_OUTSIDE_TLAB,
	AG_EV_LOCK,
	AG_EV_PARK,
} ag_event_kind;

typedef enum ag_thread_state {
	AG_STATE_DEFAULT,
	AG_STATE_RUNNABLE,
	AG_STATE_SLEEPING,
} ag_thread_state;

/* How an AG_EV_PARK event's park was bounded (in its `state`; time in `weight`). */
typedef enum ag_park_kind {
	AG_PARK_FOREVER, /* time 0: until unparked */
	AG_PARK_TIMEOUT, /* time = ns from the call */
	AG_PARK_UNTIL, /* time = ms since the epoch */
} ag_park_kind;

typedef struct ag_event {
	uint64_t ticks; /* CLOCK_MONOTONIC ns */
	uint32_t tid;
	uint32_t trace; /* 1-based trace id in the window, 0 = no stack */
	uint8_t kind;
	uint8_t state; /* ag_thread_state; ag_park_kind for AG_EV_PARK */
	uint32_t samples; /* wall samples folded into this event */
	const char *cls; /* interned class name (alloc, lock, park; NULL = none) */
	uint64_t value; /* allocation size / lock or park wait in ns */
	uint64_t weight; /* allocation weight; park: the park call's time argument */
} ag_event;

typedef struct ag_trace {
	_Atomic uint64_t hash; /* 0 = free slot */
	_Atomic uint32_t ready; /* 0 = being written, 1 = frames written, 2 = names resolved */
	uint32_t nframes;
	uint64_t frames_off;
	_Atomic uint64_t samples;
} ag_trace;

typedef struct ag_window {
	_Atomic int writers;
	ag_trace *traces;
	uint32_t trace_cap;
	_Atomic uint32_t trace_used;
	/* Trace ids (1-based) in insertion order, trace_used of them; 0 = not
	 * written yet. Lets the resolver visit new stacks without scanning the
	 * whole table. */
	_Atomic uint32_t *inserted;
	_Atomic uint64_t generation; /* bumped by every reset */
	ag_frame *frames;
	uint64_t frame_cap;
	_Atomic uint64_t frame_used;
	ag_event *events;
	uint64_t event_cap;
	_Atomic uint64_t event_used;
	_Atomic uint64_t dropped; /* samples lost to full tables */
	int64_t start_realtime; /* ns since the epoch */
	uint64_t start_ticks;
} ag_window;

/* Reserves both windows' memory. Returns false when mmap fails. */
bool ag_storage_init(void);

/* Async-signal-safe. NULL when no window is open (profiler stopped). */
ag_window *ag_window_enter(void);
void ag_window_leave(ag_window *w);

/*
 * Records one event with its stack (frames top first; n may be 0 for no
 * stack). Async-signal-safe. Returns the 1-based trace id, AG_NO_STACK for
 * an event without a stack, or 0 when the sample was dropped.
 */
#define AG_NO_STACK UINT32_MAX
uint32_t ag_record(ag_window *w, const ag_frame *frames, uint32_t n, const ag_event *ev);
/* Records one more event with the stack of trace `trace` of the same window. */
bool ag_record_trace(ag_window *w, uint32_t trace, const ag_event *ev);

/* Opens the window for writing, discarding its old content if `reset`. */
void ag_storage_open(bool reset);
/*
 * Closes the current window for writing and waits until no writer is left
 * in it; returns it for reading (NULL if none was open). With `rotate`, the
 * other window (emptied) is opened first so that no sample is lost.
 */
ag_window *ag_storage_close(bool rotate);
/* The window read by the last close, for text output after `stop`. */
ag_window *ag_storage_last(void);
/* Empties a closed window and returns its memory to the system. */
void ag_window_reset(ag_window *w);

uint64_t ag_ticks(void);
int64_t ag_realtime_ns(void);

#endif
