/*
 * Native stacks of non-Java threads: the frame-pointer walk over a stack
 * laid out by hand (followed exactly, stopped where the chain leaves the
 * copied stack, bounded by the depth), and the naming of code addresses
 * through the process's mappings and ELF symbol tables, including a
 * library loaded after the mappings were first read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <search.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <ucontext.h>

#include "native_stack.h"
#include "native_symbols.h"
#include "symbols.h"

#define WORDS 8192 /* 64 KiB: the walker copies up to 32 KiB above sp */

/* A context whose stack is `stack` and whose frame chain starts at word `fp_at`. */
static ucontext_t context_on(uint64_t *stack, size_t fp_at, uintptr_t pc)
{
	ucontext_t uc;
	memset(&uc, 0, sizeof(uc));
	uc.uc_mcontext.gregs[REG_RIP] = (greg_t)pc;
	uc.uc_mcontext.gregs[REG_RSP] = (greg_t)(uintptr_t)stack;
	uc.uc_mcontext.gregs[REG_RBP] = (greg_t)(uintptr_t)&stack[fp_at];
	return uc;
}

/* A frame record at word `at`: the caller's fp, then the return address. */
static void frame_at(uint64_t *stack, size_t at, uint64_t *next, uintptr_t ret)
{
	stack[at] = (uint64_t)(uintptr_t)next;
	stack[at + 1] = ret;
}

static void test_walk_follows_the_frame_chain(void **state)
{
	(void)state;
	uint64_t *stack = calloc(WORDS, sizeof(uint64_t));
	assert_non_null(stack);
	frame_at(stack, 10, &stack[40], 0x401000);
	frame_at(stack, 40, &stack[300], 0x402000);
	frame_at(stack, 300, NULL, 0x403000); /* the outermost frame: no caller fp */
	ucontext_t uc = context_on(stack, 10, 0x400500);
	ag_native_stack_enable(true);
	ag_frame f[16];
	assert_int_equal(ag_native_walk(&uc, NULL, f, 16), 4);
	uintptr_t want[] = {0x400500, 0x401000 - 1, 0x402000 - 1, 0x403000 - 1};
	for (int i = 0; i < 4; i++) {
		assert_true(ag_frame_is_native(&f[i]));
		assert_int_equal((uintptr_t)f[i].method, want[i]);
	}
	/* Frames further up are copied a chunk at a time, up to 32 KiB above sp. */
	frame_at(stack, 300, &stack[1500], 0x403000);
	frame_at(stack, 1500, &stack[3500], 0x404000);
	frame_at(stack, 3500, &stack[4500], 0x405000);
	frame_at(stack, 4500, NULL, 0x406000); /* 36 KB up: beyond the window */
	assert_int_equal(ag_native_walk(&uc, NULL, f, 16), 6);
	assert_int_equal((uintptr_t)f[5].method, 0x405000 - 1);
	frame_at(stack, 300, NULL, 0x403000);
	/* The depth bounds the walk. */
	assert_int_equal(ag_native_walk(&uc, NULL, f, 2), 2);
	/* cstack=no: nothing. */
	ag_native_stack_enable(false);
	assert_int_equal(ag_native_walk(&uc, NULL, f, 16), 0);
	ag_native_stack_enable(true);
	free(stack);
}

static void test_walk_stops_where_the_chain_is_not_a_chain(void **state)
{
	(void)state;
	uint64_t *stack = calloc(WORDS, sizeof(uint64_t));
	assert_non_null(stack);
	ag_frame f[16];
	/* fp below sp. */
	ucontext_t uc = context_on(&stack[100], 10, 0x400500);
	assert_int_equal(ag_native_walk(&uc, NULL, f, 16), 1);
	/* fp far above the copied window (32 KiB). */
	uc = context_on(stack, 5000, 0x400500);
	assert_int_equal(ag_native_walk(&uc, NULL, f, 16), 1);
	/* A chain that points back down (a loop) ends after that frame. */
	frame_at(stack, 10, &stack[40], 0x401000);
	frame_at(stack, 40, &stack[10], 0x402000);
	uc = context_on(stack, 10, 0x400500);
	assert_int_equal(ag_native_walk(&uc, NULL, f, 16), 3);
	/* A misaligned fp is no frame. */
	frame_at(stack, 10, (uint64_t *)((char *)&stack[40] + 4), 0x401000);
	assert_int_equal(ag_native_walk(&uc, NULL, f, 16), 2);
	/* A return address in the zero page ends the stack. */
	frame_at(stack, 10, &stack[40], 0x10);
	assert_int_equal(ag_native_walk(&uc, NULL, f, 16), 1);
	free(stack);
}

/* A HotSpot thread's own record of its stack: the chain is read in place within it. */
typedef struct fake_vm_thread {
	uint64_t other[3];
	uintptr_t stack_base, stack_size;
} fake_vm_thread;

static void test_walk_within_the_vm_threads_stack_bounds(void **state)
{
	(void)state;
	uint64_t *stack = calloc(WORDS, sizeof(uint64_t));
	assert_non_null(stack);
	fake_vm_thread t = {.stack_base = (uintptr_t)&stack[6000], .stack_size = 6000 * 8};
	ag_native_stack_layout(offsetof(fake_vm_thread, stack_base), offsetof(fake_vm_thread, stack_size));
	/* Frames 40 KB up: beyond what a copy reaches, inside the recorded stack. */
	frame_at(stack, 10, &stack[5000], 0x401000);
	frame_at(stack, 5000, &stack[5998], 0x402000);
	frame_at(stack, 5998, &stack[5999], 0x403000); /* its record would end past the base */
	ucontext_t uc = context_on(stack, 10, 0x400500);
	ag_frame f[16];
	assert_int_equal(ag_native_walk(&uc, &t, f, 16), 4);
	assert_int_equal((uintptr_t)f[3].method, 0x403000 - 1);
	/* Without bounds (not a HotSpot thread) the copy ends the walk at 32 KiB. */
	assert_int_equal(ag_native_walk(&uc, NULL, f, 16), 2);
	/* Bounds that do not hold sp are not used. */
	t.stack_base = (uintptr_t)&stack[5000];
	t.stack_size = 8;
	assert_int_equal(ag_native_walk(&uc, &t, f, 16), 2);
	ag_native_stack_layout(0, 0);
	free(stack);
}

static void test_walk_of_a_real_context(void **state)
{
	(void)state;
	ucontext_t uc;
	assert_int_equal(getcontext(&uc), 0);
	ag_frame f[64];
	uint32_t n = ag_native_walk(&uc, NULL, f, 64);
	assert_true(n >= 1);
	/* The leaf is where getcontext returned to: this test's own code. */
	ag_native_name name;
	assert_true(ag_native_lookup((uintptr_t)f[0].method, &name));
	assert_string_equal(name.name, "test_walk_of_a_real_context");
}

static void test_lookup_names_functions(void **state)
{
	(void)state;
	ag_native_name n;
	/* A C library function by its exported symbol. */
	assert_true(ag_native_lookup((uintptr_t)&lfind + 1, &n));
	assert_string_equal(n.name, "lfind");
	assert_string_equal(n.lib, "libc.so.6");
	assert_false(n.cpp);
	/* A function of the executable, from its .symtab. */
	assert_true(ag_native_lookup((uintptr_t)&test_lookup_names_functions, &n));
	assert_string_equal(n.name, "test_lookup_names_functions");
	assert_string_equal(n.lib, "test_agent_native");
	/* The vDSO is code too. */
	unsigned long vdso = getauxval(AT_SYSINFO_EHDR);
	if (vdso) {
		assert_true(ag_native_lookup(vdso + 16, &n));
		assert_string_equal(n.name, "[vdso]");
	}
}

static void test_lookup_refuses_what_is_not_code(void **state)
{
	(void)state;
	ag_native_name n;
	void *heap = malloc(64);
	assert_non_null(heap);
	assert_false(ag_native_lookup((uintptr_t)heap, &n));
	assert_false(ag_native_lookup(0, &n));
	int local = 0;
	assert_false(ag_native_lookup((uintptr_t)&local, &n));
	/* A stack whose walk went astray is cut at the first non-code address. */
	ag_frame f[3] = {
		{.bci = AG_BCI_NATIVE_PC, .method = (void *)((uintptr_t)&lfind + 1)},
		{.bci = AG_BCI_NATIVE_PC, .method = heap},
		{.bci = AG_BCI_NATIVE_PC, .method = (void *)((uintptr_t)&lfind + 1)},
	};
	assert_int_equal(ag_trace_depth(f, 3), 1);
	assert_int_equal(ag_trace_depth(f, 1), 1);
	ag_frame_desc d;
	ag_describe_frame(&f[0], &d);
	assert_null(d.method);
	assert_null(d.synthetic);
	assert_string_equal(d.native_name, "lfind");
	assert_string_equal(d.native_lib, "libc.so.6");
	assert_int_equal(d.type, AG_FRAME_NATIVE);
	ag_describe_frame(&f[1], &d);
	assert_string_equal(d.native_name, "[unknown]");
	free(heap);
}

static void test_library_loaded_later(void **state)
{
	(void)state;
	ag_native_name n;
	assert_true(ag_native_lookup((uintptr_t)&lfind, &n)); /* mappings read */
	void *h = dlopen("libresolv.so.2", RTLD_NOW | RTLD_LOCAL);
	assert_non_null(h);
	void *fn = dlsym(h, "__b64_ntop");
	assert_non_null(fn);
	/* The next output re-reads the mappings. */
	ag_native_maps_changed();
	assert_true(ag_native_lookup((uintptr_t)fn, &n));
	assert_string_equal(n.name, "__b64_ntop");
	assert_string_equal(n.lib, "libresolv.so.2");
	dlclose(h);
}

typedef struct found {
	size_t n;
	uint64_t main_addr, last;
	bool sorted;
} found;

static void note_symbol(void *arg, const char *name, uint64_t addr, uint64_t size)
{
	found *f = arg;
	(void)size;
	f->n++;
	if (addr < f->last)
		f->sorted = false;
	f->last = addr;
	if (strcmp(name, "main") == 0)
		f->main_addr = addr;
}

/* The ELF reader on this executable's own file, whole and cut short at every 1/97th. */
static void test_elf_symbols_of_this_executable(void **state)
{
	(void)state;
	FILE *fp = fopen("/proc/self/exe", "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	long len = ftell(fp);
	assert_true(len > 0);
	rewind(fp);
	uint8_t *image = malloc((size_t)len);
	assert_non_null(image);
	assert_int_equal(fread(image, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	found f = {.sorted = true};
	size_t n = ag_native_elf_symbols(image, (size_t)len, note_symbol, &f);
	assert_true(n > 50);
	assert_int_equal(f.n, n);
	assert_true(f.sorted);
	assert_true(f.main_addr != 0);
	/* The symbol tables sit at the end: prefixes lose them, and must not be read past. */
	for (long cut = 0; cut < len; cut += len / 97 + 1) {
		found g = {.sorted = true};
		assert_true(ag_native_elf_symbols(image, (size_t)cut, note_symbol, &g) <= n);
	}
	/* Misaligned images are refused, not read. */
	memmove(image + 1, image, (size_t)len - 1);
	assert_int_equal(ag_native_elf_symbols(image + 1, (size_t)len - 1, note_symbol, &f), 0);
	free(image);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_follows_the_frame_chain),
		cmocka_unit_test(test_walk_stops_where_the_chain_is_not_a_chain),
		cmocka_unit_test(test_walk_within_the_vm_threads_stack_bounds),
		cmocka_unit_test(test_walk_of_a_real_context),
		cmocka_unit_test(test_lookup_names_functions),
		cmocka_unit_test(test_lookup_refuses_what_is_not_code),
		cmocka_unit_test(test_library_loaded_later),
		cmocka_unit_test(test_elf_symbols_of_this_executable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
