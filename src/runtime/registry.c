/* The component registry and the health helpers every component shares. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/hmap.h"
#include "runtime/component.h"

struct pj_registry {
	pj_hmap types;
};

pj_registry *pj_registry_new(void)
{
	return pj_calloc(1, sizeof(pj_registry));
}

void pj_registry_free(pj_registry *r)
{
	if (!r)
		return;
	pj_hmap_free(&r->types);
	free(r);
}

bool pj_registry_add(pj_registry *r, const pj_component_type *type)
{
	size_t len = strlen(type->name);
	if (pj_hmap_has(&r->types, type->name, len))
		return false;
	pj_hmap_put(&r->types, type->name, len, (void *)type);
	return true;
}

const pj_component_type *pj_registry_find(const pj_registry *r, const char *name)
{
	return pj_hmap_get(&r->types, name, strlen(name));
}

void pj_registry_each(const pj_registry *r, void (*fn)(const pj_component_type *type, void *ctx), void *ctx)
{
	for (size_t i = 0; i < r->types.len; i++) {
		if (r->types.entries[i].key)
			fn(r->types.entries[i].value, ctx);
	}
}

const char *pj_health_state_name(pj_health_state s)
{
	switch (s) {
	case PJ_HEALTH_HEALTHY:
		return "healthy";
	case PJ_HEALTH_UNHEALTHY:
		return "unhealthy";
	case PJ_HEALTH_EXITED:
		return "exited";
	default:
		return "unknown";
	}
}

static int64_t pj_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void pj_health_set(pj_health *h, pj_health_state state, const char *message)
{
	free(h->message);
	h->state = state;
	h->message = message ? pj_strdup(message) : NULL;
	h->updated_ns = pj_now_ns();
}

void pj_health_copy(pj_health *dst, const pj_health *src)
{
	free(dst->message);
	dst->state = src->state;
	dst->message = src->message ? pj_strdup(src->message) : NULL;
	dst->updated_ns = src->updated_ns;
}

void pj_health_clear(pj_health *h)
{
	free(h->message);
	memset(h, 0, sizeof(*h));
}

/* Severity rank for merging: healthy < unknown < unhealthy < exited. */
static int pj_health_rank(pj_health_state s)
{
	switch (s) {
	case PJ_HEALTH_HEALTHY:
		return 0;
	case PJ_HEALTH_UNKNOWN:
		return 1;
	case PJ_HEALTH_UNHEALTHY:
		return 2;
	default:
		return 3;
	}
}

bool pj_health_worse(const pj_health *a, const pj_health *b)
{
	int ra = pj_health_rank(a->state), rb = pj_health_rank(b->state);
	if (ra != rb)
		return ra > rb;
	return a->updated_ns > b->updated_ns;
}
