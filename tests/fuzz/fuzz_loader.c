/*
 * Fuzzes loading a configuration in validate mode: parse, graph (names, IDs,
 * references, cycles), then decoding every component against schemas that use
 * each argument type and block kind. Test-only component types.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "runtime/controller.h"
#include "runtime/receiver.h"

static const pj_type int_list = {PJ_TYPE_LIST, &pj_type_int, NULL};

static const pj_attr_schema inner_attrs[] = {
	{"flag", &pj_type_bool, "true", false, NULL},
	{"name", &pj_type_string, "\"x\"", false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema inner = {inner_attrs, NULL, NULL};

static const pj_attr_schema attrs[] = {
	{"targets", &pj_type_targets, NULL, false, NULL},
	{"interval", &pj_type_duration, "\"15s\"", false, NULL},
	{"count", &pj_type_uint, "3", false, NULL},
	{"ratio", &pj_type_float, NULL, false, NULL},
	{"labels", &pj_type_string_map, NULL, false, NULL},
	{"ports", &int_list, NULL, false, NULL},
	{"token", &pj_type_secret, NULL, false, NULL},
	{"forward_to", &pj_type_receiver_list, NULL, false, NULL},
	{"any", &pj_type_any, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_block_schema blocks[] = {
	{"single", &inner, 0},
	{"rule", &inner, PJ_BLOCK_REPEATED},
	{"auth", &inner, PJ_BLOCK_NULLABLE},
	{"named", &inner, PJ_BLOCK_LABELED | PJ_BLOCK_REPEATED},
	{NULL, NULL, 0},
};
static const pj_schema args = {attrs, blocks, NULL};
static const pj_attr_schema export_attrs[] = {
	{"out", &pj_type_targets, NULL, false, NULL},
	{"receiver", &pj_type_receiver, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema exports = {export_attrs, NULL, NULL};
static const pj_component_type types[] = {
	{.name = "a.b", .args = &args, .exports = &exports},
	{.name = "c", .args = &args, .exports = &exports},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pj_registry *reg;
	if (!reg) {
		reg = pj_registry_new();
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			pj_registry_add(reg, &types[i]);
	}
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file **files = malloc(sizeof(*files));
	if (!files)
		return 0;
	files[0] = pj_parse(pj_source_new("fuzz.alloy", (const char *)data, size), &diags);
	pj_controller_options opts = {.registry = reg, .validate_only = true, .manual_flush = true};
	pj_controller *ctl = pj_controller_new(&opts);
	if (pj_diags_has_errors(&diags)) {
		pj_file_free(files[0]);
		free(files);
	} else {
		pj_controller_load(ctl, files, 1, &diags);
	}
	pj_buf json = PJ_BUF_INIT;
	pj_controller_components_json(ctl, &json);
	pj_buf_free(&json);
	pj_diags_free(&diags);
	pj_controller_free(ctl);
	return 0;
}
