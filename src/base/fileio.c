#include "base/fileio.h"

#include <errno.h>
#include <unistd.h>

#define PJ_READ_CHUNK 65536

int pj_read_fd(int fd, pj_buf *out, size_t max)
{
	size_t got = 0;
	pj_buf_reserve(out, 0);
	out->data[out->len] = '\0';
	while (got < max) {
		size_t want = max - got < PJ_READ_CHUNK ? max - got : PJ_READ_CHUNK;
		pj_buf_reserve(out, want);
		ssize_t n = read(fd, out->data + out->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			break;
		out->len += (size_t)n;
		got += (size_t)n;
		out->data[out->len] = '\0';
	}
	return 0;
}
