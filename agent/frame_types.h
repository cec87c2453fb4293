/*
 * Exact frame types (interpreted, JIT compiled, C1 compiled, inlined,
 * native) for the stacks AsyncGetCallTrace returns.
 *
 * AsyncGetCallTrace reports virtual frames (one per Java method activation,
 * inlined ones included) without saying how each runs. In the same signal
 * handler this module walks the thread's physical frames itself, using the
 * layout HotSpot describes in its VMStructs tables (vmstructs.h): a frame
 * whose pc lies in the interpreter is interpreted and names its Method*;
 * a frame whose pc lies in an nmethod names the nmethod's root Method* and
 * compilation level. The physical frames are then matched to the virtual
 * ones: an interpreted frame takes one virtual frame of its method, a
 * compiled frame takes one or more that end with its root method (the ones
 * before it are inlined into it). The types are written only when exactly
 * one such matching covers the whole stack; otherwise the stack keeps the
 * untyped form (Java frames "JIT compiled", native methods "Native") and
 * the reason is counted.
 */
#ifndef AG_FRAME_TYPES_H
#define AG_FRAME_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "storage.h"
#include "vmstructs.h"

/* Deepest stack classified; deeper stacks are left untyped. */
#define AG_FT_MAX_DEPTH 2048

enum { AG_PF_INTERPRETED = 1, AG_PF_COMPILED = 2 };

/* One physical Java frame, top first. */
typedef struct ag_pframe {
	uintptr_t method; /* Method* */
	uint8_t kind; /* AG_PF_* */
	int8_t level; /* compilation level of a compiled frame */
} ag_pframe;

/* Per-sample working memory (lives in the sampler's claimed buffers). */
typedef struct ag_ft_scratch {
	ag_pframe phys[AG_FT_MAX_DEPTH];
	uint16_t first[AG_FT_MAX_DEPTH];
	uint16_t last[AG_FT_MAX_DEPTH];
	uint16_t work[2 * AG_FT_MAX_DEPTH];
} ag_ft_scratch;

/* Why a stack was left untyped; counted per reason. */
typedef enum ag_ft_result {
	AG_FT_TYPED,
	AG_FT_DISABLED, /* no usable VMStructs: never attempted */
	AG_FT_TRUNCATED, /* stack deeper than jstackdepth: its bottom cannot be checked */
	AG_FT_NO_METHOD, /* a virtual frame without jmethodID / Method* */
	AG_FT_TOP_NOT_JAVA, /* the walk did not start in Java code */
	AG_FT_WALK_FAILED, /* a frame could not be read or followed */
	AG_FT_MISMATCH, /* physical and virtual frames do not fit together */
	AG_FT_AMBIGUOUS, /* more than one way to fit them */
	AG_FT_RESULTS,
} ag_ft_result;

/*
 * Reads the VMStructs tables of the running JVM (once per process, on a
 * normal thread). Logs once why frame types are unavailable if they are.
 */
void ag_ft_init(void);
bool ag_ft_enabled(void);

/*
 * Async-signal-safe. Types the n AsyncGetCallTrace frames of the thread
 * `java_thread` interrupted with `ucontext`, in place (the type rides in
 * the bci, see symbols.h); leaves them untouched when it cannot.
 */
ag_ft_result ag_ft_classify(void *java_thread, void *ucontext, ag_frame *frames, uint32_t n,
	bool truncated, ag_ft_scratch *scratch);

/*
 * The same for a stack the current thread took of itself through JVMTI
 * (alloc, lock events: the thread is inside the VM, its frame anchor
 * marks its last Java frame). Not for signal handlers: it allocates.
 */
ag_ft_result ag_ft_classify_current(void *java_thread, ag_frame *frames, uint32_t n, bool truncated);

/* Counts per result since the last call; `reset` starts them again. */
void ag_ft_counts(uint64_t out[AG_FT_RESULTS], bool reset);
/* One log line summarising the counts at `level`; `reset` starts them again. */
void ag_ft_log_counts(int level, bool reset);

/* ---- pure parts, exposed for the unit tests ---- */

/* Method* of a virtual frame; 0 when unknown. */
typedef uintptr_t (*ag_ft_method_fn)(const ag_frame *f);

/*
 * Fits np physical frames to nv virtual frames (both top first). On
 * AG_FT_TYPED, first[k]..last[k] are the virtual frames of physical frame
 * k. first and last hold np entries, work nv + np.
 */
ag_ft_result ag_ft_match(const ag_pframe *phys, uint32_t np, const ag_frame *virt, uint32_t nv,
	ag_ft_method_fn method_of, uint16_t *first, uint16_t *last, uint16_t *work);
/* Writes the types of a successful match into the frames' bci. */
void ag_ft_apply(const ag_pframe *phys, uint32_t np, ag_frame *virt, const uint16_t *first,
	const uint16_t *last);

/* The HotSpot layout the walk needs, from the VMStructs tables. */
typedef struct ag_hs_field {
	uint32_t off;
	uint8_t size; /* 0 = absent */
} ag_hs_field;

#define AG_HS_MAX_HEAPS 8
#define AG_HS_MAX_SEGMENTS 16

typedef struct ag_hs {
	uintptr_t heaps[AG_HS_MAX_HEAPS]; /* CodeHeap* */
	uint32_t nheaps;
	ag_hs_field heap_memory, heap_segmap, heap_log2; /* CodeHeap */
	ag_hs_field vs_low, vs_high; /* VirtualSpace */
	uint32_t block_size; /* sizeof(HeapBlock) */
	ag_hs_field block_used; /* HeapBlock::_header._used */
	ag_hs_field cb_name, cb_kind, cb_frame_size, cb_frame_complete;
	ag_hs_field cb_code_begin, cb_code_end; /* JDK <= 22: absolute addresses */
	ag_hs_field cb_code_offset, cb_data_offset; /* JDK 23+: offsets from the blob */
	int32_t kind_nmethod;
	ag_hs_field nm_method, nm_level;
	uintptr_t interp_lo, interp_hi; /* the interpreter's code */
	uintptr_t call_stub_return; /* return address into StubRoutines::call_stub */
	ag_hs_field jt_anchor, jt_stack_base, jt_stack_size; /* JavaThread */
	ag_hs_field anchor_sp, anchor_pc, anchor_fp; /* JavaFrameAnchor */
	ag_hs_field wrapper_anchor; /* JavaCallWrapper::_anchor */
	int32_t entry_wrapper_slot; /* frame::entry_frame_call_wrapper_offset (words from fp) */
	int32_t interp_sender_sp_slot; /* frame::interpreter_frame_sender_sp_offset */
	int32_t interp_method_slot; /* not in VMStructs: the platform's constant */
	/* libjvm's loaded segments, where CodeBlob names point (set by ag_ft_init) */
	uintptr_t jvm_lo[AG_HS_MAX_SEGMENTS], jvm_hi[AG_HS_MAX_SEGMENTS];
	uint32_t njvm;
} ag_hs;

/*
 * Resolves the layout from `v`, reading the static fields it names (code
 * heaps, interpreter bounds, call stub). False with a reason otherwise.
 */
bool ag_hs_resolve(const ag_vms *v, ag_hs *hs, char *why, size_t whylen);

/*
 * The physical Java frames of thread jt (a JavaThread) with layout h, top
 * first, from its frame anchor or else from (pc, sp, fp); sp is the lowest
 * stack address read. Returns their number, -1 when the walk failed, -2
 * when it did not start in Java code.
 */
int ag_ft_walk(const ag_hs *h, uintptr_t jt, uintptr_t pc, uintptr_t sp, uintptr_t fp, ag_pframe *out,
	uint32_t max);

#endif
