/*
 * Fuzzes the agent's C++ demangler with arbitrary bytes (prefixed with "_Z" half of the time
 * so most inputs reach the parser): it must not crash or read out of bounds, must always
 * NUL-terminate within cap, must hand back the symbol unchanged when it does not claim it,
 * and a claimed name's cut form must be a prefix of its complete form.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "demangle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char sym[4096 + 3], out[8192], full[8192], small[9];
	if (size > 4096)
		return 0;
	size_t n = 0;
	if (size > 0 && (data[0] & 1)) {
		sym[n++] = '_';
		sym[n++] = 'Z';
		data++;
		size--;
	}
	memcpy(sym + n, data, size);
	n += size;
	sym[n] = '\0';
	size_t len = strlen(sym); /* an embedded NUL ends the symbol */

	bool cut_ok = ag_demangle(sym, out, sizeof out);
	bool full_ok = ag_demangle_full(sym, full, sizeof full);
	if (cut_ok != full_ok)
		abort();
	if (memchr(out, '\0', sizeof out) == NULL || memchr(full, '\0', sizeof full) == NULL)
		abort();
	if (!cut_ok && (strcmp(out, sym) != 0 || strcmp(full, sym) != 0) && len < sizeof out)
		abort();
	if (cut_ok && strncmp(full, out, strlen(out)) != 0)
		abort();
	/* a small buffer gets the same text truncated */
	memset(small, 'x', sizeof small);
	bool small_ok = ag_demangle(sym, small, 8);
	if (small_ok != cut_ok || small[7 < strlen(out) ? 7 : strlen(out)] != '\0' ||
	    strncmp(small, out, 7) != 0 || small[8] != 'x')
		abort();
	return 0;
}
