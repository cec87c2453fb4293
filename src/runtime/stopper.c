/* A stoppable sleep for component run loops. */
#include "runtime/stopper.h"

#include <errno.h>
#include <time.h>

void pj_stopper_init(pj_stopper *s)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&s->mu, NULL);
	s->stopped = false;
	s->wakeups = 0;
}

void pj_stopper_destroy(pj_stopper *s)
{
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
}

void pj_stopper_stop(pj_stopper *s)
{
	pthread_mutex_lock(&s->mu);
	s->stopped = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void pj_stopper_wake(pj_stopper *s)
{
	pthread_mutex_lock(&s->mu);
	s->wakeups++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

bool pj_stopper_stopped(pj_stopper *s)
{
	pthread_mutex_lock(&s->mu);
	bool stopped = s->stopped;
	pthread_mutex_unlock(&s->mu);
	return stopped;
}

static struct timespec pj_deadline(int64_t ns)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t total = (int64_t)ts.tv_nsec + ns % 1000000000;
	ts.tv_sec += (time_t)(ns / 1000000000 + total / 1000000000);
	ts.tv_nsec = (long)(total % 1000000000);
	return ts;
}

bool pj_stopper_wait(pj_stopper *s, int64_t ns)
{
	struct timespec deadline = pj_deadline(ns < 0 ? 0 : ns);
	pthread_mutex_lock(&s->mu);
	int rc = 0;
	while (!s->stopped && s->wakeups == 0 && rc != ETIMEDOUT) {
		if (ns < 0)
			rc = pthread_cond_wait(&s->cv, &s->mu);
		else
			rc = pthread_cond_timedwait(&s->cv, &s->mu, &deadline);
	}
	bool stopped = s->stopped;
	if (!stopped && s->wakeups > 0)
		s->wakeups--;
	pthread_mutex_unlock(&s->mu);
	return stopped;
}
