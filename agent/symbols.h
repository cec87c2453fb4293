/*
 * What a stored frame is called in the output: Java frames through the
 * method cache, synthetic frames by the AsyncGetCallTrace failure they
 * stand for.
 */
#ifndef AG_SYMBOLS_H
#define AG_SYMBOLS_H

#include "methods.h"
#include "storage.h"

/* async-profiler's FrameType keys. */
enum {
	AG_FRAME_INTERPRETED,
	AG_FRAME_JIT,
	AG_FRAME_INLINED,
	AG_FRAME_NATIVE,
	AG_FRAME_CPP,
	AG_FRAME_KERNEL,
	AG_FRAME_C1,
	AG_FRAME_TYPES,
};

extern const char *const ag_frame_type_names[AG_FRAME_TYPES];

/*
 * A Java frame whose type is known carries it in its bci: bits 24-31 hold
 * type + 1, bits 0-23 the bci (or AGCT's negative code) in 24-bit two's
 * complement. Untyped frames have 0x00 or 0xff there (plain bci >= 0 or a
 * negative code); real bcis stay below 65536, so nothing collides. Keeping
 * it in the bci leaves the frame layout AGCT fills untouched and makes
 * stacks that differ only in types distinct traces.
 */
static inline int32_t ag_bci_with_type(int32_t bci, int type)
{
	return (int32_t)(((uint32_t)(type + 1) << 24) | ((uint32_t)bci & 0xffffffu));
}

/* The type stored with the frame, -1 if none. */
static inline int ag_bci_type(int32_t v)
{
	uint32_t top = (uint32_t)v >> 24;
	return top >= 1 && top <= AG_FRAME_TYPES ? (int)top - 1 : -1;
}

/* The bci (or negative code) without the type. */
static inline int32_t ag_bci_value(int32_t v)
{
	if (ag_bci_type(v) < 0)
		return v;
	uint32_t raw = (uint32_t)v & 0xffffffu;
	return raw & 0x800000u ? (int32_t)raw - 0x1000000 : (int32_t)raw;
}

typedef struct ag_frame_desc {
	const ag_method *method; /* NULL for synthetic and native frames */
	const char *synthetic; /* name of a synthetic frame */
	const char *native_lib, *native_name; /* a native frame (native_stack.h) */
	int line, bci, type;
} ag_frame_desc;

void ag_describe_frame(const ag_frame *f, ag_frame_desc *out);

/*
 * How many of a stack's n frames (leaf first) to write: a native walk that
 * left the process's code (a frame pointer that was not one) is cut at the
 * first address outside it; the leaf always stays.
 */
uint32_t ag_trace_depth(const ag_frame *frames, uint32_t n);

#endif
