/*
 * wall: a sampler thread signals (tgkill SIGVTALRM) every thread of the
 * process once per interval, at most BATCH per tick, whether it runs or
 * sleeps, so each thread gets 1/interval samples per second (up to BATCH
 * threads per 100 us of interval; beyond that the period stretches). The
 * handler takes the Java stack and tells sleeping from running by the
 * interrupted instruction (spec jvm-agent-and-attach.md D.7).
 *
 * A thread that used no CPU since its last sample is idle: it is not
 * interrupted again, its last stack is recorded once more as sleeping.
 * That spares idle threads (most of a server's) the signal and the stack walk.
 *
 * On a busy machine the sampler thread itself waits for a CPU and comes
 * late. Each visit therefore stands for the wall time the thread lived
 * since its previous visit, in intervals (the event's `samples`, at most
 * a minute of it); the remainder is carried to the next visit, so a thread's
 * samples add up to its lifetime / interval however the visits fall.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "cost.h"
#include "engine.h"
#include "sampler.h"

/* Threads visited per wake-up. A wake-up costs the sampler ~18 us of CPU
 * in a VM (more than listing the threads), so a typical JVM's 20-30
 * threads take one per interval. */
#define BATCH 32
#define MAX_TIDS 16384
#define IDLE_CPU_NS 10000 /* CPU a thread may use and still count as idle */
/* One visit stands for at most a minute of wall time. On a machine with
 * 7-10 runnable threads per CPU the sampler thread was seen to wait up to
 * 4 s for a CPU; the threads lived that time all the same. */
#define WEIGHT_MAX_NS 60000000000LL

/* Per-thread state: written by the sampler thread and, for the stack, the handler. */
typedef struct wall_thread {
	_Atomic uint32_t tid;
	_Atomic uint64_t last_cpu; /* thread CPU at the last visit or handler end */
	uint64_t last_visit; /* ag_ticks() of the sampler's last visit */
	uint64_t last_round; /* the sampler's round of that visit */
	int64_t credit; /* wall ns lived and not yet sampled (may be negative) */
	_Atomic uint32_t weight; /* intervals the pending signal stands for */
	_Atomic uint32_t trace; /* last stack, valid in `window` only */
	_Atomic(ag_window *) window;
} wall_thread;

static wall_thread known[MAX_TIDS];
static atomic_bool running;
static pthread_t sampler;
static long interval_ns;
static uint32_t sampler_tid;
static uint64_t round_no; /* sampler thread only: one round visits every thread */

/* At a syscall instruction (restart pending) or just past one that returned EINTR. */
static ag_thread_state state_of(void *ucontext)
{
	const ucontext_t *uc = ucontext;
#if defined(__x86_64__)
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	long ret = (long)uc->uc_mcontext.gregs[REG_RAX];
	const uint8_t *p = (const uint8_t *)pc;
	if (p[0] == 0x0f && p[1] == 0x05)
		return AG_STATE_SLEEPING;
	if ((pc & 0xfff) >= 2 && p[-2] == 0x0f && p[-1] == 0x05 && ret == -EINTR)
		return AG_STATE_SLEEPING;
#elif defined(__aarch64__)
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.pc;
	long ret = (long)uc->uc_mcontext.regs[0];
	const uint32_t *p = (const uint32_t *)pc;
	if (p[0] == 0xd4000001u)
		return AG_STATE_SLEEPING;
	if ((pc & 0xfff) >= 4 && p[-1] == 0xd4000001u && ret == -EINTR)
		return AG_STATE_SLEEPING;
#else
	(void)uc;
#endif
	return AG_STATE_RUNNABLE;
}

/* The slot of `tid`; with `add`, claimed if new. NULL when the table is full. */
static wall_thread *slot_of(uint32_t tid, bool add)
{
	for (uint32_t i = 0; i < 16; i++) {
		wall_thread *t = &known[(tid * 2654435761u + i) % MAX_TIDS];
		uint32_t cur = atomic_load(&t->tid);
		if (cur == 0 && add && atomic_compare_exchange_strong(&t->tid, &cur, tid))
			cur = tid;
		if (cur == tid)
			return t;
		if (cur == 0 && !add)
			return NULL;
	}
	return NULL;
}

/* Records `samples` more of `trace`, if `w` is still the open window. */
static bool record_again(ag_window *w, uint32_t trace, uint32_t tid, ag_thread_state state,
	uint32_t samples)
{
	if (!w || trace == 0 || trace == AG_NO_STACK)
		return false;
	ag_window *cur = ag_window_enter();
	if (!cur)
		return false;
	bool ok = false;
	if (cur == w) {
		ag_event ev = {
			.ticks = ag_ticks(), .tid = tid, .kind = AG_EV_WALL, .state = (uint8_t)state,
			.samples = samples,
		};
		ok = ag_record_trace(cur, trace, &ev);
	}
	ag_window_leave(cur);
	return ok;
}

/* The window samples go to now, NULL when stopped (async-signal-safe). */
static ag_window *open_window(void)
{
	ag_window *w = ag_window_enter();
	if (w)
		ag_window_leave(w);
	return w;
}

static void on_sigvtalrm(int sig, siginfo_t *info, void *ucontext)
{
	(void)sig, (void)info;
	ag_window *w;
	ag_thread_state state = state_of(ucontext);
	uint32_t trace = ag_sample_signal(ucontext, AG_EV_WALL, state, &w);
	uint32_t tid = ag_gettid();
	wall_thread *t = slot_of(tid, false);
	if (t) {
		/* No stack in an open window: not a Java thread (see visit). */
		atomic_store(&t->trace, trace);
		atomic_store(&t->window, trace ? w : open_window());
		/* The recorded event counts one interval; the rest of the weight. */
		uint32_t weight = atomic_exchange(&t->weight, 0);
		if (weight > 1)
			record_again(w, trace, tid, state, weight - 1);
		/* The idle test must not count this handler's own CPU time, or
		 * every thread signalled once would look busy ever after. */
		struct timespec ts;
		if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
			atomic_store(&t->last_cpu,
				(uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
	}
}

static bool thread_cpu_ns(uint32_t tid, uint64_t *ns)
{
	/* The kernel's per-thread CPU clock id for another thread of this process. */
	clockid_t clock = (clockid_t)((~(unsigned)tid << 3) | 6);
	struct timespec ts;
	if (clock_gettime(clock, &ts) != 0)
		return false;
	*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return true;
}

/*
 * How many intervals this visit stands for: the wall time since the
 * thread's visit in the previous round plus the remainder carried from
 * then, rounded. A thread not seen in the previous round (new, or a new
 * thread reusing a tid) starts at one. 0 = skip this visit.
 */
static uint32_t visit_weight(wall_thread *t)
{
	uint64_t now = ag_ticks();
	int64_t interval = interval_ns;
	int64_t credit = interval;
	if (t->last_visit && t->last_round + 1 == round_no && now >= t->last_visit)
		credit = t->credit + (int64_t)(now - t->last_visit);
	t->last_visit = now;
	t->last_round = round_no;
	int64_t n = credit > 0 ? (credit + interval / 2) / interval : 0;
	int64_t cap = WEIGHT_MAX_NS / interval + 1;
	if (n > cap)
		n = cap;
	credit -= n * interval;
	t->credit = credit > interval / 2 ? interval / 2 : credit;
	return (uint32_t)n;
}

static void visit(pid_t pid, uint32_t tid)
{
	wall_thread *t = slot_of(tid, true);
	uint32_t weight = t ? visit_weight(t) : 1;
	if (weight == 0)
		return;
	uint64_t cpu = 0;
	if (t && thread_cpu_ns(tid, &cpu)) {
		uint64_t last = atomic_load(&t->last_cpu);
		bool idle = cpu >= last && cpu - last <= IDLE_CPU_NS;
		atomic_store(&t->last_cpu, cpu);
		ag_window *last_window = atomic_load(&t->window);
		uint32_t last_trace = atomic_load(&t->trace);
		/* An idle thread's last stack is recorded again, as sleeping. One
		 * whose last signal in this window gave no stack (a JVM-internal
		 * thread: only Java threads are recorded) is left alone. */
		if (idle && last_trace == 0 && last_window && last_window == open_window())
			return;
		if (idle && record_again(last_window, last_trace, tid, AG_STATE_SLEEPING, weight))
			return;
	}
	if (t)
		atomic_fetch_add(&t->weight, weight);
	syscall(SYS_tgkill, pid, tid, SIGVTALRM);
}

static size_t list_threads(uint32_t *tids, size_t cap)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *e;
	while (n < cap && (e = readdir(d)) != NULL) {
		uint32_t tid = (uint32_t)strtoul(e->d_name, NULL, 10);
		if (tid && tid != sampler_tid)
			tids[n++] = tid;
	}
	closedir(d);
	return n;
}

/*
 * Sleeps until the absolute time *next + ns and makes that the new *next.
 * Deadlines are absolute so that a late wake-up (on a busy machine the
 * sampler waits for a CPU like everyone else) shortens the next pause
 * instead of stretching every period: each thread keeps its one sample per
 * interval. A backlog of more than one interval (the process was stopped,
 * the machine overloaded) is not caught up in a burst of visits: the next
 * visits' weights account for the time instead (visit_weight).
 */
static void sleep_until_next(uint64_t *next, long ns)
{
	*next += (uint64_t)(ns > 0 ? ns : 0);
	uint64_t now = ag_ticks();
	if (now > *next + (uint64_t)interval_ns)
		*next = now;
	if (now >= *next)
		return;
	struct timespec ts = {(time_t)(*next / 1000000000ull), (long)(*next % 1000000000ull)};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
		atomic_load(&running))
		;
}

static void *sampler_main(void *arg)
{
	(void)arg;
	sampler_tid = ag_gettid();
	uint32_t *tids = malloc(sizeof(uint32_t) * MAX_TIDS);
	if (!tids)
		return NULL;
	pid_t pid = getpid();
	uint64_t next = ag_ticks();
	uint64_t cpu = ag_cost_thread_cpu();
	while (atomic_load(&running)) {
		ag_cost_thread_tick(&cpu);
		size_t n = list_threads(tids, MAX_TIDS);
		round_no++;
		size_t ticks = n ? (n + BATCH - 1) / BATCH : 1;
		long pause = interval_ns / (long)ticks;
		/* At most one batch per 100 us: with more than BATCH threads per
		 * 100 us of interval the period stretches, bounding the cost. */
		if (pause < 100000)
			pause = 100000;
		for (size_t i = 0; i < n && atomic_load(&running); i += BATCH) {
			for (size_t k = i; k < n && k < i + BATCH; k++)
				visit(pid, tids[k]);
			sleep_until_next(&next, pause);
		}
		if (n == 0)
			sleep_until_next(&next, interval_ns);
	}
	ag_cost_thread_tick(&cpu);
	free(tids);
	return NULL;
}

static bool wall_start(const ag_engine_config *cfg, char *err, size_t errlen)
{
	if (!ag_install_handler(SIGVTALRM, on_sigvtalrm)) {
		snprintf(err, errlen, "Could not install the SIGVTALRM handler");
		return false;
	}
	interval_ns = cfg->interval;
	memset(known, 0, sizeof(known)); /* tids of earlier sessions may be reused */
	round_no = 0;
	atomic_store(&running, true);
	int rc = pthread_create(&sampler, NULL, sampler_main, NULL);
	if (rc != 0) {
		atomic_store(&running, false);
		snprintf(err, errlen, "Could not start the wall-clock thread: %s", strerror(rc));
		return false;
	}
	return true;
}

static void wall_stop(void)
{
	atomic_store(&running, false);
	pthread_join(sampler, NULL);
}

const ag_engine ag_engine_wall = {
	.name = "wall",
	.start = wall_start,
	.stop = wall_stop,
};
