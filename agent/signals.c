#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "cost.h"
#include "engine.h"

typedef void (*handler_fn)(int, siginfo_t *, void *);

static handler_fn installed[65];

/*
 * The handler wraps the engine's so errno survives: the interrupted code
 * may be between a failing call and its errno check.
 */
static void dispatch(int sig, siginfo_t *info, void *ucontext)
{
	int saved = errno;
	/* Only the sampling signals are timed: another handler may run nested in them. */
	bool timed = sig == SIGPROF || sig == SIGVTALRM;
	ag_cost_scope cost = {0, AG_COST_SIGPROF};
	if (timed)
		cost = ag_cost_begin(sig == SIGVTALRM ? AG_COST_SIGVTALRM : AG_COST_SIGPROF);
	if (sig > 0 && sig < 65 && installed[sig])
		installed[sig](sig, info, ucontext);
	if (timed)
		ag_cost_end(&cost);
	errno = saved;
}

bool ag_install_handler(int sig, handler_fn handler)
{
	if (sig <= 0 || sig >= 65)
		return false;
	if (installed[sig] == handler)
		return true;
	installed[sig] = handler;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = dispatch;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	/* One sample at a time per thread: AGCT must not nest. */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGPROF);
	sigaddset(&sa.sa_mask, SIGVTALRM);
	return sigaction(sig, &sa, NULL) == 0;
}
