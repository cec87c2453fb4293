#include "profile/gunzip.h"

#include <string.h>
#include <zlib.h>

#include "base/alloc.h"

#define GUNZIP_STEP ((size_t)1 << 20)

bool gunzip_is_gzip(const uint8_t *data, size_t len)
{
	return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

static bool gunzip_fail(z_stream *zs, char **err, const char *what)
{
	*err = pj_asprintf("gzip: %s", what);
	inflateEnd(zs);
	return false;
}

bool gunzip_buf(const uint8_t *data, size_t len, size_t max_out, pj_buf *out, char **err)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {
		*err = pj_strdup("gzip: cannot initialise zlib");
		return false;
	}
	size_t start = out->len;
	for (;;) {
		/* Feed at most 1 GiB at a time: zlib counts in 32-bit fields. */
		if (zs.avail_in == 0) {
			size_t chunk = len < ((size_t)1 << 30) ? len : ((size_t)1 << 30);
			zs.next_in = (unsigned char *)data;
			zs.avail_in = (uInt)chunk;
			data += chunk;
			len -= chunk;
		}
		/* One byte beyond the limit tells "exactly max_out" from "more". */
		size_t room = max_out - (out->len - start) + 1;
		room = room < GUNZIP_STEP ? room : GUNZIP_STEP;
		pj_buf_reserve(out, room);
		zs.next_out = (unsigned char *)out->data + out->len;
		zs.avail_out = (uInt)room;
		int rc = inflate(&zs, Z_NO_FLUSH);
		out->len = (size_t)((char *)zs.next_out - out->data);
		out->data[out->len] = '\0';
		if (out->len - start > max_out)
			return gunzip_fail(&zs, err, "decompressed data too large");
		if (rc == Z_STREAM_END) {
			if (zs.avail_in == 0 && len == 0)
				break;
			/* Another member follows (e.g. files joined with cat). */
			if (inflateReset(&zs) != Z_OK)
				return gunzip_fail(&zs, err, "cannot reset zlib");
			continue;
		}
		if (rc == Z_BUF_ERROR && zs.avail_in == 0 && len == 0)
			return gunzip_fail(&zs, err, "truncated input");
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return gunzip_fail(&zs, err, zs.msg ? zs.msg : "corrupt input");
	}
	inflateEnd(&zs);
	return true;
}
