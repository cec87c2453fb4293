/*
 * The distribution archive format and the distribution object; the checked
 * unpacking lives in dist_extract.c.
 */
#include "jvm/dist.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "jvm/dist_internal.h"

static const char magic[8] = {'P', 'J', 'D', 'I', 'S', 'T', '1', '\n'};

/* Set by the build (dist_blob.c, generated) when it embedded an archive. */
extern const uint8_t pj_dist_blob_start[] __attribute__((weak));
extern const uint8_t pj_dist_blob_end[] __attribute__((weak));

const uint8_t *pj_dist_embedded(size_t *len)
{
	uintptr_t start = (uintptr_t)pj_dist_blob_start, end = (uintptr_t)pj_dist_blob_end;
	if (!start || end <= start) {
		*len = 0;
		return NULL;
	}
	*len = end - start;
	return pj_dist_blob_start;
}

const char *pj_libc_name(pj_libc libc)
{
	return libc == PJ_LIBC_MUSL ? "musl" : "glibc";
}

static void put_u32(pj_buf *b, uint32_t v)
{
	uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	pj_buf_append(b, le, 4);
}

static void put_u64(pj_buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

void pj_dist_pack(const pj_dist_entry *entries, size_t n, uint32_t flags, pj_buf *out)
{
	pj_buf_append(out, magic, sizeof(magic));
	put_u32(out, flags);
	put_u32(out, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		size_t nlen = entries[i].name_len ? entries[i].name_len : strlen(entries[i].name);
		put_u32(out, (uint32_t)nlen);
		put_u32(out, entries[i].mode);
		put_u64(out, entries[i].len);
		pj_buf_append(out, entries[i].name, nlen);
		pj_buf_append(out, entries[i].data, entries[i].len);
	}
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A name we are willing to create: relative, no "." or ".." components, no empty ones. */
static bool name_ok(const char *name, size_t len)
{
	if (len == 0 || name[0] == '/' || name[len - 1] == '/' || memchr(name, '\0', len))
		return false;
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && name[j] != '/')
			j++;
		size_t c = j - i;
		if (c == 0 || c > NAME_MAX || (c == 1 && name[i] == '.') || (c == 2 && name[i] == '.' && name[i + 1] == '.'))
			return false;
		i = j + 1;
	}
	return true;
}

int pj_dist_parse(const uint8_t *archive, size_t len, uint32_t *flags, pj_dist_entry *entries,
		  size_t max, char *err, size_t err_size)
{
	if (len < 16 || memcmp(archive, magic, sizeof(magic)) != 0) {
		snprintf(err, err_size, "not a pyrojava distribution archive");
		return -1;
	}
	*flags = (uint32_t)get_le(archive + 8, 4);
	uint64_t count = get_le(archive + 12, 4);
	if (count > max) {
		snprintf(err, err_size, "archive has %llu entries, at most %zu expected", (unsigned long long)count, max);
		return -1;
	}
	size_t off = 16;
	for (uint64_t i = 0; i < count; i++) {
		if (len - off < 16) {
			snprintf(err, err_size, "archive truncated in entry %llu", (unsigned long long)i);
			return -1;
		}
		uint64_t nlen = get_le(archive + off, 4), mode = get_le(archive + off + 4, 4);
		uint64_t size = get_le(archive + off + 8, 8);
		off += 16;
		if (nlen > len - off || size > len - off - nlen) {
			snprintf(err, err_size, "archive truncated in entry %llu", (unsigned long long)i);
			return -1;
		}
		const char *name = (const char *)archive + off;
		if (!name_ok(name, nlen) || nlen >= PATH_MAX) {
			snprintf(err, err_size, "archive entry %llu has an unsafe name", (unsigned long long)i);
			return -1;
		}
		entries[i].name = name;
		entries[i].name_len = nlen;
		entries[i].len = size;
		entries[i].mode = (uint32_t)mode;
		entries[i].data = archive + off + nlen;
		off += nlen + size;
	}
	if (off != len) {
		snprintf(err, err_size, "archive has %zu trailing bytes", len - off);
		return -1;
	}
	return (int)count;
}
