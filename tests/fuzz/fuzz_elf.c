/*
 * Fuzzes the agent's ELF symbol-table reader (agent/native_symbols.c) with
 * arbitrary images: no read outside the image, every name NUL-terminated
 * inside it, the symbols sorted by address.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "native_symbols.h"

typedef struct seen {
	const char *lo, *hi;
	uint64_t last;
} seen;

static void check(void *arg, const char *name, uint64_t addr, uint64_t size)
{
	seen *s = arg;
	(void)size;
	if (name < s->lo || name >= s->hi || name + strlen(name) >= s->hi || addr < s->last)
		abort();
	s->last = addr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The reader expects an aligned image, as a mapped file is. */
	uint8_t *image = malloc(size ? size : 1);
	if (!image)
		return 0;
	memcpy(image, data, size);
	seen s = {(const char *)image, (const char *)image + size, 0};
	ag_native_elf_symbols(image, size, check, &s);
	free(image);
	return 0;
}
