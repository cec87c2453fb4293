/*
 * itimer: one process-wide CPU-time timer (setitimer ITIMER_PROF). The
 * kernel sends SIGPROF to whichever thread is running when it expires, so
 * samples follow CPU use without per-thread setup; works in any container.
 * How many samples a signal stands for follows the thread's own CPU clock
 * (cpu_credit.h): the kernel's tick accounting alone is off by up to 20%.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "cpu_credit.h"
#include "engine.h"
#include "sampler.h"

static void on_sigprof(int sig, siginfo_t *info, void *ucontext)
{
	(void)sig, (void)info;
	uint32_t n = ag_cpu_credit_take(); /* samples by the thread's own CPU clock */
	if (n == 0)
		return;
	ag_window *w;
	uint32_t trace = ag_sample_signal(ucontext, AG_EV_CPU, AG_STATE_DEFAULT, &w);
	ag_cpu_credit_repeat(w, trace, n - 1);
}

static bool itimer_start(const ag_engine_config *cfg, char *err, size_t errlen)
{
	if (!ag_install_handler(SIGPROF, on_sigprof)) {
		snprintf(err, errlen, "Could not install the SIGPROF handler");
		return false;
	}
	ag_cpu_credit_reset(cfg->interval);
	long us = cfg->interval / 1000;
	if (us < 1)
		us = 1;
	struct itimerval tv = {{us / 1000000, us % 1000000}, {us / 1000000, us % 1000000}};
	if (setitimer(ITIMER_PROF, &tv, NULL) != 0) {
		snprintf(err, errlen, "setitimer failed: %s", strerror(errno));
		return false;
	}
	return true;
}

static void itimer_stop(void)
{
	struct itimerval off;
	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_PROF, &off, NULL);
}

const ag_engine ag_engine_itimer = {
	.name = "itimer",
	.start = itimer_start,
	.stop = itimer_stop,
};
