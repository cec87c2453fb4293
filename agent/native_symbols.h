/*
 * Names of native code addresses, for the frames native_stack.h records:
 * the executable file mappings of the process (/proc/self/maps) and the
 * function symbols of each file (.symtab, else .dynsym), C++ names
 * demangled without their parameter list as async-profiler shows them.
 * Called at dump time, never from a signal handler; thread-safe.
 */
#ifndef AG_NATIVE_SYMBOLS_H
#define AG_NATIVE_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ag_native_name {
	const char *lib; /* file name of the library (libjvm.so), "[vdso]"; "" without a symbol */
	const char *name; /* the symbol; the library's path when no symbol covers the address */
	bool cpp; /* a demangled C++ name */
} ag_native_name;

/*
 * Names `pc`. False when `pc` is not in an executable mapping of a file or
 * the vDSO: a frame-pointer walk that went astray, whose frames from there
 * on are not trusted. Valid for the life of the agent.
 */
bool ag_native_lookup(uintptr_t pc, ag_native_name *out);

/* The mappings may have changed: the next lookup reads them again (once per output). */
void ag_native_maps_changed(void);

/*
 * The function symbols of the 64-bit ELF image image[0..len) as the lookup
 * sees them (.symtab, else .dynsym), sorted by address, each passed to fn
 * with its link-time address and size; the image is untrusted (tests and
 * the fuzzer). Returns how many.
 */
size_t ag_native_elf_symbols(const void *image, size_t len,
	void (*fn)(void *arg, const char *name, uint64_t addr, uint64_t size), void *arg);

#endif
