#ifndef PJ_SYNTAX_PRINTER_H
#define PJ_SYNTAX_PRINTER_H

/*
 * The formatter behind `pyrojava fmt` (spec section 7): prints a parsed file
 * the way `alloy fmt` does — tab indentation, aligned `=` runs, blank lines
 * before blocks, comments kept in place.
 */

#include "syntax/ast.h"

/* The formatted text of a file that parsed without errors, ending with one newline. Caller frees. */
char *pj_format_file(const pj_file *file);

#endif
