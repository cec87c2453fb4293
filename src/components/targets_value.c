/* Targets between configuration values and pj_targets (see targets_value.h). */
#include "components/targets_value.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "runtime/schema.h"

/* Reads one already-converted target object (every value a string). */
static void pj_target_read(const pj_value *obj, pj_labels *out)
{
	for (size_t i = 0; i < pj_object_len(obj); i++) {
		const char *name = pj_object_key(obj, i);
		size_t len = 0;
		const char *value = pj_value_str(pj_object_value(obj, i), &len);
		pj_labels_setn(out, name, strlen(name), value ? value : "", value ? len : 0);
	}
}

bool pj_targets_from_value(const pj_value *v, pj_targets *out, char **err)
{
	if (!v || pj_value_kind(v) == PJ_NULL)
		return true;
	pj_value_path path = {0};
	char *problem = NULL;
	pj_value *c = pj_convert_to_type(&pj_type_targets, v, &path, &problem);
	if (!c) {
		pj_buf b = PJ_BUF_INIT;
		pj_buf_puts(&b, "targets");
		pj_value_path_write(&b, &path);
		pj_buf_printf(&b, " %s", problem ? problem : "invalid value");
		free(problem);
		*err = pj_buf_detach(&b);
		return false;
	}
	for (size_t i = 0; i < pj_array_len(c); i++)
		pj_target_read(pj_array_get(c, i), pj_targets_push(out));
	pj_value_unref(c);
	return true;
}

pj_value *pj_targets_to_value(const pj_targets *t)
{
	pj_value *arr = pj_array_new(t->len);
	for (size_t i = 0; i < t->len; i++) {
		const pj_labels *l = &t->items[i];
		pj_value *obj = pj_object_new();
		for (size_t j = 0; j < l->len; j++)
			pj_object_set(obj, l->items[j].name, pj_string(l->items[j].value, l->items[j].value_len));
		pj_array_push(arr, obj);
	}
	return arr;
}
