/* Log once per cause: remembers the last cause logged for each key. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hmap.h"
#include "runtime/log.h"

struct pj_log_once {
	pthread_mutex_t mu;
	pj_hmap causes; /* key -> heap copy of the last cause logged */
};

pj_log_once *pj_log_once_new(void)
{
	pj_log_once *o = pj_calloc(1, sizeof(*o));
	pthread_mutex_init(&o->mu, NULL);
	return o;
}

void pj_log_once_free(pj_log_once *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->causes.len; i++)
		if (o->causes.entries[i].key)
			free(o->causes.entries[i].value);
	pj_hmap_free(&o->causes);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

bool pj_log_once_should(pj_log_once *o, const char *key, const char *cause)
{
	if (cause == NULL)
		cause = "";
	pthread_mutex_lock(&o->mu);
	const char *last = pj_hmap_get(&o->causes, key, strlen(key));
	bool changed = last == NULL || strcmp(last, cause) != 0;
	if (changed)
		free(pj_hmap_put(&o->causes, key, strlen(key), pj_strdup(cause)));
	pthread_mutex_unlock(&o->mu);
	return changed;
}

bool pj_log_once_clear(pj_log_once *o, const char *key)
{
	pthread_mutex_lock(&o->mu);
	char *last = pj_hmap_remove(&o->causes, key, strlen(key));
	pthread_mutex_unlock(&o->mu);
	bool was_failing = last != NULL;
	free(last);
	return was_failing;
}

bool pj_log_once_log(pj_log_once *o, const char *key, const char *cause, pj_log_level level,
		     const char *component_id, const char *msg, ...)
{
	if (!pj_log_once_should(o, key, cause))
		return false;
	pj_log_entry e;
	pj_log_begin(&e, level, component_id, msg);
	va_list ap;
	va_start(ap, msg);
	for (;;) {
		const char *k = va_arg(ap, const char *);
		if (k == NULL)
			break;
		pj_log_kv(&e, k, va_arg(ap, const char *));
	}
	va_end(ap);
	pj_log_kv(&e, "err", cause);
	pj_log_end(&e);
	return true;
}
