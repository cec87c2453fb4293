/* The labels pyroscope.java puts on every series (spec push 4.2). */
#include <string.h>

#include "components/pyroscope_java_internal.h"

static const char *target_get(const pj_value *target, const char *name)
{
	const pj_value *v = pj_object_get(target, name);
	if (!v || pj_value_kind(v) != PJ_STRING)
		return NULL;
	const char *s = pj_value_str(v, NULL);
	return s[0] ? s : NULL;
}

const char *pj_java_infer_service_name(const pj_value *target, pj_buf *store)
{
	const char *s = target_get(target, "__meta_kubernetes_pod_annotation_pyroscope_io_service_name");
	if (s)
		return s;
	const char *ns = target_get(target, "__meta_kubernetes_namespace");
	const char *container = target_get(target, "__meta_kubernetes_pod_container_name");
	if (ns && container) {
		pj_buf_reset(store);
		pj_buf_printf(store, "java/%s/%s", ns, container);
		return pj_buf_cstr(store);
	}
	static const char *const docker[] = {
		"__meta_docker_container_name",
		"__meta_dockerswarm_container_label_service_name",
		"__meta_dockerswarm_service_name",
	};
	for (size_t i = 0; i < sizeof(docker) / sizeof(docker[0]); i++) {
		if ((s = target_get(target, docker[i])) != NULL)
			return s;
	}
	return "unspecified";
}

static size_t add(pj_label *out, size_t n, size_t cap, const char *name, const char *value)
{
	if (n < cap)
		out[n++] = (pj_label){name, value};
	return n;
}

size_t pj_java_series_labels(const pj_value *target, const char *metric, const char *jfr_event, pj_buf *store,
			     pj_label *out, size_t cap)
{
	size_t n = 0;
	bool has_service = false, has_scope = false;
	for (size_t i = 0; target && i < pj_object_len(target); i++) {
		const char *name = pj_object_key(target, i);
		const pj_value *v = pj_object_value(target, i);
		if (strncmp(name, "__", 2) == 0 || pj_value_kind(v) != PJ_STRING)
			continue;
		const char *value = pj_value_str(v, NULL);
		if (!value[0])
			continue;
		has_service |= strcmp(name, "service_name") == 0;
		has_scope |= strcmp(name, "otel.scope.name") == 0;
		n = add(out, n, cap, name, value);
	}
	if (!has_service)
		n = add(out, n, cap, "service_name", pj_java_infer_service_name(target, store));
	n = add(out, n, cap, "__name__", metric);
	n = add(out, n, cap, "__delta__", "false");
	n = add(out, n, cap, "pyroscope_spy", "alloy.java");
	if (jfr_event && jfr_event[0])
		n = add(out, n, cap, "jfr_event", jfr_event);
	if (!has_scope)
		n = add(out, n, cap, "otel.scope.name", "com.grafana.alloy/pyroscope.java");
	return n;
}
