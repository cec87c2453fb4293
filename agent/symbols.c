#include "symbols.h"

#include "native_stack.h"
#include "native_symbols.h"

const char *const ag_frame_type_names[AG_FRAME_TYPES] = {
	"Interpreted", "JIT compiled", "Inlined", "Native", "C++", "Kernel", "C1 compiled",
};

/* AsyncGetCallTrace's num_frames codes 0..-10, by negated value. */
static const char *const agct_errors[] = {
	"no_Java_frame", "no_class_load", "GC_active", "unknown_not_Java", "not_walkable_not_Java",
	"unknown_Java", "not_walkable_Java", "unknown_state", "thread_exit", "deopt", "safepoint",
};

void ag_describe_frame(const ag_frame *f, ag_frame_desc *out)
{
	*out = (ag_frame_desc){0};
	if (ag_frame_is_native(f)) {
		ag_native_name n;
		if (ag_native_lookup((uintptr_t)f->method, &n)) {
			out->native_lib = n.lib;
			out->native_name = n.name;
			out->type = n.cpp ? AG_FRAME_CPP : AG_FRAME_NATIVE;
		} else {
			out->native_lib = "";
			out->native_name = "[unknown]";
			out->type = AG_FRAME_NATIVE;
		}
		return;
	}
	if (!f->method) {
		int code = -f->bci;
		out->synthetic = code >= 0 && code <= 10 ? agct_errors[code] : "unknown";
		out->type = AG_FRAME_CPP;
		return;
	}
	out->method = ag_method_get((jmethodID)f->method);
	if (!out->method) {
		out->synthetic = "unknown_method";
		out->type = AG_FRAME_CPP;
		return;
	}
	int32_t bci = ag_bci_value(f->bci);
	int type = ag_bci_type(f->bci);
	if (bci == -3) {
		/* AGCT's mark for a Java native method. */
		out->type = AG_FRAME_NATIVE;
		return;
	}
	/* Without a type from frame_types.c (JVMTI stacks, or a stack it could
	 * not type), Java frames count as compiled, like async-profiler's raw
	 * AGCT frames. */
	out->type = type >= 0 ? type : AG_FRAME_JIT;
	if (bci >= 0) {
		out->bci = bci;
		out->line = ag_method_line(out->method, bci);
	}
}

uint32_t ag_trace_depth(const ag_frame *frames, uint32_t n)
{
	ag_native_name name;
	for (uint32_t i = 1; i < n; i++)
		if (ag_frame_is_native(&frames[i]) && !ag_native_lookup((uintptr_t)frames[i].method, &name))
			return i;
	return n;
}
