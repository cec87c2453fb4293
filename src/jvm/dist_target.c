/*
 * The target side of the distribution: which libc a JVM runs on and putting
 * the matching library where its JVM can load it (spec B.5, B.6).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "jvm/dist.h"
#include "jvm/safe_open.h"

static bool path_is_musl(const char *p, size_t n)
{
	return memmem(p, n, "/ld-musl-x86_64.so.1", 20) || memmem(p, n, "/ld-musl-aarch64.so.1", 21);
}

static bool path_is_glibc(const char *p, size_t n)
{
	return (n >= 10 && memcmp(p + n - 10, "/libc.so.6", 10) == 0) || memmem(p, n, "x86_64-linux-gnu/libc-", 22) ||
	       memmem(p, n, "aarch64-linux-gnu/libc-", 23);
}

int pj_libc_from_maps(const char *maps, pj_libc *out)
{
	bool musl = false, glibc = false;
	for (const char *line = maps; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *path = memchr(line, '/', len);
		if (path) {
			size_t plen = len - (size_t)(path - line);
			musl |= path_is_musl(path, plen);
			glibc |= path_is_glibc(path, plen);
		}
		line += len + (end ? 1 : 0);
	}
	if (musl && glibc)
		return -EINVAL;
	if (!musl && !glibc)
		return -ENOENT;
	*out = musl ? PJ_LIBC_MUSL : PJ_LIBC_GLIBC;
	return 0;
}

static bool has_file(int rootfd, const char *path)
{
	int fd = pj_safe_open(rootfd, path, O_RDONLY, 0);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int pj_libc_detect(const char *maps, int rootfd, pj_libc *out, char *err, size_t err_size)
{
	int r = pj_libc_from_maps(maps, out);
	if (r == 0)
		return 0;
	if (r == -EINVAL) {
		snprintf(err, err_size, "both musl and glibc are mapped");
		return -1;
	}
	if (has_file(rootfd, "lib/ld-musl-x86_64.so.1") || has_file(rootfd, "lib/ld-musl-aarch64.so.1")) {
		*out = PJ_LIBC_MUSL;
		return 0;
	}
	if (has_file(rootfd, "lib64/ld-linux-x86-64.so.2") || has_file(rootfd, "lib/ld-linux-aarch64.so.1")) {
		*out = PJ_LIBC_GLIBC;
		return 0;
	}
	snprintf(err, err_size, "cannot tell whether the process runs on glibc or musl");
	return -1;
}

static bool same_content(int fd, const uint8_t *data, size_t len)
{
	uint8_t buf[65536];
	size_t off = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 && off == len;
		if ((size_t)n > len - off || memcmp(buf, data + off, (size_t)n) != 0)
			return false;
		off += (size_t)n;
	}
}

static int check_existing(int rootfd, const char *path, const uint8_t *data, size_t len, char *err,
			  size_t err_size)
{
	int fd = pj_safe_open(rootfd, path, O_RDONLY, 0);
	if (fd < 0) {
		snprintf(err, err_size, "opening %s in the target: %s", path, strerror(-fd));
		return -1;
	}
	bool same = same_content(fd, data, len);
	close(fd);
	if (!same) {
		snprintf(err, err_size, "%s exists in the target with different content", path);
		return -1;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Splits path into its directory (in dir) and returns the last component. */
static const char *split(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (n >= size)
		n = size - 1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return slash ? slash + 1 : path;
}

/* Creates the file under a temporary name and renames it in place, so nobody ever loads half a library. */
static int create_new(int rootfd, int dirfd, const char *dir, const char *name, const uint8_t *data, size_t len,
		      char *err, size_t err_size)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s/.%s.%d.tmp", dir, name, (int)getpid());
	const char *tmpname = strrchr(tmp, '/') + 1;
	pj_safe_unlink(rootfd, tmp);
	int fd = pj_safe_open(rootfd, tmp, O_WRONLY | O_CREAT, 0755);
	if (fd < 0) {
		snprintf(err, err_size, "creating %s in the target: %s", tmp, strerror(-fd));
		return -1;
	}
	int r = fchmod(fd, 0755) == 0 && write_all(fd, data, len) == 0 ? 0 : -errno;
	close(fd);
	if (r == 0 && renameat2(dirfd, tmpname, dirfd, name, RENAME_NOREPLACE) != 0)
		r = -errno;
	if (r != 0)
		pj_safe_unlink(rootfd, tmp);
	if (r == -EEXIST)
		return 1;
	if (r != 0) {
		snprintf(err, err_size, "writing %s/%s in the target: %s", dir, name, strerror(-r));
		return -1;
	}
	return 0;
}

/*
 * The library directory is walked without following any symlink, as Alloy
 * does: a link planted there by the container is refused rather than
 * followed, even inside the container.
 */
static int open_lib_dir(int rootfd, const char *dir, char *err, size_t err_size)
{
	int fd = pj_safe_open_dir_walk(rootfd, dir);
	if (fd == -ELOOP)
		snprintf(err, err_size, "%s in the target contains a symlink; refusing to place the profiler there", dir);
	else if (fd < 0 && fd != -ENOENT)
		snprintf(err, err_size, "opening %s in the target: %s", dir, strerror(-fd));
	return fd;
}

int pj_dist_copy_to_target(int rootfd, const char *path, const uint8_t *data, size_t len, char *err,
			   size_t err_size)
{
	char dir[PATH_MAX];
	const char *name = split(path, dir, sizeof(dir));
	int dirfd = open_lib_dir(rootfd, dir, err, err_size);
	if (dirfd < 0 && dirfd != -ENOENT)
		return -1;
	if (dirfd < 0) {
		int r = pj_safe_mkdirs(rootfd, dir, 0755);
		if (r < 0) {
			snprintf(err, err_size, "creating %s in the target: %s", dir, strerror(-r));
			return -1;
		}
		if ((dirfd = open_lib_dir(rootfd, dir, err, err_size)) < 0) {
			if (dirfd == -ENOENT)
				snprintf(err, err_size, "opening %s in the target: %s", dir, strerror(ENOENT));
			return -1;
		}
	}
	struct statvfs sv;
	if (fstatvfs(dirfd, &sv) == 0 && (sv.f_flag & ST_NOEXEC)) {
		close(dirfd);
		snprintf(err, err_size,
			 "%s is on a noexec mount in the target, so the JVM cannot load the profiler from it; "
			 "set tmp_dir to a directory that is exec-allowed in the containers",
			 dir);
		return -1;
	}
	int r = pj_safe_open(dirfd, name, O_RDONLY, 0);
	if (r >= 0 || r != -ENOENT) {
		if (r >= 0)
			close(r);
		r = check_existing(dirfd, name, data, len, err, err_size);
		close(dirfd);
		return r;
	}
	r = create_new(dirfd, dirfd, "", name, data, len, err, err_size);
	if (r == 1)
		r = check_existing(dirfd, name, data, len, err, err_size);
	close(dirfd);
	return r;
}
