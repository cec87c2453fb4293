/* Reading and removing agent output in a target's filesystem; see target_file.h. */
#include "jvm/target_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jvm/safe_open.h"

static int read_capped(int fd, size_t max, pj_buf *out)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -errno;
	if ((uint64_t)st.st_size > max)
		return -EFBIG;
	size_t start = out->len;
	for (;;) {
		char chunk[65536];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if (out->len - start + (size_t)n > max)
			return -EFBIG;
		pj_buf_append(out, chunk, (size_t)n);
	}
}

int pj_target_take_file(int rootfd, const char *path, size_t max, pj_buf *out)
{
	int fd = pj_safe_open(rootfd, path, O_RDONLY, 0);
	if (fd < 0) {
		if (fd == -ELOOP)
			pj_safe_unlink(rootfd, path);
		return fd;
	}
	int r = read_capped(fd, max, out);
	close(fd);
	pj_safe_unlink(rootfd, path);
	return r;
}
