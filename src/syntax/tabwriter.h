#ifndef PJ_SYNTAX_TABWRITER_H
#define PJ_SYNTAX_TABWRITER_H

/*
 * The last two stages of the formatter, private to src/syntax. They follow
 * Go's text/tabwriter (elastic tabstops, configured as Alloy's printer
 * configures it) and go/printer's trimmer, because alignment in `alloy fmt`
 * output is whatever those two produce.
 *
 * Input conventions: '\t' and '\v' end a cell, '\n' ends a line, '\f' ends a
 * line and the current alignment section, and text between two PJ_TW_ESCAPE
 * bytes is taken verbatim.
 */

#include <stddef.h>

#include "base/buf.h"

#define PJ_TW_ESCAPE '\xff'

/* Aligns cells into columns: padding 1, tab stops of 8 for indentation, empty columns dropped. */
void pj_tabwriter(pj_buf *out, const char *text, size_t len);
/* Removes escape bytes and trailing blanks, turns '\f' into '\n' and '\v' into '\t'. */
void pj_trimmer(pj_buf *out, const char *text, size_t len);

#endif
