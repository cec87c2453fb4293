/* Protobuf wire reading: every length is checked against the enclosing message. */
#include "profile/pb.h"

pb_reader pb_reader_of(const void *data, size_t len)
{
	pb_reader r = {data, data ? (const unsigned char *)data + len : NULL};
	return r;
}

bool pb_read_varint(pb_reader *r, uint64_t *v)
{
	uint64_t out = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end)
			return false;
		unsigned char c = *r->p++;
		out |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = out;
			return true;
		}
	}
	return false;
}

bool pb_read_field(pb_reader *r, pb_field *f)
{
	uint64_t key;
	if (!pb_read_varint(r, &key) || key >> 3 == 0 || key >> 3 > UINT32_MAX)
		return false;
	f->number = (unsigned)(key >> 3);
	f->wire = (unsigned)(key & 7);
	f->varint = 0;
	f->payload.p = f->payload.end = NULL;
	size_t left = (size_t)(r->end - r->p);
	switch (f->wire) {
	case PB_WIRE_VARINT:
		return pb_read_varint(r, &f->varint);
	case PB_WIRE_I64:
	case PB_WIRE_I32: {
		size_t n = f->wire == PB_WIRE_I64 ? 8 : 4;
		if (left < n)
			return false;
		r->p += n;
		return true;
	}
	case PB_WIRE_LEN: {
		uint64_t len;
		if (!pb_read_varint(r, &len) || len > (uint64_t)(r->end - r->p))
			return false;
		f->payload.p = r->p;
		f->payload.end = r->p + len;
		r->p += len;
		return true;
	}
	default:
		return false;
	}
}
