/*
 * Itanium C++ ABI demangling for native frame names, without libstdc++.
 */
#ifndef AG_DEMANGLE_H
#define AG_DEMANGLE_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the display name of symbol `sym` into out[cap] (always NUL-terminated when cap > 0,
   truncated if needed): the name GNU c++filt prints, cut at the '(' of the outermost function
   parameter list. Returns true when `sym` was a mangled C++ name that was demangled, false
   when out holds `sym` unchanged (not mangled, or a construct not supported). Pure, thread-safe,
   no allocation; symbols longer than 1024 bytes are not demangled. Stack: a 23 KiB frame plus
   recursion bounded at 64 levels, under 40 KiB in all at -O2 (64 KiB at -O0); the unit test
   runs it on a 96 KiB thread stack. */
bool ag_demangle(const char *sym, char *out, size_t cap);

/* The same, without the cut: the complete c++filt text (for tests). */
bool ag_demangle_full(const char *sym, char *out, size_t cap);

#endif
