#include "sampler.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "frame_types.h"
#include "native_stack.h"
#include "vm.h"

#define THREAD_SET_CAP 8192
#define TID_MAP_CAP 16384
#define BUFFERS 32
#define TOMBSTONE ((void *)1)

static _Atomic(void *) java_threads[THREAD_SET_CAP];

typedef struct tid_entry {
	_Atomic uint32_t tid;
	_Atomic(void *) thread;
} tid_entry;
static tid_entry tid_map[TID_MAP_CAP];

typedef struct frame_buffer {
	atomic_flag busy;
	ag_frame frames[AG_MAX_DEPTH];
	ag_ft_scratch types; /* frame_types.c's working memory */
} frame_buffer;
static frame_buffer buffers[BUFFERS]; /* zeroed flags are clear */

static int max_depth = AG_MAX_DEPTH;
static _Atomic uint64_t skipped;

uint32_t ag_gettid(void)
{
	return (uint32_t)syscall(SYS_gettid);
}

void ag_sampler_set_depth(int depth)
{
	max_depth = depth > 0 && depth < AG_MAX_DEPTH ? depth : AG_MAX_DEPTH;
}

uint64_t ag_sampler_skipped(void)
{
	return atomic_load(&skipped);
}

static uint32_t ptr_hash(const void *p)
{
	uint64_t v = (uint64_t)(uintptr_t)p;
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdull;
	v ^= v >> 33;
	return (uint32_t)v;
}

void ag_sampler_add_thread(void *jt)
{
	if (!jt)
		return;
	uint32_t h = ptr_hash(jt);
	for (uint32_t i = 0; i < THREAD_SET_CAP; i++) {
		_Atomic(void *) *slot = &java_threads[(h + i) % THREAD_SET_CAP];
		void *cur = atomic_load(slot);
		if (cur == jt)
			return;
		if (cur == NULL || cur == TOMBSTONE) {
			if (atomic_compare_exchange_strong(slot, &cur, jt))
				return;
		}
	}
}

void ag_sampler_remove_thread(void *jt)
{
	uint32_t h = ptr_hash(jt);
	for (uint32_t i = 0; i < THREAD_SET_CAP; i++) {
		_Atomic(void *) *slot = &java_threads[(h + i) % THREAD_SET_CAP];
		void *cur = atomic_load(slot);
		if (cur == NULL)
			return;
		if (cur == jt) {
			atomic_store(slot, TOMBSTONE);
			return;
		}
	}
}

static bool is_java_thread(void *jt)
{
	uint32_t h = ptr_hash(jt);
	for (uint32_t i = 0; i < THREAD_SET_CAP; i++) {
		void *cur = atomic_load(&java_threads[(h + i) % THREAD_SET_CAP]);
		if (cur == NULL)
			return false;
		if (cur == jt)
			return true;
	}
	return false;
}

void ag_sampler_note_thread(uint32_t tid, void *jt)
{
	for (uint32_t i = 0; i < 8; i++) {
		tid_entry *e = &tid_map[(tid * 2654435761u + i) % TID_MAP_CAP];
		uint32_t cur = atomic_load(&e->tid);
		if (cur == 0 && atomic_compare_exchange_strong(&e->tid, &cur, tid))
			cur = tid;
		if (cur != tid)
			continue;
		atomic_store(&e->thread, jt);
		return;
	}
}

void *ag_sampler_thread_of(uint32_t tid)
{
	for (uint32_t i = 0; i < 8; i++) {
		tid_entry *e = &tid_map[(tid * 2654435761u + i) % TID_MAP_CAP];
		if (atomic_load(&e->tid) == tid)
			return atomic_load(&e->thread);
	}
	return NULL;
}

static frame_buffer *claim_buffer(uint32_t tid)
{
	for (uint32_t i = 0; i < 3; i++) {
		frame_buffer *b = &buffers[(tid + i) % BUFFERS];
		if (!atomic_flag_test_and_set(&b->busy))
			return b;
	}
	return NULL;
}

static void walk(void *jt, void *ucontext, frame_buffer *b, uint32_t *n)
{
	ag_frame *frames = b->frames;
	ag_call_trace trace = {
		.env_id = (JNIEnv *)((char *)jt + ag_jvm.env_offset),
		.num_frames = 0,
		.frames = frames,
	};
	ag_jvm.agct(&trace, max_depth, ucontext);
	if (trace.num_frames > 0) {
		*n = (uint32_t)trace.num_frames;
		ag_ft_classify(jt, ucontext, frames, *n, *n >= (uint32_t)max_depth, &b->types);
		return;
	}
	/* Keep the sample with one frame naming AGCT's failure code. */
	frames[0].method = NULL;
	frames[0].bci = trace.num_frames;
	*n = 1;
}

uint32_t ag_sample_signal(void *ucontext, ag_event_kind kind, ag_thread_state state,
	ag_window **window)
{
	*window = NULL;
	if (!ag_jvm.bridge_ok || !ag_jvm.agct)
		return 0;
	void *jt = pthread_getspecific(ag_jvm.thread_key);
	bool java = jt && is_java_thread(jt);
	/* Other threads (GC, JIT compilers, native code) use CPU too: their native stacks. */
	if (!java && (kind != AG_EV_CPU || !ag_native_stack_enabled()))
		return 0;
	ag_window *w = ag_window_enter();
	if (!w)
		return 0;
	uint32_t tid = ag_gettid();
	frame_buffer *b = claim_buffer(tid);
	if (!b) {
		atomic_fetch_add(&skipped, 1);
		ag_window_leave(w);
		return 0;
	}
	uint32_t n = 0;
	if (java)
		walk(jt, ucontext, b, &n);
	else
		n = ag_native_walk(ucontext, jt, b->frames, (uint32_t)max_depth);
	if (n == 0) {
		atomic_flag_clear(&b->busy);
		ag_window_leave(w);
		return 0;
	}
	ag_event ev = {
		.ticks = ag_ticks(),
		.tid = tid,
		.kind = (uint8_t)kind,
		.state = (uint8_t)state,
		.samples = 1,
	};
	uint32_t trace = ag_record(w, b->frames, n, &ev);
	atomic_flag_clear(&b->busy);
	ag_window_leave(w);
	ag_sampler_note_thread(tid, java ? jt : NULL); /* a reused tid is no longer that Java thread */
	*window = w;
	return trace;
}
