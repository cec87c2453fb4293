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

typedef struct ag_frame_desc {
	const ag_method *method; /* NULL for synthetic frames */
	const char *synthetic; /* name of a synthetic frame */
	int line, bci, type;
} ag_frame_desc;

void ag_describe_frame(const ag_frame *f, ag_frame_desc *out);

#endif
