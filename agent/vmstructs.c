#include "vmstructs.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* No real table has this many rows; a missing terminator stops here. */
#define MAX_ROWS 100000

static const char *str_at(const char *row, uint64_t off)
{
	const char *s;
	memcpy(&s, row + off, sizeof(s));
	return s;
}

static uint64_t u64_at(const char *row, uint64_t off)
{
	uint64_t v;
	memcpy(&v, row + off, sizeof(v));
	return v;
}

bool ag_vms_field_of(const ag_vms *v, const char *type, const char *field, ag_vms_field *out)
{
	if (!v->structs || !v->struct_stride)
		return false;
	const char *row = v->structs;
	for (int i = 0; i < MAX_ROWS; i++, row += v->struct_stride) {
		const char *t = str_at(row, v->s_type);
		if (!t)
			return false;
		const char *f = str_at(row, v->s_field);
		if (!f || strcmp(t, type) != 0 || strcmp(f, field) != 0)
			continue;
		int32_t is_static;
		memcpy(&is_static, row + v->s_static, sizeof(is_static));
		out->is_static = is_static != 0;
		out->offset = u64_at(row, v->s_offset);
		memcpy(&out->address, row + v->s_address, sizeof(out->address));
		out->type = str_at(row, v->s_typestr);
		return true;
	}
	return false;
}

/* The row of a one-key table (types, integer constants) whose name column is `name`. */
static const char *find_row(const char *table, uint64_t stride, uint64_t name_off, const char *name)
{
	if (!table || !stride)
		return NULL;
	const char *row = table;
	for (int i = 0; i < MAX_ROWS; i++, row += stride) {
		const char *t = str_at(row, name_off);
		if (!t)
			return NULL;
		if (strcmp(t, name) == 0)
			return row;
	}
	return NULL;
}

bool ag_vms_type_size(const ag_vms *v, const char *type, uint64_t *size)
{
	const char *row = find_row(v->types, v->type_stride, v->t_name, type);
	if (row)
		*size = u64_at(row, v->t_size);
	return row != NULL;
}

bool ag_vms_int(const ag_vms *v, const char *name, int32_t *out)
{
	const char *row = find_row(v->ints, v->int_stride, v->i_name, name);
	if (row)
		memcpy(out, row + v->i_value, sizeof(*out));
	return row != NULL;
}

static void *jvm_symbol(void *lib, const char *name)
{
	void *p = lib ? dlsym(lib, name) : NULL;
	return p ? p : dlsym(RTLD_DEFAULT, name);
}

/* Reads an exported uint64_t column offset; false if the symbol is absent. */
static bool column(void *lib, const char *name, uint64_t *out)
{
	const uint64_t *p = jvm_symbol(lib, name);
	if (!p)
		return false;
	*out = *p;
	return true;
}

bool ag_vms_from_jvm(ag_vms *v, char *why, size_t whylen)
{
	memset(v, 0, sizeof(*v));
	/* libjvm stays loaded for the life of the process: the handle is not closed. */
	void *lib = dlopen("libjvm.so", RTLD_LAZY | RTLD_NOLOAD);
	const char *const *structs = jvm_symbol(lib, "gHotSpotVMStructs");
	const char *const *types = jvm_symbol(lib, "gHotSpotVMTypes");
	const char *const *ints = jvm_symbol(lib, "gHotSpotVMIntConstants");
	bool ok = structs && types && *structs && *types &&
		column(lib, "gHotSpotVMStructEntryArrayStride", &v->struct_stride) &&
		column(lib, "gHotSpotVMStructEntryTypeNameOffset", &v->s_type) &&
		column(lib, "gHotSpotVMStructEntryFieldNameOffset", &v->s_field) &&
		column(lib, "gHotSpotVMStructEntryTypeStringOffset", &v->s_typestr) &&
		column(lib, "gHotSpotVMStructEntryIsStaticOffset", &v->s_static) &&
		column(lib, "gHotSpotVMStructEntryOffsetOffset", &v->s_offset) &&
		column(lib, "gHotSpotVMStructEntryAddressOffset", &v->s_address) &&
		column(lib, "gHotSpotVMTypeEntryArrayStride", &v->type_stride) &&
		column(lib, "gHotSpotVMTypeEntryTypeNameOffset", &v->t_name) &&
		column(lib, "gHotSpotVMTypeEntrySizeOffset", &v->t_size);
	if (ok) {
		v->structs = *structs;
		v->types = *types;
		if (ints && *ints && column(lib, "gHotSpotVMIntConstantEntryArrayStride", &v->int_stride) &&
			column(lib, "gHotSpotVMIntConstantEntryNameOffset", &v->i_name) &&
			column(lib, "gHotSpotVMIntConstantEntryValueOffset", &v->i_value))
			v->ints = *ints;
	}
	/* A stride of 0 means the VM has not filled the tables in (yet). */
	if (!ok || !v->struct_stride || !v->type_stride) {
		snprintf(why, whylen, "libjvm.so exports no gHotSpotVMStructs tables");
		memset(v, 0, sizeof(*v));
		return false;
	}
	return true;
}
