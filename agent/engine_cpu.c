/*
 * cpu: one perf_event_open cpu-clock counter per thread, overflowing every
 * `interval` ns of that thread's CPU time and signalling that very thread
 * (F_SETOWN_EX F_OWNER_TID). Threads are followed as they start. Where
 * perf events are not allowed the profiler falls back to itimer.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine.h"
#include "perf.h"
#include "sampler.h"

#define MAX_THREADS 16384

typedef struct perf_slot {
	uint32_t tid;
	int fd;
} perf_slot;

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static perf_slot slots[MAX_THREADS];
static size_t nslots;
static atomic_bool running;
static long period;

static void on_sigprof(int sig, siginfo_t *info, void *ucontext)
{
	(void)sig;
	if (!atomic_load(&running))
		return;
	ag_window *w;
	ag_sample_signal(ucontext, AG_EV_CPU, AG_STATE_DEFAULT, &w);
	if (info->si_code > 0 && info->si_fd > 0) {
		ioctl(info->si_fd, AG_PERF_IOC_RESET, 0);
		ioctl(info->si_fd, AG_PERF_IOC_REFRESH, 1);
	}
}

/* Opens and arms the counter of `tid`; -errno on failure. */
static int open_counter(uint32_t tid)
{
	ag_perf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = AG_PERF_TYPE_SOFTWARE;
	attr.config = AG_PERF_COUNT_SW_CPU_CLOCK;
	attr.sample_period = (uint64_t)period;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	attr.wakeup_events = 1;
	int fd = (int)syscall(SYS_perf_event_open, &attr, (pid_t)tid, -1, -1, AG_PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct f_owner_ex owner = {F_OWNER_TID, (pid_t)tid};
	if (fcntl(fd, F_SETFL, O_ASYNC) != 0 || fcntl(fd, F_SETSIG, SIGPROF) != 0 ||
		fcntl(fd, F_SETOWN_EX, &owner) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	ioctl(fd, AG_PERF_IOC_RESET, 0);
	ioctl(fd, AG_PERF_IOC_REFRESH, 1);
	return fd;
}

static int add_thread(uint32_t tid)
{
	int fd = open_counter(tid);
	if (fd < 0)
		return fd;
	pthread_mutex_lock(&slots_lock);
	if (nslots < MAX_THREADS) {
		slots[nslots++] = (perf_slot){tid, fd};
		fd = 0;
	}
	pthread_mutex_unlock(&slots_lock);
	if (fd > 0)
		close(fd);
	return 0;
}

static void remove_thread(uint32_t tid)
{
	pthread_mutex_lock(&slots_lock);
	for (size_t i = 0; i < nslots; i++) {
		if (slots[i].tid == tid) {
			close(slots[i].fd);
			slots[i] = slots[--nslots];
			break;
		}
	}
	pthread_mutex_unlock(&slots_lock);
}

static void close_all(void)
{
	pthread_mutex_lock(&slots_lock);
	for (size_t i = 0; i < nslots; i++)
		close(slots[i].fd);
	nslots = 0;
	pthread_mutex_unlock(&slots_lock);
}

static bool cpu_start(const ag_engine_config *cfg, char *err, size_t errlen)
{
	period = cfg->interval;
	/* Probe on this thread first: one clear reason when perf is forbidden. */
	int probe = open_counter(ag_gettid());
	if (probe < 0) {
		snprintf(err, errlen, "perf_event_open is not permitted (%s)", strerror(-probe));
		return false;
	}
	close(probe);
	if (!ag_install_handler(SIGPROF, on_sigprof)) {
		snprintf(err, errlen, "Could not install the SIGPROF handler");
		return false;
	}
	atomic_store(&running, true);
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		uint32_t tid = (uint32_t)strtoul(e->d_name, NULL, 10);
		if (tid)
			add_thread(tid);
	}
	if (d)
		closedir(d);
	return true;
}

static void cpu_stop(void)
{
	atomic_store(&running, false);
	close_all();
}

static void cpu_thread_start(void)
{
	if (atomic_load(&running))
		add_thread(ag_gettid());
}

static void cpu_thread_end(void)
{
	if (atomic_load(&running))
		remove_thread(ag_gettid());
}

const ag_engine ag_engine_cpu = {
	.name = "cpu",
	.start = cpu_start,
	.stop = cpu_stop,
	.thread_start = cpu_thread_start,
	.thread_end = cpu_thread_end,
};
