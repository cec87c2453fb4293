#include "native_stack.h"

#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#include "log.h"
#include "vmstructs.h"

/*
 * Threads without HotSpot's stack bounds: the stack above the interrupted
 * sp is copied with process_vm_readv on our own process before the chain
 * is followed; a read of an unmapped page fails the call instead of
 * faulting in the signal handler, so a frame pointer that is really a
 * general-purpose register never crashes the JVM. Only the copy is read; a
 * frame outside it ends the walk. The copy grows a chunk at a time as the
 * chain climbs, up to WINDOW bytes above sp: a system call costs about as
 * much as copying 8 KiB.
 */
#define WINDOW (32 * 1024)
#define CHUNK (8 * 1024) /* copied at a time: most native stacks fit one */
#define PAGE 4096
#define SCRATCHES 4

typedef struct scratch {
	atomic_flag busy;
	uint64_t words[WINDOW / 8];
} scratch;

static scratch scratches[SCRATCHES];
static atomic_bool enabled = true;
static _Atomic uint64_t failures;

void ag_native_stack_enable(bool on)
{
	atomic_store(&enabled, on);
}

bool ag_native_stack_enabled(void)
{
	return atomic_load(&enabled);
}

uint64_t ag_native_walk_failures_take(void)
{
	return atomic_exchange(&failures, 0);
}

/*
 * Copies [from, from + CHUNK) page by page, up to the first unreadable page,
 * to dst; returns the bytes copied.
 */
static size_t copy_chunk(uintptr_t from, uint64_t *dst)
{
	struct iovec local = {dst, CHUNK};
	struct iovec remote[CHUNK / PAGE + 1];
	size_t n = 0, left = CHUNK;
	uintptr_t at = from;
	while (left > 0) {
		size_t len = PAGE - (at & (PAGE - 1));
		if (len > left)
			len = left;
		remote[n].iov_base = (void *)at;
		remote[n].iov_len = len;
		n++;
		at += len;
		left -= len;
	}
	long got = syscall(SYS_process_vm_readv, (long)getpid(), &local, 1L, remote, (long)n, 0L);
	if (got < 0) {
		atomic_fetch_add(&failures, 1);
		return 0;
	}
	return (size_t)got;
}

/* HotSpot's record of a thread's stack: the highest address and the size. */
static _Atomic uint32_t base_off, size_off; /* 0: unknown */

/*
 * HotSpot lists the stack fields under JavaThread (what its serviceability
 * agent needs) but declares them in Thread, which every thread it creates
 * is: offsets inside sizeof(Thread) prove it (JDK 17: 592 and 600 of 648).
 */
static bool thread_field(const ag_vms *v, const char *field, uint64_t thread_size, uint64_t *off)
{
	ag_vms_field f;
	if (!ag_vms_field_of(v, "Thread", field, &f) && !ag_vms_field_of(v, "JavaThread", field, &f))
		return false;
	*off = f.offset;
	return !f.is_static && f.offset > 0 && f.offset + sizeof(uintptr_t) <= thread_size;
}

void ag_native_stack_init(void)
{
	ag_vms v;
	uint64_t thread_size = 0, base = 0, size = 0;
	char why[160] = "no Thread::_stack_base";
	if (ag_vms_from_jvm(&v, why, sizeof(why)) && ag_vms_type_size(&v, "Thread", &thread_size) &&
	    thread_field(&v, "_stack_base", thread_size, &base) &&
	    thread_field(&v, "_stack_size", thread_size, &size)) {
		ag_native_stack_layout((uint32_t)base, (uint32_t)size);
		return;
	}
	ag_log(AG_LOG_DEBUG, "Thread stack bounds not found (%s): native stacks are copied first", why);
}

void ag_native_stack_layout(uint32_t stack_base_offset, uint32_t stack_size_offset)
{
	atomic_store(&size_off, stack_size_offset);
	atomic_store(&base_off, stack_base_offset);
}

/*
 * The base (highest address) of the calling thread's stack as HotSpot
 * recorded it, if sp lies inside; the thread's own Thread object is alive
 * while it runs.
 */
static bool vm_stack_bounds(const void *vm_thread, uintptr_t sp, uintptr_t *hi)
{
	uint32_t b = atomic_load(&base_off), z = atomic_load(&size_off);
	if (!vm_thread || !b)
		return false;
	uintptr_t base = *(const uintptr_t *)((const char *)vm_thread + b);
	uintptr_t size = *(const uintptr_t *)((const char *)vm_thread + z);
	if (!base || !size || size > base || sp < base - size || sp >= base)
		return false;
	*hi = base;
	return true;
}

static scratch *claim(void)
{
	for (int i = 0; i < SCRATCHES; i++)
		if (!atomic_flag_test_and_set(&scratches[i].busy))
			return &scratches[i];
	return NULL;
}

/* Where frame records are read: in place, or from a copy that grows on demand. */
typedef struct stack_view {
	uintptr_t sp, hi; /* in place: [sp, hi) is the live part of the thread's stack */
	scratch *copy; /* else: copy->words holds [sp, sp + got) */
	size_t got;
} stack_view;

/* The frame record at fp: [fp] the caller's fp, [fp + 8] the return address. */
static bool read_record(stack_view *v, uintptr_t fp, uintptr_t *next, uintptr_t *ret)
{
	size_t off = fp - v->sp;
	if (!v->copy) {
		if (fp > v->hi - 16)
			return false;
		*next = ((const uintptr_t *)fp)[0];
		*ret = ((const uintptr_t *)fp)[1];
		return true;
	}
	while (off + 16 > v->got) {
		/* Copy on while the copy is whole and the window allows. */
		if (v->got % CHUNK != 0 || off + 16 > WINDOW)
			return false;
		size_t more = copy_chunk(v->sp + v->got, v->copy->words + v->got / 8);
		if (more == 0)
			return false;
		v->got += more;
	}
	*next = (uintptr_t)v->copy->words[off / 8];
	*ret = (uintptr_t)v->copy->words[off / 8 + 1];
	return true;
}

/* Frames 1.. from the chain at fp; frame pointers must climb toward the stack base. */
static uint32_t follow_chain(stack_view *v, uintptr_t fp, ag_frame *frames, uint32_t max)
{
	uint32_t n = 1;
	uintptr_t next, ret;
	while (n < max && fp >= v->sp && !(fp & 7) && read_record(v, fp, &next, &ret) && ret >= PAGE) {
		frames[n++] = (ag_frame){.bci = AG_BCI_NATIVE_PC, .method = (void *)(ret - 1)};
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}

uint32_t ag_native_walk(const void *ucontext, const void *vm_thread, ag_frame *frames,
	uint32_t max)
{
#if defined(__x86_64__)
	if (!atomic_load(&enabled) || max == 0 || !ucontext)
		return 0;
	const mcontext_t *mc = &((const ucontext_t *)ucontext)->uc_mcontext;
	uintptr_t pc = (uintptr_t)mc->gregs[REG_RIP];
	uintptr_t sp = (uintptr_t)mc->gregs[REG_RSP];
	uintptr_t fp = (uintptr_t)mc->gregs[REG_RBP];
	if (sp & 7)
		return 0;
	frames[0] = (ag_frame){.bci = AG_BCI_NATIVE_PC, .method = (void *)pc};
	stack_view v = {.sp = sp};
	if (vm_stack_bounds(vm_thread, sp, &v.hi))
		return follow_chain(&v, fp, frames, max);
	v.copy = claim();
	if (!v.copy)
		return 0;
	v.got = copy_chunk(sp, v.copy->words);
	uint32_t n = follow_chain(&v, fp, frames, max);
	atomic_flag_clear(&v.copy->busy);
	return n;
#else
	(void)ucontext, (void)vm_thread, (void)frames, (void)max;
	return 0;
#endif
}
