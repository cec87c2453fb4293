/*
 * HotSpot's self-description tables. libjvm.so exports gHotSpotVMStructs
 * (field offsets and static addresses by "Type::_field"), gHotSpotVMTypes
 * (type sizes) and gHotSpotVMIntConstants, plus the byte offsets of the
 * columns of each table (serviceability agents read the same tables). This
 * module only looks things up in those tables; it reads nothing else of the
 * VM. Lookups run outside signal handlers.
 */
#ifndef AG_VMSTRUCTS_H
#define AG_VMSTRUCTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the three tables are and how their rows are laid out. */
typedef struct ag_vms {
	const char *structs; /* first row; a row with a NULL type name ends it */
	uint64_t struct_stride, s_type, s_field, s_typestr, s_static, s_offset, s_address;
	const char *types;
	uint64_t type_stride, t_name, t_size;
	const char *ints; /* may be NULL */
	uint64_t int_stride, i_name, i_value;
} ag_vms;

typedef struct ag_vms_field {
	bool is_static;
	uint64_t offset; /* instance fields */
	void *address; /* static fields */
	const char *type; /* the field's C++ type as HotSpot spells it */
} ag_vms_field;

/*
 * Finds the tables in the running JVM's libjvm.so. False with a reason in
 * `why` when they are not exported (a stripped or non-HotSpot VM).
 */
bool ag_vms_from_jvm(ag_vms *v, char *why, size_t whylen);

/* Field `field` of `type` ("CodeBlob", "_frame_size"). */
bool ag_vms_field_of(const ag_vms *v, const char *type, const char *field, ag_vms_field *out);
/* sizeof(type) as the VM declares it. */
bool ag_vms_type_size(const ag_vms *v, const char *type, uint64_t *size);
/* An integer constant ("frame::entry_frame_call_wrapper_offset"). */
bool ag_vms_int(const ag_vms *v, const char *name, int32_t *out);

#endif
