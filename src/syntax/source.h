#ifndef PJ_SYNTAX_SOURCE_H
#define PJ_SYNTAX_SOURCE_H

/*
 * A configuration source: its name (the path as the user gave it), its bytes
 * and a line table so byte offsets can be shown as line:column.
 */

#include <stddef.h>
#include <stdint.h>

typedef struct pj_source {
	char *name; /* "pipeline.alloy", or "-" for stdin */
	char *text; /* NUL-terminated copy; may contain NUL bytes before len */
	size_t len;
	size_t *line_starts; /* byte offset of each line's first byte */
	size_t nlines;
} pj_source;

/* A half-open byte range [start, end) in a source. */
typedef struct pj_span {
	uint32_t start;
	uint32_t end;
} pj_span;

/* 1-based line and 1-based byte column, as Alloy prints them. */
typedef struct pj_linecol {
	int line;
	int col;
} pj_linecol;

/* Takes a copy of text. */
pj_source *pj_source_new(const char *name, const char *text, size_t len);
/* Reads a file ("-" = stdin). Returns NULL and sets *err (caller frees) on failure. */
pj_source *pj_source_read(const char *path, char **err);
/*
 * Reads a file ("-" = stdin) without the encoding check, as `fmt` does; the
 * source is named `name` (e.g. "<stdin>"). Errors read like Go's
 * ("open x: no such file or directory").
 */
pj_source *pj_source_load(const char *path, const char *name, char **err);
pj_linecol pj_source_linecol(const pj_source *src, uint32_t offset);
/* The text of line `line` (1-based) without its newline. */
const char *pj_source_line(const pj_source *src, int line, size_t *len);
void pj_source_free(pj_source *src);

#endif
