/*
 * What the HTTP API shows about components (spec 12.3, 12.4): readiness,
 * health and the Alloy UI's JSON shape of arguments and exports.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/jsonquote.h"
#include "runtime/controller_internal.h"

static void pj_json_cstr(pj_buf *out, const char *s)
{
	pj_json_quote(out, s, strlen(s), PJ_JSON_ENCODING);
}

static void pj_json_typed(pj_buf *out, const pj_type *type, const pj_value *v);

static int pj_cmp_keys(const void *a, const void *b)
{
	return strcmp(**(const char *const *const *)a, **(const char *const *const *)b);
}

static void pj_json_object(pj_buf *out, const pj_type *elem, const pj_value *v)
{
	size_t n = pj_object_len(v);
	const char ***keys = pj_malloc((n ? n : 1) * sizeof(*keys));
	const char **names = pj_malloc((n ? n : 1) * sizeof(*names));
	for (size_t i = 0; i < n; i++) {
		names[i] = pj_object_key(v, i);
		keys[i] = &names[i];
	}
	qsort(keys, n, sizeof(*keys), pj_cmp_keys);
	pj_buf_puts(out, "{\"type\":\"object\",\"value\":[");
	for (size_t i = 0; i < n; i++) {
		size_t idx = (size_t)(keys[i] - names);
		pj_buf_puts(out, i ? ",{\"key\":" : "{\"key\":");
		pj_json_cstr(out, names[idx]);
		pj_buf_puts(out, ",\"value\":");
		pj_json_typed(out, elem, pj_object_value(v, idx));
		pj_buf_putc(out, '}');
	}
	pj_buf_puts(out, "]}");
	free(keys);
	free(names);
}

static const pj_type *pj_elem_type(const pj_type *type)
{
	if (type->kind == PJ_TYPE_LIST || type->kind == PJ_TYPE_MAP)
		return type->elem;
	if (type->kind == PJ_TYPE_TARGETS)
		return &pj_type_string_map;
	return &pj_type_any;
}

static void pj_json_capsule(pj_buf *out, const pj_value *v)
{
	pj_buf text = PJ_BUF_INIT;
	pj_buf_printf(&text, "capsule(\"%s\")", pj_capsule_type_of(v)->name);
	pj_buf_puts(out, "{\"type\":\"capsule\",\"value\":");
	pj_json_cstr(out, pj_buf_cstr(&text));
	pj_buf_putc(out, '}');
	pj_buf_free(&text);
}

/* One value as {"type": ..., "value": ...}, using the declared type for durations and secrets. */
static void pj_json_typed(pj_buf *out, const pj_type *type, const pj_value *v)
{
	size_t len;
	switch (pj_value_kind(v)) {
	case PJ_NULL:
		pj_buf_puts(out, "{\"type\":\"null\",\"value\":null}");
		return;
	case PJ_SECRET:
		pj_buf_puts(out, "{\"type\":\"capsule\",\"value\":\"(secret)\"}");
		return;
	case PJ_NUMBER:
		if (type->kind == PJ_TYPE_DURATION) {
			pj_buf text = PJ_BUF_INIT;
			pj_format_duration(&text, pj_value_int(v));
			pj_buf_puts(out, "{\"type\":\"string\",\"value\":");
			pj_json_quote(out, text.data ? text.data : "", text.len, PJ_JSON_ENCODING);
			pj_buf_putc(out, '}');
			pj_buf_free(&text);
			return;
		}
		pj_buf_puts(out, "{\"type\":\"number\",\"value\":");
		if (!pj_json_number(out, v))
			pj_buf_puts(out, "null");
		pj_buf_putc(out, '}');
		return;
	case PJ_STRING: {
		const char *s = pj_value_str(v, &len);
		pj_buf_puts(out, "{\"type\":\"string\",\"value\":");
		pj_json_quote(out, s, len, PJ_JSON_ENCODING);
		pj_buf_putc(out, '}');
		return;
	}
	case PJ_BOOL:
		pj_buf_printf(out, "{\"type\":\"bool\",\"value\":%s}", pj_value_bool(v) ? "true" : "false");
		return;
	case PJ_ARRAY:
		pj_buf_puts(out, "{\"type\":\"array\",\"value\":[");
		for (size_t i = 0; i < pj_array_len(v); i++) {
			if (i)
				pj_buf_putc(out, ',');
			pj_json_typed(out, pj_elem_type(type), pj_array_get(v, i));
		}
		pj_buf_puts(out, "]}");
		return;
	case PJ_OBJECT:
		pj_json_object(out, pj_elem_type(type), v);
		return;
	case PJ_CAPSULE:
		pj_json_capsule(out, v);
		return;
	case PJ_FUNCTION:
		pj_buf_puts(out, "{\"type\":\"function\",\"value\":\"function\"}");
		return;
	}
}

/* Go's zero value test for an optional field. */
static bool pj_is_zero(const pj_value *v)
{
	size_t len;
	switch (pj_value_kind(v)) {
	case PJ_NULL:
		return true;
	case PJ_STRING:
		pj_value_str(v, &len);
		return len == 0;
	case PJ_NUMBER:
		return pj_value_float(v) == 0;
	case PJ_BOOL:
		return !pj_value_bool(v);
	default:
		return false;
	}
}

static void pj_json_body(pj_buf *out, const pj_schema *schema, const pj_value *body, bool omit_defaults);

static void pj_json_attr(pj_buf *out, const char *name, const pj_type *type, const pj_value *v)
{
	pj_buf_puts(out, "{\"name\":");
	pj_json_cstr(out, name);
	pj_buf_puts(out, ",\"type\":\"attr\",\"value\":");
	pj_json_typed(out, type, v);
	pj_buf_putc(out, '}');
}

static void pj_json_block(pj_buf *out, const pj_block_schema *bs, const pj_value *v)
{
	pj_buf_puts(out, "{\"name\":");
	pj_json_cstr(out, bs->name);
	pj_buf_puts(out, ",\"type\":\"block\"");
	const pj_value *label = pj_object_get(v, "label");
	if ((bs->flags & PJ_BLOCK_LABELED) && label && pj_value_kind(label) == PJ_STRING) {
		size_t len;
		const char *s = pj_value_str(label, &len);
		pj_buf_puts(out, ",\"label\":");
		pj_json_quote(out, s, len, PJ_JSON_ENCODING);
	}
	pj_buf_puts(out, ",\"body\":");
	pj_json_body(out, bs->body, v, true);
	pj_buf_putc(out, '}');
}

static bool pj_put_sep(pj_buf *out, bool first)
{
	if (!first)
		pj_buf_putc(out, ',');
	return false;
}

static void pj_json_body(pj_buf *out, const pj_schema *schema, const pj_value *body, bool omit_defaults)
{
	pj_value *defaults = omit_defaults ? pj_schema_defaults(schema) : NULL;
	bool first = true;
	pj_buf_putc(out, '[');
	for (const pj_attr_schema *a = schema->attrs; a && a->name; a++) {
		const pj_value *v = pj_object_get(body, a->name);
		if (!v)
			continue;
		if (omit_defaults && !a->required &&
			(pj_is_zero(v) || pj_value_equal(v, pj_object_get(defaults, a->name))))
			continue;
		first = pj_put_sep(out, first);
		pj_json_attr(out, a->name, a->type, v);
	}
	for (const pj_block_schema *b = schema->blocks; b && b->name; b++) {
		const pj_value *v = pj_object_get(body, b->name);
		if (!v || pj_value_kind(v) == PJ_NULL)
			continue;
		if (pj_value_kind(v) == PJ_ARRAY) {
			for (size_t i = 0; i < pj_array_len(v); i++) {
				first = pj_put_sep(out, first);
				pj_json_block(out, b, pj_array_get(v, i));
			}
			continue;
		}
		if (omit_defaults && !(b->flags & PJ_BLOCK_REQUIRED) && pj_value_equal(v, pj_object_get(defaults, b->name)))
			continue;
		first = pj_put_sep(out, first);
		pj_json_block(out, b, v);
	}
	pj_buf_putc(out, ']');
	pj_value_unref(defaults);
}

static void pj_json_time(pj_buf *out, int64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	pj_buf_printf(out, "\"%s", date);
	if (frac) {
		char digits[16];
		snprintf(digits, sizeof(digits), "%09ld", frac);
		size_t n = strlen(digits);
		while (n > 0 && digits[n - 1] == '0')
			n--;
		pj_buf_printf(out, ".%.*s", (int)n, digits);
	}
	pj_buf_puts(out, "Z\"");
}

static void pj_json_ids(pj_buf *out, const char *key, pj_component **list, size_t n)
{
	pj_buf_printf(out, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			pj_buf_putc(out, ',');
		pj_json_cstr(out, list[i]->id);
	}
	pj_buf_putc(out, ']');
}

/* Data flows from an exporter to its users, except through capsules, where it flows to the owner. */
static void pj_json_flow(pj_buf *out, const pj_component *c)
{
	pj_component **to = pj_malloc((c->ndeps + c->nusers + 1) * sizeof(*to));
	size_t n = 0;
	for (size_t i = 0; i < c->ndeps; i++) {
		if (c->deps[i].capsule)
			to[n++] = c->deps[i].to;
	}
	for (size_t i = 0; i < c->nusers; i++) {
		const pj_component *u = c->users[i];
		for (size_t d = 0; d < u->ndeps; d++) {
			if (u->deps[d].to == c && !u->deps[d].capsule)
				to[n++] = c->users[i];
		}
	}
	pj_json_ids(out, "dataFlowEdgesTo", to, n);
	free(to);
}

static void pj_json_component(pj_buf *out, pj_component *c, bool detail)
{
	const char *label = c->id + strlen(c->type->name) + 1;
	pj_buf_puts(out, "{\"name\":");
	pj_json_cstr(out, c->type->name);
	pj_buf_puts(out, ",\"type\":\"block\",\"localID\":");
	pj_json_cstr(out, c->id);
	pj_buf_puts(out, ",\"moduleID\":\"\",\"label\":");
	pj_json_cstr(out, label);
	pj_component **deps = pj_malloc((c->ndeps + 1) * sizeof(*deps));
	for (size_t i = 0; i < c->ndeps; i++)
		deps[i] = c->deps[i].to;
	pj_json_ids(out, "referencesTo", deps, c->ndeps);
	free(deps);
	pj_json_ids(out, "referencedBy", c->users, c->nusers);
	pj_json_flow(out, c);
	pj_buf_puts(out, ",\"original\":\"\",\"health\":{\"state\":");
	pj_health h = {0};
	pj_component_merged_health(c, &h);
	pj_json_cstr(out, pj_health_state_name(h.state));
	pj_buf_puts(out, ",\"message\":");
	pj_json_cstr(out, h.message ? h.message : "");
	pj_buf_puts(out, ",\"updatedTime\":");
	pj_json_time(out, h.updated_ns);
	pj_health_clear(&h);
	pj_buf_puts(out, "},\"arguments\":");
	if (detail && c->args)
		pj_json_body(out, c->type->args, c->args, true);
	else
		pj_buf_puts(out, "[]");
	pj_buf_puts(out, ",\"exports\":");
	pj_value *exports = NULL;
	pthread_mutex_lock(&c->ctl->mu);
	if (c->exports)
		exports = pj_value_ref(c->exports);
	pthread_mutex_unlock(&c->ctl->mu);
	if (detail && c->type->exports && exports)
		pj_json_body(out, c->type->exports, exports, false);
	else
		pj_buf_puts(out, "[]");
	pj_value_unref(exports);
	pj_buf_puts(out, ",\"debugInfo\":");
	if (detail && c->built && c->type->debug_info)
		c->type->debug_info(c->state, out);
	else
		pj_buf_puts(out, "[]");
	pj_buf_puts(out, ",\"liveDebuggingEnabled\":false}");
}

void pj_controller_components_json(pj_controller *ctl, pj_buf *out)
{
	pthread_mutex_lock(&ctl->eval_mu);
	pj_buf_putc(out, '[');
	for (size_t i = 0; i < ctl->nnodes; i++) {
		if (i)
			pj_buf_putc(out, ',');
		pj_json_component(out, ctl->nodes[i], false);
	}
	pj_buf_putc(out, ']');
	pthread_mutex_unlock(&ctl->eval_mu);
}

bool pj_controller_component_json(pj_controller *ctl, const char *id, pj_buf *out)
{
	pthread_mutex_lock(&ctl->eval_mu);
	pj_component *c = pj_controller_find(ctl, id);
	if (c)
		pj_json_component(out, c, true);
	pthread_mutex_unlock(&ctl->eval_mu);
	return c != NULL;
}

bool pj_controller_ready(pj_controller *ctl)
{
	pthread_mutex_lock(&ctl->eval_mu);
	bool ready = ctl->loaded;
	pthread_mutex_unlock(&ctl->eval_mu);
	return ready;
}

bool pj_controller_healthy(pj_controller *ctl, pj_buf *names)
{
	pthread_mutex_lock(&ctl->eval_mu);
	size_t bad = 0;
	for (size_t i = 0; i < ctl->nnodes; i++) {
		pj_health h = {0};
		pj_component_merged_health(ctl->nodes[i], &h);
		if (h.state == PJ_HEALTH_UNHEALTHY) {
			if (bad++)
				pj_buf_puts(names, ", ");
			pj_buf_puts(names, ctl->nodes[i]->type->name);
		}
		pj_health_clear(&h);
	}
	pthread_mutex_unlock(&ctl->eval_mu);
	return bad == 0;
}

bool pj_controller_health(pj_controller *ctl, const char *id, pj_health *out)
{
	pthread_mutex_lock(&ctl->eval_mu);
	pj_component *c = pj_controller_find(ctl, id);
	if (c)
		pj_component_merged_health(c, out);
	pthread_mutex_unlock(&ctl->eval_mu);
	return c != NULL;
}

pj_value *pj_controller_args(pj_controller *ctl, const char *id)
{
	pthread_mutex_lock(&ctl->eval_mu);
	pj_component *c = pj_controller_find(ctl, id);
	pj_value *v = c && c->args ? pj_value_ref(c->args) : NULL;
	pthread_mutex_unlock(&ctl->eval_mu);
	return v;
}

pj_value *pj_controller_exports(pj_controller *ctl, const char *id)
{
	pthread_mutex_lock(&ctl->eval_mu);
	pj_component *c = pj_controller_find(ctl, id);
	pj_value *v = NULL;
	if (c) {
		pthread_mutex_lock(&ctl->mu);
		v = c->exports ? pj_value_ref(c->exports) : NULL;
		pthread_mutex_unlock(&ctl->mu);
	}
	pthread_mutex_unlock(&ctl->eval_mu);
	return v;
}
