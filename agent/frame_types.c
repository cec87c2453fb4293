#include "frame_types.h"

#include <dlfcn.h>
#include <link.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "log.h"
#include "symbols.h"
#include "vm.h"

/*
 * Memory safety of the walk (it runs in a signal handler, on the
 * interrupted thread). No read goes through a fault handler: HotSpot owns
 * SIGSEGV, and a chained handler of ours would sit in every implicit null
 * check the JIT relies on, while process_vm_readv costs a system call per
 * word. Instead every read is bounded to memory known to be mapped:
 *  - the interrupted thread's own stack, between its stack pointer and the
 *    stack base HotSpot recorded (frames, the frame anchor's frames, the
 *    JavaCallWrapper of an entry frame all live there);
 *  - the committed part of a code heap, [VirtualSpace._low, _high) as the
 *    CodeHeap object says at the time of the read (the code cache never
 *    uncommits), and its segment map likewise: code blob headers and
 *    nmethod fields are read there only;
 *  - objects HotSpot never frees while the thread runs: the current
 *    JavaThread, the CodeHeap objects, and the jmethodID slots (JNI method
 *    id blocks are never freed; see ag_ft_init for the JDKs where a
 *    jmethodID is such a slot);
 *  - a CodeBlob's name (JDK 17 tells nmethods apart by it) only inside
 *    one of libjvm's loaded segments, where its string literals live.
 * A Method* is compared, never dereferenced. Values read may be stale or
 * torn (a blob freed and reused meanwhile): they are checked (pc inside the
 * blob, sizes in range, stack addresses rising) and, above all, the result
 * must fit the frames AsyncGetCallTrace returned, or the stack stays untyped.
 */

static ag_hs hs;
static atomic_bool enabled;
static _Atomic uint64_t counts[AG_FT_RESULTS];

/* ---------------- layout ---------------- */

static bool fld(const ag_vms *v, const char *type, const char *field, ag_hs_field *out)
{
	ag_vms_field f;
	if (!ag_vms_field_of(v, type, field, &f) || f.is_static || f.offset > UINT32_MAX)
		return false;
	uint64_t size = 0;
	if (f.type) {
		size_t len = strlen(f.type);
		if (len && f.type[len - 1] == '*')
			size = sizeof(void *);
		else if (!ag_vms_type_size(v, f.type, &size))
			size = 0;
	}
	out->off = (uint32_t)f.offset;
	out->size = size == 1 || size == 2 || size == 4 || size == 8 ? (uint8_t)size : 0;
	return true;
}

/* A field that must be there with a scalar size. */
static bool scalar(const ag_vms *v, const char *type, const char *field, ag_hs_field *out)
{
	return fld(v, type, field, out) && out->size;
}

static void *static_addr(const ag_vms *v, const char *type, const char *field)
{
	ag_vms_field f;
	if (!ag_vms_field_of(v, type, field, &f) || !f.is_static)
		return NULL;
	return f.address;
}

static int64_t read_sized(uintptr_t addr, uint8_t size)
{
	switch (size) {
	case 1: return *(const volatile int8_t *)addr;
	case 2: return *(const volatile int16_t *)addr;
	case 4: return *(const volatile int32_t *)addr;
	default: return *(const volatile int64_t *)addr;
	}
}

static int64_t read_field(uintptr_t base, ag_hs_field f)
{
	return read_sized(base + f.off, f.size);
}

#define NEED(cond, what)                                          \
	do {                                                      \
		if (!(cond)) {                                    \
			snprintf(why, whylen, "VMStructs: no %s", what); \
			return false;                             \
		}                                                 \
	} while (0)

bool ag_hs_resolve(const ag_vms *v, ag_hs *out, char *why, size_t whylen)
{
	ag_hs h;
	memset(&h, 0, sizeof(h));
	NEED(scalar(v, "CodeHeap", "_log2_segment_size", &h.heap_log2) &&
		fld(v, "CodeHeap", "_memory", &h.heap_memory) && fld(v, "CodeHeap", "_segmap", &h.heap_segmap),
		"CodeHeap layout");
	NEED(scalar(v, "VirtualSpace", "_low", &h.vs_low) && scalar(v, "VirtualSpace", "_high", &h.vs_high),
		"VirtualSpace layout");
	ag_hs_field header, used;
	uint64_t block_size = 0;
	NEED(ag_vms_type_size(v, "HeapBlock", &block_size) && block_size && block_size <= 64 &&
		fld(v, "HeapBlock", "_header", &header) && scalar(v, "HeapBlock::Header", "_used", &used),
		"HeapBlock layout");
	h.block_size = (uint32_t)block_size;
	h.block_used = (ag_hs_field){header.off + used.off, used.size};
	NEED(scalar(v, "CodeBlob", "_frame_size", &h.cb_frame_size) &&
		scalar(v, "CodeBlob", "_frame_complete_offset", &h.cb_frame_complete), "CodeBlob frame fields");
	bool absolute = scalar(v, "CodeBlob", "_code_begin", &h.cb_code_begin) &&
		scalar(v, "CodeBlob", "_code_end", &h.cb_code_end);
	bool relative = scalar(v, "CodeBlob", "_code_offset", &h.cb_code_offset) &&
		scalar(v, "CodeBlob", "_data_offset", &h.cb_data_offset);
	NEED(absolute || relative, "CodeBlob code bounds");
	if (absolute)
		h.cb_code_offset.size = h.cb_data_offset.size = 0;
	/* Newer JDKs (25) tag blobs with a kind; older ones (17) are told apart by name. */
	if (!(scalar(v, "CodeBlob", "_kind", &h.cb_kind) && ag_vms_int(v, "CodeBlobKind::Nmethod", &h.kind_nmethod))) {
		h.cb_kind.size = 0;
		NEED(scalar(v, "CodeBlob", "_name", &h.cb_name) && h.cb_name.size == sizeof(void *), "CodeBlob kind or name");
	}
	NEED(scalar(v, "nmethod", "_method", &h.nm_method) || scalar(v, "CompiledMethod", "_method", &h.nm_method),
		"nmethod::_method");
	NEED(scalar(v, "nmethod", "_comp_level", &h.nm_level), "nmethod::_comp_level");
	NEED(fld(v, "JavaThread", "_anchor", &h.jt_anchor) && scalar(v, "JavaFrameAnchor", "_last_Java_sp", &h.anchor_sp) &&
		scalar(v, "JavaFrameAnchor", "_last_Java_pc", &h.anchor_pc) &&
		scalar(v, "JavaFrameAnchor", "_last_Java_fp", &h.anchor_fp) &&
		fld(v, "JavaCallWrapper", "_anchor", &h.wrapper_anchor),
		"frame anchor layout");
	NEED((scalar(v, "JavaThread", "_stack_base", &h.jt_stack_base) ||
		     scalar(v, "Thread", "_stack_base", &h.jt_stack_base)) &&
		(scalar(v, "JavaThread", "_stack_size", &h.jt_stack_size) ||
			scalar(v, "Thread", "_stack_size", &h.jt_stack_size)),
		"thread stack bounds");
	NEED(ag_vms_int(v, "frame::entry_frame_call_wrapper_offset", &h.entry_wrapper_slot),
		"frame::entry_frame_call_wrapper_offset");
	if (!ag_vms_int(v, "frame::interpreter_frame_sender_sp_offset", &h.interp_sender_sp_slot))
		h.interp_sender_sp_slot = -1;
#if defined(__x86_64__)
	/* frame_x86.hpp: saved fp at fp[0], return pc at fp[1], then sender_sp, last_sp, method. */
	h.interp_method_slot = -3;
	NEED(h.interp_sender_sp_slot == -1, "x86_64 interpreter frame layout");
#else
	snprintf(why, whylen, "frame layout of this architecture is not known");
	return false;
#endif

	/* Static state, set up before the VM runs Java code and fixed since. */
	ag_hs_field len, data, stub_buffer, buffer_limit;
	void *const *heaps_addr = static_addr(v, "CodeCache", "_heaps");
	NEED(heaps_addr && *heaps_addr && scalar(v, "GrowableArrayBase", "_len", &len) &&
		scalar(v, "GrowableArray<int>", "_data", &data), "CodeCache::_heaps");
	uintptr_t heaps = (uintptr_t)*heaps_addr;
	int64_t nheaps = read_field(heaps, len);
	const uintptr_t *heap_list = (const uintptr_t *)(uintptr_t)read_field(heaps, data);
	NEED(nheaps > 0 && nheaps <= AG_HS_MAX_HEAPS && heap_list, "code heaps");
	for (int64_t i = 0; i < nheaps; i++) {
		NEED(heap_list[i], "code heap");
		h.heaps[h.nheaps++] = heap_list[i];
	}
	void *const *code = static_addr(v, "AbstractInterpreter", "_code");
	NEED(code && *code && scalar(v, "StubQueue", "_stub_buffer", &stub_buffer) &&
		scalar(v, "StubQueue", "_buffer_limit", &buffer_limit), "interpreter code");
	h.interp_lo = (uintptr_t)read_field((uintptr_t)*code, stub_buffer);
	int64_t limit = read_field((uintptr_t)*code, buffer_limit);
	NEED(h.interp_lo && limit > 0, "interpreter code bounds");
	h.interp_hi = h.interp_lo + (uintptr_t)limit;
	void *const *call_stub = static_addr(v, "StubRoutines", "_call_stub_return_address");
	NEED(call_stub && *call_stub, "StubRoutines::_call_stub_return_address");
	h.call_stub_return = (uintptr_t)*call_stub;
	*out = h;
	return true;
}

/* ---------------- signal-side reads ---------------- */

typedef struct walk_ctx {
	const ag_hs *hs;
	uintptr_t stack_lo, stack_hi;
} walk_ctx;

static bool stack_word(const walk_ctx *c, uintptr_t addr, uintptr_t *out)
{
	if ((addr & 7) || addr < c->stack_lo || addr >= c->stack_hi || c->stack_hi - addr < 8)
		return false;
	*out = *(const volatile uintptr_t *)addr;
	return true;
}

typedef struct heap_view {
	uintptr_t lo, hi; /* committed code */
	uintptr_t seg_lo, seg_hi; /* committed segment map */
	int log2;
} heap_view;

static bool heap_of(const ag_hs *h, uintptr_t pc, heap_view *out)
{
	for (uint32_t i = 0; i < h->nheaps; i++) {
		uintptr_t mem = h->heaps[i] + h->heap_memory.off;
		uintptr_t lo = (uintptr_t)read_field(mem, h->vs_low), hi = (uintptr_t)read_field(mem, h->vs_high);
		if (pc < lo || pc >= hi)
			continue;
		uintptr_t seg = h->heaps[i] + h->heap_segmap.off;
		out->lo = lo;
		out->hi = hi;
		out->seg_lo = (uintptr_t)read_field(seg, h->vs_low);
		out->seg_hi = (uintptr_t)read_field(seg, h->vs_high);
		out->log2 = (int)read_field(h->heaps[i], h->heap_log2);
		return out->seg_lo && out->seg_hi > out->seg_lo && out->log2 > 0 && out->log2 < 16;
	}
	return false;
}

/* Reads a field of an object that must lie inside the heap's committed code. */
static bool code_field(const heap_view *hv, uintptr_t base, ag_hs_field f, int64_t *out)
{
	uintptr_t a = base + f.off;
	if (!f.size || a < hv->lo || a > hv->hi - f.size || (a & (f.size - 1)))
		return false;
	*out = read_sized(a, f.size);
	return true;
}

typedef struct blob_info {
	uintptr_t blob;
	int64_t frame_size; /* words */
	int64_t frame_complete; /* offset from code begin, -1 = never */
	uintptr_t code_begin, code_end;
	bool nmethod;
	uintptr_t method;
	int8_t level;
} blob_info;

/* The blob's name is one of `names` (libjvm string literals, read in bounds). */
static bool name_is_nmethod(const ag_hs *h, uintptr_t s)
{
	static const char *const names[] = {"nmethod", "native nmethod"};
	const size_t longest = sizeof("native nmethod");
	for (uint32_t r = 0; r < h->njvm; r++) {
		if (s < h->jvm_lo[r] || s >= h->jvm_hi[r] || h->jvm_hi[r] - s < longest)
			continue;
		const volatile char *p = (const volatile char *)s;
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			size_t i = 0;
			while (names[k][i] && p[i] == names[k][i])
				i++;
			if (!names[k][i] && !p[i])
				return true;
		}
		return false;
	}
	return false;
}

/* The code blob holding pc, found through the code heap's segment map. */
static bool find_blob(const ag_hs *h, uintptr_t pc, blob_info *out)
{
	heap_view hv;
	if (!heap_of(h, pc, &hv))
		return false;
	uintptr_t idx = (pc - hv.lo) >> hv.log2;
	const volatile uint8_t *seg = (const volatile uint8_t *)hv.seg_lo;
	uintptr_t segs = hv.seg_hi - hv.seg_lo;
	if (idx >= segs || seg[idx] == 0xff) /* 0xff: a free segment */
		return false;
	/* Each map byte says how many segments back to hop towards the block start. */
	for (int guard = 0; seg[idx] > 0; guard++) {
		uint8_t hop = seg[idx];
		if (hop == 0xff || hop > idx || guard > 1 << 16)
			return false;
		idx -= hop;
	}
	uintptr_t block = hv.lo + (idx << hv.log2);
	int64_t used;
	if (!code_field(&hv, block, h->block_used, &used) || !used)
		return false;
	uintptr_t blob = block + h->block_size;
	int64_t fs, fc, a, b;
	if (!code_field(&hv, blob, h->cb_frame_size, &fs) || !code_field(&hv, blob, h->cb_frame_complete, &fc))
		return false;
	if (h->cb_code_offset.size) {
		if (!code_field(&hv, blob, h->cb_code_offset, &a) || !code_field(&hv, blob, h->cb_data_offset, &b))
			return false;
		a += (int64_t)blob;
		b += (int64_t)blob;
	} else if (!code_field(&hv, blob, h->cb_code_begin, &a) || !code_field(&hv, blob, h->cb_code_end, &b)) {
		return false;
	}
	if ((uintptr_t)a > pc || pc >= (uintptr_t)b || (uintptr_t)b > hv.hi)
		return false;
	*out = (blob_info){.blob = blob, .frame_size = fs, .frame_complete = fc,
		.code_begin = (uintptr_t)a, .code_end = (uintptr_t)b};
	int64_t v;
	if (h->cb_kind.size) {
		if (!code_field(&hv, blob, h->cb_kind, &v))
			return false;
		out->nmethod = v == h->kind_nmethod;
	} else {
		if (!code_field(&hv, blob, h->cb_name, &v))
			return false;
		out->nmethod = name_is_nmethod(h, (uintptr_t)v);
	}
	if (out->nmethod) {
		int64_t m, level;
		if (!code_field(&hv, blob, h->nm_method, &m) || !code_field(&hv, blob, h->nm_level, &level) || !m)
			return false;
		out->method = (uintptr_t)m;
		out->level = (int8_t)level;
	}
	return true;
}

/* ---------------- the physical walk ---------------- */

#define MAX_FRAME_WORDS (1 << 20)
#define MAX_NATIVE_TOP 8 /* native frames followed above the top Java frame */

/*
 * Walks the physical frames of the current thread, top first, from its
 * frame anchor (when it is outside Java code) or from the signal context.
 * Stops at the bottom entry frame. Returns the number of Java frames, or
 * -1 (walk failed) / -2 (did not start in Java code).
 */
static int walk(const walk_ctx *c, uintptr_t jt, uintptr_t pc, uintptr_t sp, uintptr_t fp,
	ag_pframe *out, uint32_t max)
{
	const ag_hs *h = c->hs;
	uintptr_t anchor = jt + h->jt_anchor.off;
	uintptr_t a_sp = (uintptr_t)read_field(anchor, h->anchor_sp);
	bool top = true;
	if (a_sp) {
		/* Outside Java code: AsyncGetCallTrace starts from the anchor too. */
		uintptr_t a_pc = (uintptr_t)read_field(anchor, h->anchor_pc);
		if (!a_pc)
			return -2;
		sp = a_sp;
		pc = a_pc;
		fp = (uintptr_t)read_field(anchor, h->anchor_fp);
		top = false;
	}
	uintptr_t usp = sp; /* the frame's unextended stack pointer */
	uint32_t n = 0, native_top = 0;
	for (uint32_t steps = 0; steps < 4 * max + 64; steps++) {
		if (usp < c->stack_lo || usp >= c->stack_hi)
			return -1;
		if (pc == h->call_stub_return) {
			/* An entry frame: Java called from the VM. Continue where that call left Java, if anywhere. */
			uintptr_t wrapper, next_sp, next_pc, next_fp;
			if (!stack_word(c, fp + (uintptr_t)((intptr_t)h->entry_wrapper_slot * 8), &wrapper) ||
				!stack_word(c, wrapper + h->wrapper_anchor.off + h->anchor_sp.off, &next_sp))
				return -1;
			if (!next_sp)
				return (int)n;
			if (next_sp <= usp || !stack_word(c, wrapper + h->wrapper_anchor.off + h->anchor_pc.off, &next_pc) ||
				!stack_word(c, wrapper + h->wrapper_anchor.off + h->anchor_fp.off, &next_fp))
				return -1;
			if (!next_pc && !stack_word(c, next_sp - 8, &next_pc))
				return -1;
			usp = next_sp;
			pc = next_pc;
			fp = next_fp;
			top = false;
			continue;
		}
		if (pc >= h->interp_lo && pc < h->interp_hi) {
			uintptr_t method, sender_usp, ret, link;
			if (fp < usp || !stack_word(c, fp + (uintptr_t)((intptr_t)h->interp_method_slot * 8), &method) ||
				!stack_word(c, fp + (uintptr_t)((intptr_t)h->interp_sender_sp_slot * 8), &sender_usp) ||
				!stack_word(c, fp + 8, &ret) || !stack_word(c, fp, &link))
				return top ? -2 : -1;
			if (n >= max)
				return -1;
			out[n++] = (ag_pframe){.method = method, .kind = AG_PF_INTERPRETED};
			if (sender_usp <= fp)
				return -1;
			usp = sender_usp;
			pc = ret;
			fp = link;
			top = false;
			continue;
		}
		blob_info b;
		if (!find_blob(h, pc, &b)) {
			/*
			 * Native code called from compiled code without a transition
			 * (a leaf call, e.g. a SIMD sort library): like HotSpot's own
			 * walk, follow its frame pointer chain back into Java code.
			 */
			uintptr_t ret, link;
			if (!top || n || ++native_top > MAX_NATIVE_TOP || fp < usp ||
				!stack_word(c, fp + 8, &ret) || !stack_word(c, fp, &link))
				return top && n == 0 ? -2 : -1;
			usp = fp + 16;
			pc = ret;
			fp = link;
			continue;
		}
		if (b.frame_size <= 0 || b.frame_size > MAX_FRAME_WORDS)
			return top && n == 0 ? -2 : -1;
		/* A frame still being built (prologue) cannot be followed. */
		if (top && (b.frame_complete < 0 || pc < b.code_begin + (uintptr_t)b.frame_complete))
			return -2;
		if (b.nmethod) {
			if (n >= max)
				return -1;
			out[n++] = (ag_pframe){.method = b.method, .kind = AG_PF_COMPILED, .level = b.level};
		}
		/* Other blobs with a frame (runtime stubs) hold no Java frame: step over them. */
		uintptr_t sender_sp = usp + (uintptr_t)b.frame_size * 8, ret, link;
		if (!stack_word(c, sender_sp - 8, &ret) || !stack_word(c, sender_sp - 16, &link))
			return -1;
		usp = sender_sp;
		pc = ret;
		fp = link;
		top = false;
	}
	return -1;
}

int ag_ft_walk(const ag_hs *h, uintptr_t jt, uintptr_t pc, uintptr_t sp, uintptr_t fp, ag_pframe *out,
	uint32_t max)
{
	/*
	 * Stack reads stay between the interrupted stack pointer and the stack
	 * base, all mapped: the guard zones lie below the stack pointer. A
	 * thread running on another stack (sigaltstack, a coroutine in native
	 * code) is not walked.
	 */
	uintptr_t base = (uintptr_t)read_field(jt, h->jt_stack_base);
	uintptr_t size = (uintptr_t)read_field(jt, h->jt_stack_size);
	if (base <= sp || size > base || sp < base - size)
		return -1;
	walk_ctx c = {.hs = h, .stack_lo = sp, .stack_hi = base};
	return walk(&c, jt, pc, sp, fp, out, max);
}

/* ---------------- matching ---------------- */

/*
 * The fitting problem: physical frame k (top first) takes the virtual
 * frames s_k..e_k, with s_0 = 0, s_k = e_(k-1) + 1 and e_last = nv - 1;
 * virtual frame e_k is the frame's own method (an interpreted frame takes
 * just that one); the frames before it in a compiled frame are inlined, and
 * native methods are never inlined, so a native frame can only be a
 * frame's last and only virtual frame.
 *
 * The valid end vectors (e_0, e_1, ...) are closed under element-wise min
 * and max (each constraint holds for the min or max of two valid vectors),
 * so there is a least and a greatest one, and the fit is unique exactly
 * when those two agree. The least is the first fit a search from the top
 * finds trying each frame's earliest end first; the greatest, the first
 * fit a search from the bottom finds trying each frame's latest start
 * first. Both searches backtrack (recursion can make an early choice fail
 * later), under a step budget; running out of it counts as ambiguous.
 */

static bool is_native(const ag_frame *f)
{
	return f->bci == -3;
}

typedef struct fit {
	const ag_pframe *p;
	uint32_t np;
	const ag_frame *v;
	uint32_t nv;
	ag_ft_method_fn method_of;
	const uint16_t *next_native; /* first native frame at or after i, nv if none */
	long budget;
} fit;

static bool is_frame_of(fit *f, uint32_t k, uint32_t i)
{
	f->budget--;
	return f->method_of(&f->v[i]) == f->p[k].method;
}

/* Virtual frames s..e can be physical frame k's (its method already checked at e). */
static bool segment_ok(const fit *f, uint32_t k, uint32_t s, uint32_t e)
{
	if (s == e)
		return true;
	return f->p[k].kind == AG_PF_COMPILED && f->next_native[s] >= e && !is_native(&f->v[e]);
}

/* Smallest end of frame k (starting at s) above `prev` (-1: any), or -1. */
static int next_end(fit *f, uint32_t k, uint32_t s, int prev)
{
	uint32_t hi = f->nv - (f->np - k); /* each frame below needs a virtual frame */
	uint32_t j = prev < 0 ? s : (uint32_t)prev + 1;
	if (k + 1 == f->np)
		j = j <= hi ? hi : hi + 1; /* the bottom frame ends with the stack */
	for (; j <= hi && f->budget > 0; j++) {
		if (j > s && (f->p[k].kind != AG_PF_COMPILED || f->next_native[s] < j))
			return -1; /* no longer frames possible */
		if (is_frame_of(f, k, j) && segment_ok(f, k, s, j))
			return (int)j;
	}
	return -1;
}

/* Largest start of frame k (ending at e) below `prev` (-1: any), or -1. */
static int prev_start(fit *f, uint32_t k, uint32_t e, int prev)
{
	int64_t a = prev < 0 ? (int64_t)e : (int64_t)prev - 1;
	int64_t lo = k; /* each frame above needs a virtual frame */
	if (k == 0)
		a = a >= 0 ? 0 : -1, lo = 0; /* the top frame starts the stack */
	for (; a >= lo && f->budget > 0; a--) {
		f->budget--;
		if (!segment_ok(f, k, (uint32_t)a, e)) {
			if ((uint32_t)a < e && (f->p[k].kind != AG_PF_COMPILED || is_native(&f->v[a]) ||
						   is_native(&f->v[e])))
				return -1; /* going further up only adds frames that cannot be inlined */
			continue;
		}
		/* The frame above must end right before. */
		if (k == 0 || is_frame_of(f, k - 1, (uint32_t)a - 1))
			return (int)a;
	}
	return -1;
}

/* Least end vector, into end[]. */
static ag_ft_result least(fit *f, uint16_t *end)
{
	uint32_t k = 0;
	int prev = -1;
	for (;;) {
		uint32_t s = k ? (uint32_t)end[k - 1] + 1 : 0;
		int j = next_end(f, k, s, prev);
		if (f->budget <= 0)
			return AG_FT_AMBIGUOUS;
		if (j < 0) {
			if (k == 0)
				return AG_FT_MISMATCH;
			k--;
			prev = end[k];
			continue;
		}
		end[k] = (uint16_t)j;
		if (k + 1 == f->np)
			return AG_FT_TYPED;
		k++;
		prev = -1;
	}
}

/* Greatest end vector, into end[] (start[] is working memory). */
static ag_ft_result greatest(fit *f, uint16_t *end, uint16_t *start)
{
	uint32_t k = f->np - 1;
	int prev = -1;
	for (;;) {
		uint32_t e = k + 1 == f->np ? f->nv - 1 : (uint32_t)start[k + 1] - 1;
		int a = -1;
		if (prev >= 0 || is_frame_of(f, k, e))
			a = prev_start(f, k, e, prev);
		if (f->budget <= 0)
			return AG_FT_AMBIGUOUS;
		if (a < 0) {
			if (k + 1 == f->np)
				return AG_FT_MISMATCH;
			k++;
			prev = start[k];
			continue;
		}
		start[k] = (uint16_t)a;
		if (k == 0)
			break;
		k--;
		prev = -1;
	}
	for (k = 0; k < f->np; k++)
		end[k] = (uint16_t)(k + 1 == f->np ? f->nv - 1 : start[k + 1] - 1u);
	return AG_FT_TYPED;
}

ag_ft_result ag_ft_match(const ag_pframe *p, uint32_t np, const ag_frame *virt, uint32_t nv,
	ag_ft_method_fn method_of, uint16_t *first, uint16_t *last, uint16_t *work)
{
	if (np == 0 || nv == 0 || np > nv || nv > AG_FT_MAX_DEPTH)
		return AG_FT_MISMATCH;
	uint16_t *next_native = work, *starts = work + nv;
	uint16_t next = (uint16_t)nv;
	for (uint32_t i = nv; i-- > 0;) {
		if (is_native(&virt[i]))
			next = (uint16_t)i;
		next_native[i] = next;
	}
	/* Linear in the stack depth unless recursion makes the searches back up. */
	fit f = {p, np, virt, nv, method_of, next_native, 16L * (nv + np) + 1024};
	ag_ft_result r = least(&f, last);
	if (r != AG_FT_TYPED)
		return r;
	if (greatest(&f, first, starts) != AG_FT_TYPED)
		return AG_FT_AMBIGUOUS;
	for (uint32_t k = 0; k < np; k++)
		if (first[k] != last[k])
			return AG_FT_AMBIGUOUS;
	for (uint32_t k = 0; k < np; k++)
		first[k] = k ? (uint16_t)(last[k - 1] + 1) : 0;
	return AG_FT_TYPED;
}

void ag_ft_apply(const ag_pframe *p, uint32_t np, ag_frame *virt, const uint16_t *first, const uint16_t *last)
{
	for (uint32_t k = 0; k < np; k++) {
		for (uint32_t i = first[k]; i <= last[k]; i++) {
			int type;
			if (is_native(&virt[i]))
				type = AG_FRAME_NATIVE;
			else if (p[k].kind == AG_PF_INTERPRETED)
				type = AG_FRAME_INTERPRETED;
			else if (i < last[k])
				type = AG_FRAME_INLINED;
			else
				type = p[k].level >= 1 && p[k].level <= 3 ? AG_FRAME_C1 : AG_FRAME_JIT;
			virt[i].bci = ag_bci_with_type(virt[i].bci, type);
		}
	}
}

/* ---------------- the signal-side entry ---------------- */

static uintptr_t method_of_id(const ag_frame *f)
{
	/* A jmethodID points at a slot holding the Method* (see ag_ft_init). */
	return f->method ? *(const volatile uintptr_t *)f->method : 0;
}

static ag_ft_result count(ag_ft_result r)
{
	atomic_fetch_add_explicit(&counts[r], 1, memory_order_relaxed);
	return r;
}

/* Types frames of thread jt, walking from (pc, sp, fp) or its frame anchor. */
static ag_ft_result classify(uintptr_t jt, uintptr_t pc, uintptr_t sp, uintptr_t fp, ag_frame *frames,
	uint32_t n, bool truncated, ag_ft_scratch *scratch)
{
	if (truncated || n > AG_FT_MAX_DEPTH)
		return AG_FT_TRUNCATED;
	for (uint32_t i = 0; i < n; i++)
		if (!frames[i].method || !method_of_id(&frames[i]))
			return AG_FT_NO_METHOD;
	int np = ag_ft_walk(&hs, jt, pc, sp, fp, scratch->phys, n);
	if (np == -2)
		return AG_FT_TOP_NOT_JAVA;
	if (np < 0)
		return AG_FT_WALK_FAILED;
	ag_ft_result r = ag_ft_match(scratch->phys, (uint32_t)np, frames, n, method_of_id, scratch->first,
		scratch->last, scratch->work);
	if (r == AG_FT_TYPED)
		ag_ft_apply(scratch->phys, (uint32_t)np, frames, scratch->first, scratch->last);
	return r;
}

ag_ft_result ag_ft_classify(void *java_thread, void *ucontext, ag_frame *frames, uint32_t n,
	bool truncated, ag_ft_scratch *scratch)
{
	if (!atomic_load_explicit(&enabled, memory_order_acquire))
		return count(AG_FT_DISABLED);
#if defined(__x86_64__)
	const ucontext_t *uc = ucontext;
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
	uintptr_t fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
	return count(classify((uintptr_t)java_thread, pc, sp, fp, frames, n, truncated, scratch));
#else
	(void)java_thread, (void)ucontext, (void)frames, (void)n, (void)truncated, (void)scratch;
	return count(AG_FT_DISABLED);
#endif
}

ag_ft_result ag_ft_classify_current(void *java_thread, ag_frame *frames, uint32_t n, bool truncated)
{
	if (!atomic_load_explicit(&enabled, memory_order_acquire) || !java_thread)
		return count(AG_FT_DISABLED);
	ag_ft_scratch *scratch = malloc(sizeof(*scratch));
	if (!scratch)
		return count(AG_FT_WALK_FAILED);
	/* Inside the VM the thread's frame anchor marks its last Java frame; the walk starts there. */
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	ag_ft_result r = classify((uintptr_t)java_thread, 0, sp, 0, frames, n, truncated, scratch);
	free(scratch);
	return count(r);
}

/* ---------------- setup and reporting ---------------- */

typedef struct jvm_search {
	uintptr_t base;
	ag_hs *h;
} jvm_search;

static int add_segments(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	jvm_search *js = arg;
	if (info->dlpi_addr != js->base)
		return 0;
	for (int i = 0; i < info->dlpi_phnum && js->h->njvm < AG_HS_MAX_SEGMENTS; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_R))
			continue;
		js->h->jvm_lo[js->h->njvm] = info->dlpi_addr + ph->p_vaddr;
		js->h->jvm_hi[js->h->njvm] = info->dlpi_addr + ph->p_vaddr + ph->p_filesz;
		js->h->njvm++;
	}
	return 1;
}

static int java_feature(const char *v)
{
	int major = 0;
	if (strncmp(v, "1.", 2) == 0)
		v += 2;
	return sscanf(v, "%d", &major) == 1 ? major : 0;
}

void ag_ft_init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	char why[160] = "";
	ag_vms v;
	int feature = java_feature(ag_jvm.java_version);
	if (feature < 17 || feature > 25) {
		/*
		 * Up to JDK 25 a jmethodID points at a slot holding the Method*
		 * (checked on 17 and 25); newer OpenJDK sources resolve it through
		 * a table. JDKs before 17 lay the code cache out differently.
		 */
		snprintf(why, sizeof(why), "not supported on Java %s", ag_jvm.java_version);
	} else if (ag_vms_from_jvm(&v, why, sizeof(why)) && ag_hs_resolve(&v, &hs, why, sizeof(why))) {
		Dl_info info;
		void *lib = dlopen("libjvm.so", RTLD_LAZY | RTLD_NOLOAD);
		void *anchor = lib ? dlsym(lib, "gHotSpotVMStructs") : NULL;
		if (anchor && dladdr(anchor, &info) && info.dli_fbase) {
			jvm_search js = {(uintptr_t)info.dli_fbase, &hs};
			dl_iterate_phdr(add_segments, &js);
		}
		if (!hs.cb_kind.size && !hs.njvm)
			snprintf(why, sizeof(why), "libjvm.so segments not found");
		else
			atomic_store_explicit(&enabled, true, memory_order_release);
	}
	if (!atomic_load(&enabled))
		ag_log(AG_LOG_INFO, "Frame types unavailable (%s): Java frames are recorded as JIT compiled", why);
}

bool ag_ft_enabled(void)
{
	return atomic_load(&enabled);
}

void ag_ft_counts(uint64_t out[AG_FT_RESULTS], bool reset)
{
	for (int i = 0; i < AG_FT_RESULTS; i++)
		out[i] = reset ? atomic_exchange(&counts[i], 0) : atomic_load(&counts[i]);
}

void ag_ft_log_counts(int level, bool reset)
{
	static const char *const names[AG_FT_RESULTS] = {
		"typed", "disabled", "truncated", "no method id", "top frame not Java",
		"walk failed", "mismatch", "ambiguous",
	};
	uint64_t c[AG_FT_RESULTS];
	ag_ft_counts(c, reset);
	uint64_t total = 0;
	for (int i = 0; i < AG_FT_RESULTS; i++)
		total += c[i];
	if (!total || c[AG_FT_DISABLED])
		return;
	char text[512];
	int len = snprintf(text, sizeof(text), "Frame types: %llu of %llu stacks typed",
		(unsigned long long)c[AG_FT_TYPED], (unsigned long long)total);
	for (int i = AG_FT_TRUNCATED; i < AG_FT_RESULTS && len > 0 && (size_t)len < sizeof(text); i++)
		if (c[i])
			len += snprintf(text + len, sizeof(text) - (size_t)len, ", %llu %s",
				(unsigned long long)c[i], names[i]);
	ag_log((ag_level)level, "%s (the rest are recorded untyped)", text);
}
