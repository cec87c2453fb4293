#ifndef PJ_PROFILE_PB_H
#define PJ_PROFILE_PB_H

/*
 * A bounds-checked protobuf wire reader for the hand-written decoders (push
 * requests, pprof headers): read a key, switch on the field, skip the rest.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	PB_WIRE_VARINT = 0,
	PB_WIRE_I64 = 1,
	PB_WIRE_LEN = 2,
	PB_WIRE_I32 = 5,
};

/* The unread rest of one message. */
typedef struct pb_reader {
	const unsigned char *p;
	const unsigned char *end;
} pb_reader;

pb_reader pb_reader_of(const void *data, size_t len);
bool pb_read_varint(pb_reader *r, uint64_t *v);

/* One field: its number, wire type, value (VARINT) or payload (LEN). */
typedef struct pb_field {
	unsigned number;
	unsigned wire;
	uint64_t varint;
	pb_reader payload;
} pb_field;

/* Reads the next field, skipping fixed-size payloads. False on truncation or an unknown wire type. */
bool pb_read_field(pb_reader *r, pb_field *f);

#endif
