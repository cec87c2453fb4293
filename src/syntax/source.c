#include "syntax/source.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/utf8.h"

pj_source *pj_source_new(const char *name, const char *text, size_t len)
{
	pj_source *src = pj_calloc(1, sizeof(*src));
	src->name = pj_strdup(name);
	src->text = pj_malloc(len + 1);
	if (len)
		memcpy(src->text, text, len);
	src->text[len] = '\0';
	src->len = len;

	size_t cap = 0;
	src->line_starts = pj_grow(NULL, &cap, 1, sizeof(size_t));
	src->line_starts[src->nlines++] = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] != '\n')
			continue;
		src->line_starts = pj_grow(src->line_starts, &cap, src->nlines + 1, sizeof(size_t));
		src->line_starts[src->nlines++] = i + 1;
	}
	return src;
}

/*
 * Alloy checks the byte order mark before parsing: UTF-8 (with or without a
 * BOM) is accepted, a UTF-16/32 BOM is refused by name, and anything else
 * that is not valid UTF-8 is refused without one. A file with a UTF-8 BOM is
 * passed on untouched even if invalid later on; the scanner reports that.
 */
static char *pj_check_encoding(const unsigned char *s, size_t len)
{
	static const struct {
		const char *bom;
		size_t len;
		const char *name;
	} boms[] = {
		{"\x00\x00\xFE\xFF", 4, "UTF32BigEndian"},
		{"\xFF\xFE\x00\x00", 4, "UTF32LittleEndian"},
		{"\xEF\xBB\xBF", 3, NULL},
		{"\xFE\xFF", 2, "UTF16BigEndian"},
		{"\xFF\xFE", 2, "UTF16LittleEndian"},
	};
	for (size_t i = 0; i < sizeof(boms) / sizeof(boms[0]); i++) {
		if (len < boms[i].len || memcmp(s, boms[i].bom, boms[i].len) != 0)
			continue;
		if (!boms[i].name)
			return NULL;
		return pj_asprintf("configuration is encoded with %s but must be utf8", boms[i].name);
	}
	if (pj_utf8_valid((const char *)s, len))
		return NULL;
	return pj_strdup("unknown encoding for config");
}

static bool pj_read_all(FILE *f, pj_buf *out)
{
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		pj_buf_append(out, chunk, n);
	return !ferror(f);
}

/* strerror in Go's spelling: Alloy's messages come from Go, which writes errno texts in lower case. */
static char *pj_errno_message(const char *op, const char *path, int err)
{
	char *msg = pj_asprintf("%s %s: %s", op, path, strerror(err));
	char *text = msg + strlen(op) + strlen(path) + 3;
	if (*text >= 'A' && *text <= 'Z')
		*text = (char)(*text - 'A' + 'a');
	return msg;
}

pj_source *pj_source_load(const char *path, const char *name, char **err)
{
	*err = NULL;
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		*err = pj_errno_message("open", path, errno);
		return NULL;
	}
	pj_buf data = PJ_BUF_INIT;
	bool ok = pj_read_all(f, &data);
	int saved = errno;
	if (!is_stdin)
		fclose(f);
	if (!ok) {
		*err = pj_errno_message("read", path, saved);
		pj_buf_free(&data);
		return NULL;
	}
	pj_source *src = pj_source_new(name, pj_buf_cstr(&data), data.len);
	pj_buf_free(&data);
	return src;
}

pj_source *pj_source_read(const char *path, char **err)
{
	pj_source *src = pj_source_load(path, path, err);
	if (!src)
		return NULL;
	*err = pj_check_encoding((const unsigned char *)src->text, src->len);
	if (*err) {
		pj_source_free(src);
		return NULL;
	}
	return src;
}

pj_linecol pj_source_linecol(const pj_source *src, uint32_t offset)
{
	size_t off = offset > src->len ? src->len : offset;
	size_t lo = 0, hi = src->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (src->line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	pj_linecol lc = {(int)lo + 1, (int)(off - src->line_starts[lo]) + 1};
	return lc;
}

const char *pj_source_line(const pj_source *src, int line, size_t *len)
{
	if (line < 1 || (size_t)line > src->nlines) {
		*len = 0;
		return "";
	}
	size_t start = src->line_starts[line - 1];
	size_t end = (size_t)line < src->nlines ? src->line_starts[line] - 1 : src->len;
	*len = end - start;
	return src->text + start;
}

void pj_source_free(pj_source *src)
{
	if (!src)
		return;
	free(src->name);
	free(src->text);
	free(src->line_starts);
	free(src);
}
