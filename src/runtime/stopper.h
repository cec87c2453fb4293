#ifndef PJ_RUNTIME_STOPPER_H
#define PJ_RUNTIME_STOPPER_H

/*
 * What a component's run loop sleeps on: a wait with a timeout that ends
 * early when stop is called, so `stop` makes `run` return promptly however
 * long the refresh interval is. Also usable to wake a loop for an update.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct pj_stopper {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	bool stopped;
	unsigned wakeups; /* pending pj_stopper_wake calls */
} pj_stopper;

void pj_stopper_init(pj_stopper *s);
void pj_stopper_destroy(pj_stopper *s);
/* Ends every current and future wait. */
void pj_stopper_stop(pj_stopper *s);
/* Ends the current (or next) wait once, e.g. after an update. */
void pj_stopper_wake(pj_stopper *s);
bool pj_stopper_stopped(pj_stopper *s);
/*
 * Waits up to `ns` nanoseconds (negative: no limit). Returns true when
 * stopped, false on timeout or wake.
 */
bool pj_stopper_wait(pj_stopper *s, int64_t ns);

#endif
