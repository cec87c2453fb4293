/*
 * Frame types without a JVM: VMStructs lookups and the HotSpot layout
 * resolved from synthetic tables laid out as JDK 17 and JDK 25 lay theirs
 * out, the fitting of physical frames to AsyncGetCallTrace's virtual ones
 * (inlining, backtracking, ambiguity, mismatch, native methods), and the
 * type carried in the bci.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "frame_types.h"
#include "vm.h"
#include "symbols.h"
#include "vmstructs.h"

/* ---------------- synthetic VMStructs tables ---------------- */

typedef struct srow {
	const char *type, *field, *typestr;
	int32_t is_static;
	uint64_t offset;
	void *address;
} srow;

typedef struct trow {
	const char *name;
	uint64_t size;
} trow;

typedef struct irow {
	const char *name;
	int32_t value;
} irow;

static ag_vms tables(const srow *s, const trow *t, const irow *i)
{
	return (ag_vms){
		.structs = (const char *)s, .struct_stride = sizeof(srow),
		.s_type = offsetof(srow, type), .s_field = offsetof(srow, field),
		.s_typestr = offsetof(srow, typestr), .s_static = offsetof(srow, is_static),
		.s_offset = offsetof(srow, offset), .s_address = offsetof(srow, address),
		.types = (const char *)t, .type_stride = sizeof(trow),
		.t_name = offsetof(trow, name), .t_size = offsetof(trow, size),
		.ints = (const char *)i, .int_stride = sizeof(irow),
		.i_name = offsetof(irow, name), .i_value = offsetof(irow, value),
	};
}

static int static_int = 42;

static void test_vms_lookups(void **state)
{
	(void)state;
	static const srow s[] = {
		{"CodeBlob", "_frame_size", "int", 0, 44, NULL},
		{"CodeBlob", "_name", "const char*", 0, 8, NULL},
		{"Threads", "_number_of_threads", "int", 1, 0, &static_int},
		{NULL, NULL, NULL, 0, 0, NULL},
		{"After", "_terminator", "int", 0, 1, NULL},
	};
	static const trow t[] = {{"int", 4}, {"CodeBlob", 64}, {NULL, 0}};
	static const irow i[] = {{"frame::entry_frame_call_wrapper_offset", -6}, {NULL, 0}};
	ag_vms v = tables(s, t, i);
	ag_vms_field f;
	assert_true(ag_vms_field_of(&v, "CodeBlob", "_frame_size", &f));
	assert_false(f.is_static);
	assert_int_equal(f.offset, 44);
	assert_string_equal(f.type, "int");
	assert_true(ag_vms_field_of(&v, "Threads", "_number_of_threads", &f));
	assert_true(f.is_static);
	assert_ptr_equal(f.address, &static_int);
	assert_false(ag_vms_field_of(&v, "CodeBlob", "_kind", &f));
	assert_false(ag_vms_field_of(&v, "Code", "_frame_size", &f));
	assert_false(ag_vms_field_of(&v, "After", "_terminator", &f)); /* past the end row */
	uint64_t size = 0;
	assert_true(ag_vms_type_size(&v, "CodeBlob", &size));
	assert_int_equal(size, 64);
	assert_false(ag_vms_type_size(&v, "nmethod", &size));
	int32_t value = 0;
	assert_true(ag_vms_int(&v, "frame::entry_frame_call_wrapper_offset", &value));
	assert_int_equal(value, -6);
	assert_false(ag_vms_int(&v, "frame::missing", &value));
	v.ints = NULL;
	assert_false(ag_vms_int(&v, "frame::entry_frame_call_wrapper_offset", &value));
}

/* VM state the static fields point at: a code heap list, the interpreter's stub queue. */
typedef struct fake_array {
	int32_t len, max;
	uintptr_t *data;
} fake_array;

typedef struct fake_queue {
	void *vptr;
	uintptr_t stub_buffer;
	int32_t pad, buffer_limit;
} fake_queue;

static uintptr_t heap_ptrs[3] = {0x1000, 0x2000, 0x3000};
static fake_array heap_array = {3, 3, heap_ptrs};
static fake_array *heaps_static = &heap_array;
static fake_queue queue = {NULL, 0x7000, 0, 0x500};
static fake_queue *interp_static = &queue;
static uintptr_t call_stub_static = 0x9abc;

#define COMMON_ROWS                                                                  \
	{"CodeCache", "_heaps", "GrowableArray<CodeHeap*>*", 1, 0, &heaps_static},        \
	{"GrowableArrayBase", "_len", "int", 0, 0, NULL},                                \
	{"GrowableArray<int>", "_data", "int*", 0, 8, NULL},                              \
	{"VirtualSpace", "_low", "char*", 0, 16, NULL},                                   \
	{"VirtualSpace", "_high", "char*", 0, 24, NULL},                                  \
	{"HeapBlock", "_header", "HeapBlock::Header", 0, 0, NULL},                        \
	{"AbstractInterpreter", "_code", "StubQueue*", 1, 0, &interp_static},             \
	{"StubQueue", "_stub_buffer", "address", 0, 8, NULL},                             \
	{"StubQueue", "_buffer_limit", "int", 0, 20, NULL},                               \
	{"StubRoutines", "_call_stub_return_address", "address", 1, 0, &call_stub_static}, \
	{"CodeBlob", "_frame_size", "int", 0, 44, NULL},                                  \
	{"JavaCallWrapper", "_anchor", "JavaFrameAnchor", 0, 32, NULL},                   \
	{"JavaFrameAnchor", "_last_Java_sp", "intptr_t*", 0, 0, NULL},                    \
	{"JavaFrameAnchor", "_last_Java_pc", "address", 0, 8, NULL},                      \
	{"JavaFrameAnchor", "_last_Java_fp", "intptr_t*", 0, 16, NULL}

#define COMMON_TYPES {"int", 4}, {"address", 8}, {"bool", 1}, {"int16_t", 2}, {"uint32_t", 4}, \
	{"size_t", 8}, {"JavaFrameAnchor", 24}, {"VirtualSpace", 112}

/* As JDK 17 describes itself: absolute code bounds, blobs told apart by name. */
static const srow jdk17_rows[] = {
	COMMON_ROWS,
	{"CodeHeap", "_memory", "VirtualSpace", 0, 8, NULL},
	{"CodeHeap", "_segmap", "VirtualSpace", 0, 120, NULL},
	{"CodeHeap", "_log2_segment_size", "int", 0, 256, NULL},
	{"HeapBlock::Header", "_used", "bool", 0, 8, NULL},
	{"CodeBlob", "_name", "const char*", 0, 96, NULL},
	{"CodeBlob", "_frame_complete_offset", "int", 0, 20, NULL},
	{"CodeBlob", "_code_begin", "address", 0, 32, NULL},
	{"CodeBlob", "_code_end", "address", 0, 40, NULL},
	{"CompiledMethod", "_method", "Method*", 0, 112, NULL},
	{"nmethod", "_comp_level", "int", 0, 308, NULL},
	{"JavaThread", "_anchor", "JavaFrameAnchor", 0, 656, NULL},
	{"JavaThread", "_stack_base", "address", 0, 592, NULL},
	{"JavaThread", "_stack_size", "size_t", 0, 600, NULL},
	{NULL, NULL, NULL, 0, 0, NULL},
};
static const trow jdk17_types[] = {COMMON_TYPES, {"HeapBlock", 16}, {NULL, 0}};
static const irow jdk17_ints[] = {
	{"frame::entry_frame_call_wrapper_offset", -6},
	{"frame::interpreter_frame_sender_sp_offset", -1},
	{NULL, 0},
};

/* As JDK 25 does: code bounds as offsets, a kind byte, nmethod::_method, a one-byte CompLevel. */
static const srow jdk25_rows[] = {
	COMMON_ROWS,
	{"CodeHeap", "_memory", "VirtualSpace", 0, 0, NULL},
	{"CodeHeap", "_segmap", "VirtualSpace", 0, 112, NULL},
	{"CodeHeap", "_log2_segment_size", "int", 0, 248, NULL},
	{"HeapBlock::Header", "_used", "bool", 0, 4, NULL},
	{"CodeBlob", "_name", "const char*", 0, 8, NULL},
	{"CodeBlob", "_kind", "CodeBlobKind", 0, 56, NULL},
	{"CodeBlob", "_frame_complete_offset", "int16_t", 0, 54, NULL},
	{"CodeBlob", "_code_offset", "int", 0, 36, NULL},
	{"CodeBlob", "_data_offset", "int", 0, 40, NULL},
	{"nmethod", "_method", "Method*", 0, 80, NULL},
	{"nmethod", "_comp_level", "CompLevel", 0, 216, NULL},
	{"JavaThread", "_anchor", "JavaFrameAnchor", 0, 1152, NULL},
	{"JavaThread", "_stack_base", "address", 0, 1048, NULL},
	{"JavaThread", "_stack_size", "size_t", 0, 1056, NULL},
	{NULL, NULL, NULL, 0, 0, NULL},
};
static const trow jdk25_types[] = {COMMON_TYPES, {"HeapBlock", 8}, {"CodeBlobKind", 1}, {"CompLevel", 1}, {NULL, 0}};
static const irow jdk25_ints[] = {
	{"CodeBlobKind::Nmethod", 1},
	{"frame::entry_frame_call_wrapper_offset", -6},
	{"frame::interpreter_frame_sender_sp_offset", -1},
	{NULL, 0},
};

static void check_common(const ag_hs *hs)
{
	assert_int_equal(hs->nheaps, 3);
	assert_int_equal(hs->heaps[0], 0x1000);
	assert_int_equal(hs->heaps[2], 0x3000);
	assert_int_equal(hs->interp_lo, 0x7000);
	assert_int_equal(hs->interp_hi, 0x7500);
	assert_int_equal(hs->call_stub_return, 0x9abc);
	assert_int_equal(hs->vs_low.off, 16);
	assert_int_equal(hs->vs_high.size, 8);
	assert_int_equal(hs->cb_frame_size.off, 44);
	assert_int_equal(hs->cb_frame_size.size, 4);
	assert_int_equal(hs->wrapper_anchor.off, 32);
	assert_int_equal(hs->anchor_fp.off, 16);
	assert_int_equal(hs->entry_wrapper_slot, -6);
	assert_int_equal(hs->interp_sender_sp_slot, -1);
	assert_int_equal(hs->interp_method_slot, -3);
}

static void test_resolve_jdk17_layout(void **state)
{
	(void)state;
	ag_vms v = tables(jdk17_rows, jdk17_types, jdk17_ints);
	ag_hs hs;
	char why[128] = "";
	assert_true(ag_hs_resolve(&v, &hs, why, sizeof(why)));
	check_common(&hs);
	assert_int_equal(hs.heap_memory.off, 8);
	assert_int_equal(hs.heap_segmap.off, 120);
	assert_int_equal(hs.block_size, 16);
	assert_int_equal(hs.block_used.off, 8);
	assert_int_equal(hs.block_used.size, 1);
	assert_int_equal(hs.cb_kind.size, 0); /* by name */
	assert_int_equal(hs.cb_name.off, 96);
	assert_int_equal(hs.cb_code_begin.off, 32);
	assert_int_equal(hs.cb_code_end.off, 40);
	assert_int_equal(hs.cb_code_offset.size, 0);
	assert_int_equal(hs.nm_method.off, 112); /* from CompiledMethod */
	assert_int_equal(hs.nm_level.size, 4);
	assert_int_equal(hs.cb_frame_complete.size, 4);
	assert_int_equal(hs.jt_anchor.off, 656);
	assert_int_equal(hs.jt_stack_base.off, 592);
}

static void test_resolve_jdk25_layout(void **state)
{
	(void)state;
	ag_vms v = tables(jdk25_rows, jdk25_types, jdk25_ints);
	ag_hs hs;
	char why[128] = "";
	assert_true(ag_hs_resolve(&v, &hs, why, sizeof(why)));
	check_common(&hs);
	assert_int_equal(hs.heap_memory.off, 0);
	assert_int_equal(hs.block_size, 8);
	assert_int_equal(hs.block_used.off, 4);
	assert_int_equal(hs.cb_kind.off, 56);
	assert_int_equal(hs.cb_kind.size, 1);
	assert_int_equal(hs.kind_nmethod, 1);
	assert_int_equal(hs.cb_code_offset.off, 36);
	assert_int_equal(hs.cb_data_offset.off, 40);
	assert_int_equal(hs.cb_frame_complete.size, 2);
	assert_int_equal(hs.nm_method.off, 80);
	assert_int_equal(hs.nm_level.off, 216);
	assert_int_equal(hs.nm_level.size, 1);
	assert_int_equal(hs.jt_stack_base.off, 1048);
	assert_int_equal(hs.jt_stack_size.off, 1056);
	assert_int_equal(hs.jt_stack_size.size, 8);
}

/* Each required entry, removed in turn, makes resolution fail with a reason. */
static void test_resolve_needs_every_entry(void **state)
{
	(void)state;
	size_t rows = sizeof(jdk25_rows) / sizeof(jdk25_rows[0]) - 1;
	srow copy[sizeof(jdk25_rows) / sizeof(jdk25_rows[0])];
	for (size_t drop = 0; drop < rows; drop++) {
		size_t n = 0;
		for (size_t r = 0; r <= rows; r++)
			if (r != drop)
				copy[n++] = jdk25_rows[r];
		ag_vms v = tables(copy, jdk25_types, jdk25_ints);
		ag_hs hs;
		char why[128] = "";
		bool ok = ag_hs_resolve(&v, &hs, why, sizeof(why));
		/* A blob's kind or its name: either tells nmethods apart. */
		if (strcmp(jdk25_rows[drop].field, "_name") == 0 || strcmp(jdk25_rows[drop].field, "_kind") == 0) {
			assert_true(ok);
			continue;
		}
		if (ok)
			fail_msg("resolved without %s::%s", jdk25_rows[drop].type, jdk25_rows[drop].field);
		assert_true(strlen(why) > 0);
	}
	/* No call wrapper offset constant: no walking across entry frames. */
	static const irow no_ints[] = {{NULL, 0}};
	ag_vms v = tables(jdk25_rows, jdk25_types, no_ints);
	ag_hs hs;
	char why[128] = "";
	assert_false(ag_hs_resolve(&v, &hs, why, sizeof(why)));
	assert_non_null(strstr(why, "entry_frame_call_wrapper_offset"));
}

static void test_resolve_rejects_empty_code_cache(void **state)
{
	(void)state;
	ag_vms v = tables(jdk17_rows, jdk17_types, jdk17_ints);
	ag_hs hs;
	char why[128] = "";
	heap_array.len = 0;
	bool ok = ag_hs_resolve(&v, &hs, why, sizeof(why));
	heap_array.len = 3;
	assert_false(ok);
	queue.buffer_limit = 0;
	ok = ag_hs_resolve(&v, &hs, why, sizeof(why));
	queue.buffer_limit = 0x500;
	assert_false(ok);
	assert_non_null(strstr(why, "interpreter"));
}

/* ---------------- the physical walk over a synthetic VM ---------------- */

/*
 * A code heap, an interpreter, a call stub and one thread's stack laid out
 * as the JDK 25 tables above describe them (64-byte segments), so the walk
 * runs on memory built here.
 */
#define SEG 64
#define SEGS 64
static _Alignas(64) uint8_t code[SEG * SEGS];
static uint8_t segmap[SEGS];
static _Alignas(8) uint8_t code_heap[336];
static uint8_t interp_code[256];
static uint8_t call_stub_code[16];
static _Alignas(16) uintptr_t stack[256];
static _Alignas(8) uint8_t thread[2048];
#define M_A 0x1a0
#define M_C 0x1c0
#define M_I 0x1e0
#define M_J 0x1f0

static void put(void *base, size_t off, const void *v, size_t n)
{
	memcpy((uint8_t *)base + off, v, n);
}

static void put_word(void *base, size_t off, uintptr_t v)
{
	put(base, off, &v, sizeof(v));
}

/* A blob in segments first..first+n-1; returns its code's start. */
static uintptr_t blob(uint32_t first, uint32_t n, uint8_t kind, int32_t frame_words, int16_t complete,
	uintptr_t method, int8_t level)
{
	uint8_t *block = code + first * SEG;
	uint32_t len = n;
	uint8_t used = 1;
	put(block, 0, &len, 4);
	put(block, 4, &used, 1);
	for (uint32_t i = 0; i < n; i++)
		segmap[first + i] = (uint8_t)i;
	uint8_t *b = block + 8; /* sizeof(HeapBlock) */
	int32_t code_off = 0x100, data_off = (int32_t)(n * SEG - 8);
	put(b, 36, &code_off, 4);
	put(b, 40, &data_off, 4);
	put(b, 44, &frame_words, 4);
	put(b, 54, &complete, 2);
	put(b, 56, &kind, 1);
	put_word(b, 80, method);
	put(b, 216, &level, 1);
	return (uintptr_t)b + 0x100;
}

static ag_hs synthetic_vm(uintptr_t *a_code, uintptr_t *stub_code, uintptr_t *c_code)
{
	memset(code, 0, sizeof(code));
	memset(segmap, 0xff, sizeof(segmap));
	memset(thread, 0, sizeof(thread));
	memset(stack, 0, sizeof(stack));
	*a_code = blob(0, 8, 1, 4, 0x10, M_A, 4); /* nmethod of A, C2 */
	*stub_code = blob(16, 8, 6, 2, 0, 0, 0); /* a runtime stub */
	*c_code = blob(32, 8, 1, 3, 0x10, M_C, 2); /* nmethod of C, C1 */
	put_word(code_heap, 0 + 16, (uintptr_t)code); /* _memory._low */
	put_word(code_heap, 0 + 24, (uintptr_t)code + sizeof(code)); /* _memory._high */
	put_word(code_heap, 112 + 16, (uintptr_t)segmap);
	put_word(code_heap, 112 + 24, (uintptr_t)segmap + sizeof(segmap));
	int32_t log2 = 6;
	put(code_heap, 248, &log2, 4);
	static uintptr_t heap_list[1];
	heap_list[0] = (uintptr_t)code_heap;
	static fake_array one_heap = {1, 1, heap_list};
	static fake_queue interp;
	interp = (fake_queue){NULL, (uintptr_t)interp_code, 0, sizeof(interp_code)};
	heaps_static = &one_heap;
	interp_static = &interp;
	call_stub_static = (uintptr_t)call_stub_code + 4;
	ag_vms v = tables(jdk25_rows, jdk25_types, jdk25_ints);
	ag_hs hs;
	char why[128] = "";
	bool ok = ag_hs_resolve(&v, &hs, why, sizeof(why));
	heaps_static = &heap_array;
	interp_static = &queue;
	call_stub_static = 0x9abc;
	if (!ok)
		fail_msg("%s", why);
	put_word(thread, 1048, (uintptr_t)&stack[256]); /* _stack_base */
	put_word(thread, 1056, sizeof(stack)); /* _stack_size */
	return hs;
}

#define AT(i) ((uintptr_t)&stack[i])

/*
 * compiled A (top) <- interpreted I <- runtime stub <- compiled C <- entry
 * frame whose JavaCallWrapper saved an anchor at interpreted J <- entry
 * frame of the thread's first call.
 */
static void build_stack(uintptr_t stub_code, uintptr_t c_code)
{
	uintptr_t call_stub = (uintptr_t)call_stub_code + 4;
	/* A: usp 10, 4 words: return pc at 13, saved fp at 12 */
	stack[13] = (uintptr_t)interp_code + 40;
	stack[12] = AT(20);
	/* I: fp 20: method at fp-3, sender sp at fp-1, return at fp+1, link at fp */
	stack[17] = M_I;
	stack[19] = AT(30);
	stack[21] = stub_code + 8;
	stack[20] = AT(40);
	/* stub: usp 30, 2 words: return at 31 */
	stack[31] = c_code + 0x40;
	/* C: usp 32, 3 words: return into the call stub at 34, entry frame fp at 33 */
	stack[34] = call_stub;
	stack[33] = AT(50);
	/* entry frame: the JavaCallWrapper* at fp-6, its anchor at +32 */
	stack[44] = AT(60);
	stack[64] = AT(80); /* last_Java_sp */
	stack[65] = (uintptr_t)interp_code + 80; /* last_Java_pc */
	stack[66] = AT(90); /* last_Java_fp */
	/* J: fp 90 */
	stack[87] = M_J;
	stack[89] = AT(100);
	stack[91] = call_stub;
	stack[90] = AT(110);
	/* the first entry frame: its wrapper's anchor is empty */
	stack[104] = AT(120);
	stack[124] = 0;
}

static void test_walk_synthetic_stack(void **state)
{
	(void)state;
	uintptr_t a, stub, c;
	ag_hs hs = synthetic_vm(&a, &stub, &c);
	build_stack(stub, c);
	ag_pframe out[16];
	int n = ag_ft_walk(&hs, (uintptr_t)thread, a + 0x20, AT(10), 0xdead, out, 16);
	assert_int_equal(n, 4);
	assert_int_equal(out[0].kind, AG_PF_COMPILED);
	assert_int_equal(out[0].method, M_A);
	assert_int_equal(out[0].level, 4);
	assert_int_equal(out[1].kind, AG_PF_INTERPRETED);
	assert_int_equal(out[1].method, M_I);
	assert_int_equal(out[2].kind, AG_PF_COMPILED); /* the stub is stepped over */
	assert_int_equal(out[2].method, M_C);
	assert_int_equal(out[2].level, 2);
	assert_int_equal(out[3].kind, AG_PF_INTERPRETED);
	assert_int_equal(out[3].method, M_J);
	/* Fewer frames allowed than there are: the walk fails rather than stop early. */
	assert_int_equal(ag_ft_walk(&hs, (uintptr_t)thread, a + 0x20, AT(10), 0, out, 3), -1);
}

static void test_walk_starts(void **state)
{
	(void)state;
	uintptr_t a, stub, c;
	ag_hs hs = synthetic_vm(&a, &stub, &c);
	build_stack(stub, c);
	ag_pframe out[16];
	/* In A's prologue (before frame_complete_offset): not walkable. */
	assert_int_equal(ag_ft_walk(&hs, (uintptr_t)thread, a + 0x08, AT(10), 0, out, 16), -2);
	/* Outside any code with no usable frame pointer: not Java. */
	assert_int_equal(ag_ft_walk(&hs, (uintptr_t)thread, (uintptr_t)&out, AT(10), 0, out, 16), -2);
	/* Leaf native code entered from A keeps a frame pointer chain back into it. */
	stack[6] = AT(20); /* the native frame's saved fp */
	stack[7] = a + 0x30; /* its return address into A */
	stack[9] = 0;
	/* A's frame then starts at fp + 16 = stack[8]: shift A's words down by 2. */
	stack[11] = stack[13];
	stack[10] = stack[12];
	/* With a 4-word frame from stack[8], its return address is at stack[11]. */
	int n = ag_ft_walk(&hs, (uintptr_t)thread, (uintptr_t)&out, AT(4), AT(6), out, 16);
	assert_int_equal(n, 4);
	assert_int_equal(out[0].method, M_A);
	assert_int_equal(out[1].method, M_I);
	/* A thread outside Java: the walk starts at its frame anchor, whatever the context says. */
	build_stack(stub, c);
	put_word(thread, 1152 + 0, AT(30)); /* sp: the stub's frame */
	put_word(thread, 1152 + 8, stub + 8);
	put_word(thread, 1152 + 16, 0);
	n = ag_ft_walk(&hs, (uintptr_t)thread, a + 0x20, AT(2), 0, out, 16);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].method, M_C);
	assert_int_equal(out[1].method, M_J);
	/* An anchor without a pc is not walkable. */
	put_word(thread, 1152 + 8, 0);
	assert_int_equal(ag_ft_walk(&hs, (uintptr_t)thread, a + 0x20, AT(2), 0, out, 16), -2);
	put_word(thread, 1152 + 0, 0);
	/* A stack pointer outside the thread's stack: not walked. */
	uintptr_t elsewhere[4];
	assert_int_equal(ag_ft_walk(&hs, (uintptr_t)thread, a + 0x20, (uintptr_t)elsewhere, 0, out, 16), -1);
}

static void test_walk_rejects_bad_frames(void **state)
{
	(void)state;
	uintptr_t a, stub, c;
	ag_hs hs = synthetic_vm(&a, &stub, &c);
	ag_pframe out[16];
	/* A return address into nowhere. */
	build_stack(stub, c);
	stack[31] = 0x10;
	assert_int_equal(ag_ft_walk(&hs, (uintptr_t)thread, a + 0x20, AT(10), 0, out, 16), -1);
	/* An interpreted frame whose sender lies below it. */
	build_stack(stub, c);
	stack[19] = AT(15);
	assert_int_equal(ag_ft_walk(&hs, (uintptr_t)thread, a + 0x20, AT(10), 0, out, 16), -1);
	/* A frame link pointing past the stack base. */
	build_stack(stub, c);
	stack[12] = AT(256) + 64;
	assert_int_equal(ag_ft_walk(&hs, (uintptr_t)thread, a + 0x20, AT(10), 0, out, 16), -1);
	/* A freed block in the code heap. */
	build_stack(stub, c);
	code[32 * SEG + 4] = 0;
	assert_int_equal(ag_ft_walk(&hs, (uintptr_t)thread, a + 0x20, AT(10), 0, out, 16), -1);
	/* A pc in a blob's header, outside its code. */
	build_stack(stub, c);
	code[32 * SEG + 4] = 1;
	stack[31] = (uintptr_t)code + 32 * SEG + 16;
	assert_int_equal(ag_ft_walk(&hs, (uintptr_t)thread, a + 0x20, AT(10), 0, out, 16), -1);
}

/* ---------------- fitting physical to virtual frames ---------------- */

/* In these tests a frame's "jmethodID" is the Method* itself. */
static uintptr_t method_of(const ag_frame *f)
{
	return (uintptr_t)f->method;
}

#define A 0xa0
#define B 0xb0
#define C 0xc0
#define F 0xf0
#define N 0xe0 /* a native method */
#define MAIN 0x10

static ag_frame vf(uintptr_t method, int32_t bci)
{
	return (ag_frame){.bci = bci, .method = (void *)method};
}

static ag_pframe interp(uintptr_t m)
{
	return (ag_pframe){.method = m, .kind = AG_PF_INTERPRETED};
}

static ag_pframe compiled(uintptr_t m, int level)
{
	return (ag_pframe){.method = m, .kind = AG_PF_COMPILED, .level = (int8_t)level};
}

static ag_ft_result fit(const ag_pframe *p, uint32_t np, ag_frame *v, uint32_t nv, int *types)
{
	uint16_t first[16], last[16], work[32];
	int32_t bcis[16];
	for (uint32_t i = 0; i < nv; i++)
		bcis[i] = v[i].bci;
	ag_ft_result r = ag_ft_match(p, np, v, nv, method_of, first, last, work);
	if (r != AG_FT_TYPED)
		return r;
	ag_ft_apply(p, np, v, first, last);
	for (uint32_t i = 0; i < nv; i++) {
		types[i] = ag_bci_type(v[i].bci);
		/* The bci itself survives. */
		assert_int_equal(ag_bci_value(v[i].bci), bcis[i]);
	}
	return r;
}

static void test_interpreted_frames(void **state)
{
	(void)state;
	ag_frame v[] = {vf(A, 5), vf(B, 12), vf(MAIN, 0)};
	ag_pframe p[] = {interp(A), interp(B), interp(MAIN)};
	int t[3];
	assert_int_equal(fit(p, 3, v, 3, t), AG_FT_TYPED);
	assert_int_equal(t[0], AG_FRAME_INTERPRETED);
	assert_int_equal(t[1], AG_FRAME_INTERPRETED);
	assert_int_equal(t[2], AG_FRAME_INTERPRETED);
}

static void test_inlined_into_compiled(void **state)
{
	(void)state;
	/* A and B inlined into C (C2), called from interpreted MAIN. */
	ag_frame v[] = {vf(A, 3), vf(B, 7), vf(C, 20), vf(MAIN, 4)};
	ag_pframe p[] = {compiled(C, 4), interp(MAIN)};
	int t[4];
	assert_int_equal(fit(p, 2, v, 4, t), AG_FT_TYPED);
	assert_int_equal(t[0], AG_FRAME_INLINED);
	assert_int_equal(t[1], AG_FRAME_INLINED);
	assert_int_equal(t[2], AG_FRAME_JIT);
	assert_int_equal(t[3], AG_FRAME_INTERPRETED);
}

static void test_c1_levels(void **state)
{
	(void)state;
	for (int level = 1; level <= 4; level++) {
		ag_frame v[] = {vf(A, 1), vf(B, 2)};
		ag_pframe p[] = {compiled(A, level), compiled(B, 0)};
		int t[2];
		assert_int_equal(fit(p, 2, v, 2, t), AG_FT_TYPED);
		assert_int_equal(t[0], level <= 3 ? AG_FRAME_C1 : AG_FRAME_JIT);
		assert_int_equal(t[1], AG_FRAME_JIT);
	}
}

static void test_native_methods(void **state)
{
	(void)state;
	/* A native method in a compiled wrapper, and one run by the interpreter. */
	ag_frame v1[] = {vf(N, -3), vf(A, 9), vf(MAIN, 1)};
	ag_pframe p1[] = {compiled(N, 0), compiled(A, 4), interp(MAIN)};
	int t[3];
	assert_int_equal(fit(p1, 3, v1, 3, t), AG_FT_TYPED);
	assert_int_equal(t[0], AG_FRAME_NATIVE);
	assert_int_equal(t[1], AG_FRAME_JIT);
	assert_int_equal(t[2], AG_FRAME_INTERPRETED);
	ag_frame v2[] = {vf(N, -3), vf(MAIN, 1)};
	ag_pframe p2[] = {interp(N), interp(MAIN)};
	assert_int_equal(fit(p2, 2, v2, 2, t), AG_FT_TYPED);
	assert_int_equal(t[0], AG_FRAME_NATIVE);
	assert_int_equal(ag_bci_value(v2[0].bci), -3);
	/* A native method is never inlined: it cannot sit inside a compiled frame. */
	ag_frame v3[] = {vf(N, -3), vf(A, 2), vf(MAIN, 1)};
	ag_pframe p3[] = {compiled(A, 4), interp(MAIN)};
	assert_int_equal(fit(p3, 2, v3, 3, t), AG_FT_MISMATCH);
}

static void test_recursion_resolved_by_backtracking(void **state)
{
	(void)state;
	/* F inlined into F; the earliest end (the first F) leaves B facing an F: back up. */
	ag_frame v[] = {vf(F, 1), vf(F, 2), vf(B, 3), vf(MAIN, 4)};
	ag_pframe p[] = {compiled(F, 4), interp(B), interp(MAIN)};
	int t[4];
	assert_int_equal(fit(p, 3, v, 4, t), AG_FT_TYPED);
	assert_int_equal(t[0], AG_FRAME_INLINED);
	assert_int_equal(t[1], AG_FRAME_JIT);
	assert_int_equal(t[2], AG_FRAME_INTERPRETED);
	assert_int_equal(t[3], AG_FRAME_INTERPRETED);
}

static void test_ambiguous_recursion_left_untyped(void **state)
{
	(void)state;
	/* Two compiled F frames over three F activations: 1+2 or 2+1 inlined. */
	ag_frame v[] = {vf(F, 1), vf(F, 1), vf(F, 1), vf(MAIN, 0)};
	ag_frame before[4];
	memcpy(before, v, sizeof(v));
	ag_pframe p[] = {compiled(F, 4), compiled(F, 4), interp(MAIN)};
	int t[4];
	assert_int_equal(fit(p, 3, v, 4, t), AG_FT_AMBIGUOUS);
	assert_memory_equal(v, before, sizeof(v)); /* untouched */
}

static void test_mismatches(void **state)
{
	(void)state;
	int t[4];
	/* Wrong method. */
	ag_frame v1[] = {vf(A, 1), vf(MAIN, 0)};
	ag_pframe p1[] = {interp(B), interp(MAIN)};
	assert_int_equal(fit(p1, 2, v1, 2, t), AG_FT_MISMATCH);
	/* More physical frames than virtual ones. */
	ag_pframe p2[] = {interp(A), interp(MAIN), interp(MAIN)};
	assert_int_equal(fit(p2, 3, v1, 2, t), AG_FT_MISMATCH);
	/* Virtual frames left over at the bottom. */
	ag_frame v3[] = {vf(A, 1), vf(MAIN, 0), vf(C, 0)};
	ag_pframe p3[] = {interp(A), interp(MAIN)};
	assert_int_equal(fit(p3, 2, v3, 3, t), AG_FT_MISMATCH);
	/* A walk that started below AsyncGetCallTrace's top frame. */
	ag_frame v4[] = {vf(A, 1), vf(B, 1), vf(MAIN, 0)};
	ag_pframe p4[] = {interp(B), interp(MAIN)};
	assert_int_equal(fit(p4, 2, v4, 3, t), AG_FT_MISMATCH);
	/* No frames. */
	assert_int_equal(fit(p4, 0, v4, 3, t), AG_FT_MISMATCH);
}

static void test_deep_recursion(void **state)
{
	(void)state;
	/* 1000 activations of F in 10 compiled frames: many fits. */
	static ag_frame v[1001];
	static ag_pframe p[11];
	static uint16_t first[1001], last[1001], work[2002];
	for (int i = 0; i < 1000; i++)
		v[i] = vf(F, 1);
	for (int i = 0; i < 10; i++)
		p[i] = compiled(F, 4);
	assert_int_equal(ag_ft_match(p, 10, v, 1000, method_of, first, last, work), AG_FT_AMBIGUOUS);
	/* No fit at all, and exponentially many partial ones: the search budget ends it. */
	v[1000] = vf(MAIN, 0);
	p[10] = interp(B);
	assert_int_not_equal(ag_ft_match(p, 11, v, 1001, method_of, first, last, work), AG_FT_TYPED);
}

/* A deep stack of distinct methods, two inlined frames per compiled one: typed within the budget. */
static void test_deep_stack_is_linear(void **state)
{
	(void)state;
	static ag_frame v[2040];
	static ag_pframe p[680];
	static uint16_t first[2040], last[2040], work[4080];
	for (uint32_t k = 0; k < 680; k++) {
		for (uint32_t i = 0; i < 3; i++)
			v[3 * k + i] = vf(0x1000 + 3 * k + i, (int32_t)i);
		p[k] = k % 5 == 4 ? interp(0x1000 + 3 * k + 2) : compiled(0x1000 + 3 * k + 2, 4);
	}
	/* Interpreted frames take one virtual frame: drop the other two of theirs. */
	uint32_t nv = 0;
	for (uint32_t k = 0; k < 680; k++)
		for (uint32_t i = 0; i < 3; i++)
			if (p[k].kind == AG_PF_COMPILED || i == 2)
				v[nv++] = vf(0x1000 + 3 * k + i, (int32_t)i);
	assert_int_equal(ag_ft_match(p, 680, v, nv, method_of, first, last, work), AG_FT_TYPED);
	assert_int_equal(first[0], 0);
	assert_int_equal(last[0], 2);
	assert_int_equal(first[4], 12);
	assert_int_equal(last[4], 12);
	assert_int_equal(last[679], nv - 1);
}

/* The number of valid fits of p to v by brute force (counting stops at 2). */
static int brute_fits(const ag_pframe *p, uint32_t np, const ag_frame *v, uint32_t nv, uint32_t k,
	uint32_t s, uint16_t *end, uint16_t *found)
{
	if (k == np)
		return s == nv;
	int n = 0;
	for (uint32_t e = s; e < nv; e++) {
		if (method_of(&v[e]) != p[k].method)
			continue;
		bool ok = e == s || p[k].kind == AG_PF_COMPILED;
		for (uint32_t i = s; ok && i <= e; i++)
			if (v[i].bci == -3 && e != s)
				ok = false;
		if (!ok)
			continue;
		end[k] = (uint16_t)e;
		int m = brute_fits(p, np, v, nv, k + 1, e + 1, end, found);
		/* The last frame's call sees each complete fit: keep it (used when it is the only one). */
		if (m && k + 1 == np)
			memcpy(found, end, np * sizeof(*end));
		n += m;
		if (n >= 2)
			return n;
	}
	return n;
}

/* Random small stacks with recursion and native frames: the searches agree with brute force. */
static void test_matches_brute_force(void **state)
{
	(void)state;
	static const uintptr_t alphabet[] = {A, B, F, N};
	uint32_t seed = 12345;
	int typed = 0, ambiguous = 0, mismatched = 0;
	for (int round = 0; round < 20000; round++) {
		ag_frame v[9];
		ag_pframe p[9];
		uint32_t nv = 1 + (seed = seed * 1103515245u + 12345u) / 65536 % 8;
		for (uint32_t i = 0; i < nv; i++) {
			uintptr_t m = alphabet[(seed = seed * 1103515245u + 12345u) / 65536 % 4];
			v[i] = vf(m, m == N ? -3 : (int32_t)i);
		}
		/* Physical frames from a random partition, sometimes disturbed. */
		uint32_t np = 0;
		for (uint32_t i = 0; i < nv;) {
			uint32_t len = 1 + (seed = seed * 1103515245u + 12345u) / 65536 % 3;
			if (i + len > nv)
				len = nv - i;
			uint32_t e = i + len - 1;
			bool comp = len > 1 || (seed = seed * 1103515245u + 12345u) / 65536 % 2;
			p[np++] = comp ? compiled(method_of(&v[e]), 4) : interp(method_of(&v[e]));
			i = e + 1;
		}
		if ((seed = seed * 1103515245u + 12345u) / 65536 % 4 == 0)
			p[(seed / 65536) % np].method = alphabet[(seed / 256) % 4];
		uint16_t end[10], found[10] = {0};
		int n = brute_fits(p, np, v, nv, 0, 0, end, found);
		uint16_t first[9], last[9], work[18];
		ag_ft_result r = ag_ft_match(p, np, v, nv, method_of, first, last, work);
		if (n == 0) {
			assert_int_equal(r, AG_FT_MISMATCH);
			mismatched++;
		} else if (n >= 2) {
			assert_int_equal(r, AG_FT_AMBIGUOUS);
			ambiguous++;
		} else {
			assert_int_equal(r, AG_FT_TYPED);
			for (uint32_t k = 0; k < np; k++) {
				assert_int_equal(last[k], found[k]);
				assert_int_equal(first[k], k ? found[k - 1] + 1 : 0);
			}
			typed++;
		}
	}
	/* The generator reaches all three outcomes often. */
	print_message("%d typed, %d ambiguous, %d mismatched\n", typed, ambiguous, mismatched);
	assert_true(typed > 1000 && ambiguous > 1000 && mismatched > 1000);
}

/* ---------------- without VMStructs ---------------- */

/* No libjvm in this process: the tables are missing, frame types stay off and stacks untouched. */
static void test_without_vmstructs(void **state)
{
	(void)state;
	ag_vms v;
	char why[128] = "";
	assert_false(ag_vms_from_jvm(&v, why, sizeof(why)));
	assert_non_null(strstr(why, "gHotSpotVMStructs"));
	snprintf(ag_jvm.java_version, sizeof(ag_jvm.java_version), "17.0.15");
	ag_ft_init();
	assert_false(ag_ft_enabled());
	uint64_t before[AG_FT_RESULTS], after[AG_FT_RESULTS];
	ag_ft_counts(before, false);
	ag_frame v1[] = {vf(A, 5), vf(MAIN, 0)};
	ag_frame copy[2];
	memcpy(copy, v1, sizeof(v1));
	static ag_ft_scratch scratch;
	assert_int_equal(ag_ft_classify((void *)thread, NULL, v1, 2, false, &scratch), AG_FT_DISABLED);
	assert_int_equal(ag_ft_classify_current((void *)thread, v1, 2, false), AG_FT_DISABLED);
	assert_memory_equal(v1, copy, sizeof(v1));
	ag_ft_counts(after, false);
	assert_int_equal(after[AG_FT_DISABLED] - before[AG_FT_DISABLED], 2);
	assert_int_equal(after[AG_FT_TYPED], before[AG_FT_TYPED]);
}

/* ---------------- the type in the bci ---------------- */

static void test_bci_encoding(void **state)
{
	(void)state;
	static const int32_t bcis[] = {0, 1, 17, 65535, -1, -3, 0x7fffff, -0x800000};
	for (size_t i = 0; i < sizeof(bcis) / sizeof(bcis[0]); i++) {
		assert_int_equal(ag_bci_type(bcis[i]), -1); /* plain values are untyped */
		assert_int_equal(ag_bci_value(bcis[i]), bcis[i]);
		for (int type = 0; type < AG_FRAME_TYPES; type++) {
			int32_t v = ag_bci_with_type(bcis[i], type);
			assert_int_equal(ag_bci_type(v), type);
			assert_int_equal(ag_bci_value(v), bcis[i]);
		}
	}
	/* Different types make different frames (and so different stored stacks). */
	assert_int_not_equal(ag_bci_with_type(5, AG_FRAME_JIT), ag_bci_with_type(5, AG_FRAME_INLINED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vms_lookups),
		cmocka_unit_test(test_resolve_jdk17_layout),
		cmocka_unit_test(test_resolve_jdk25_layout),
		cmocka_unit_test(test_resolve_needs_every_entry),
		cmocka_unit_test(test_resolve_rejects_empty_code_cache),
		cmocka_unit_test(test_walk_synthetic_stack),
		cmocka_unit_test(test_walk_starts),
		cmocka_unit_test(test_walk_rejects_bad_frames),
		cmocka_unit_test(test_interpreted_frames),
		cmocka_unit_test(test_inlined_into_compiled),
		cmocka_unit_test(test_c1_levels),
		cmocka_unit_test(test_native_methods),
		cmocka_unit_test(test_recursion_resolved_by_backtracking),
		cmocka_unit_test(test_ambiguous_recursion_left_untyped),
		cmocka_unit_test(test_mismatches),
		cmocka_unit_test(test_deep_recursion),
		cmocka_unit_test(test_deep_stack_is_linear),
		cmocka_unit_test(test_matches_brute_force),
		cmocka_unit_test(test_without_vmstructs),
		cmocka_unit_test(test_bci_encoding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
