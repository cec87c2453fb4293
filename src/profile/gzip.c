/* gzip with zlib's deflate in one pass; the output bound is reserved up front. */
#include "profile/gzip.h"

#include <zlib.h>

bool gzip_buf(const void *data, size_t len, pj_buf *out)
{
	z_stream zs = {0};
	/* windowBits 15 + 16 selects the gzip wrapper; zlib writes mtime 0 and no name. */
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	size_t bound = deflateBound(&zs, (uLong)len);
	pj_buf_reserve(out, bound);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out->data + out->len;
	zs.avail_out = (uInt)bound;
	int rc = deflate(&zs, Z_FINISH);
	if (rc == Z_STREAM_END) {
		out->len += bound - zs.avail_out;
		out->data[out->len] = '\0';
	}
	deflateEnd(&zs);
	return rc == Z_STREAM_END;
}
