/*
 * Symlink-safe file access under a container root; see safe_open.h. Stack
 * buffers only: the attach child uses this after fork() in a threaded daemon.
 */
#include "jvm/safe_open.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Set once openat2 answered ENOSYS (or a test asked): from then on walk. */
static atomic_bool pj_safe_walk_only;

void pj_safe_open_force_walk(void)
{
	atomic_store(&pj_safe_walk_only, true);
}

int pj_safe_open_root(pid_t pid)
{
	char path[48];
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Copies `path` into buf without leading slashes and checks its components:
 * no "..", each shorter than NAME_MAX. Empty components ("a//b") are kept;
 * both resolvers skip them.
 */
static int normalize(const char *path, char *buf, size_t size)
{
	while (*path == '/')
		path++;
	size_t len = strlen(path);
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (const char *c = buf; *c;) {
		const char *end = strchr(c, '/');
		size_t clen = end ? (size_t)(end - c) : strlen(c);
		if (clen > NAME_MAX)
			return -ENAMETOOLONG;
		if (clen == 2 && c[0] == '.' && c[1] == '.')
			return -EXDEV;
		c += clen;
		while (*c == '/')
			c++;
	}
	return 0;
}

static int dup_dir(int rootfd)
{
	int fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int pj_safe_open_dir_openat2(int rootfd, const char *path)
{
	char rel[PATH_MAX];
	int r = normalize(path, rel, sizeof(rel));
	if (r < 0)
		return r;
	if (rel[0] == '\0')
		return dup_dir(rootfd);
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;
	do
		fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	while (fd < 0 && (errno == EAGAIN || errno == EINTR));
	return fd < 0 ? -errno : (int)fd;
}

/* Opens one directory component, turning "it is a symlink" into ELOOP. */
static int open_component(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	int err = errno;
	struct stat st;
	if (err == ENOTDIR && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		return -ELOOP;
	return -err;
}

int pj_safe_open_dir_walk(int rootfd, const char *path)
{
	char rel[PATH_MAX];
	int r = normalize(path, rel, sizeof(rel));
	if (r < 0)
		return r;
	int fd = dup_dir(rootfd);
	char *c = rel;
	while (fd >= 0 && *c) {
		char *end = strchr(c, '/');
		if (end)
			*end = '\0';
		if (*c && strcmp(c, ".") != 0) {
			int next = open_component(fd, c);
			close(fd);
			fd = next;
		}
		c = end ? end + 1 : c + strlen(c);
	}
	return fd;
}

int pj_safe_open_dir(int rootfd, const char *path)
{
	if (!atomic_load(&pj_safe_walk_only)) {
		int fd = pj_safe_open_dir_openat2(rootfd, path);
		if (fd != -ENOSYS)
			return fd;
		atomic_store(&pj_safe_walk_only, true);
	}
	return pj_safe_open_dir_walk(rootfd, path);
}

/*
 * Splits a path into its directory (written to dir) and last component
 * (pointing into dir's buffer after the split). The last component must be a
 * real name.
 */
static int split_leaf(const char *path, char *dir, size_t size, const char **leaf)
{
	int r = normalize(path, dir, size);
	if (r < 0)
		return r;
	size_t len = strlen(dir);
	while (len > 0 && dir[len - 1] == '/')
		dir[--len] = '\0';
	char *slash = strrchr(dir, '/');
	char *name = slash ? slash + 1 : dir;
	if (*name == '\0' || strcmp(name, ".") == 0)
		return -EINVAL;
	/* Move the leaf out of the way so dir can be cut in place. */
	size_t nlen = strlen(name);
	memmove(dir + len + 1 - nlen, name, nlen + 1);
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
	*leaf = dir + len + 1 - nlen;
	return 0;
}

/* Opens an existing regular file without following a final symlink. */
static int open_existing(int dfd, const char *leaf, int flags)
{
	struct stat before, after;
	if (fstatat(dfd, leaf, &before, AT_SYMLINK_NOFOLLOW) != 0)
		return -errno;
	if (S_ISLNK(before.st_mode))
		return -ELOOP;
	if (!S_ISREG(before.st_mode))
		return -EINVAL;
	/* O_NONBLOCK: if a FIFO is swapped in after the check, opening it must not block. */
	int fd = openat(dfd, leaf, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &after) != 0 || !S_ISREG(after.st_mode) || after.st_ino != before.st_ino ||
	    after.st_dev != before.st_dev) {
		close(fd);
		return -EINVAL;
	}
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK & ~O_ACCMODE) != 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

int pj_safe_open(int rootfd, const char *path, int flags, mode_t mode)
{
	if (flags & (O_PATH | O_DIRECTORY))
		return -EINVAL;
	char dir[PATH_MAX + 1];
	const char *leaf;
	int r = split_leaf(path, dir, sizeof(dir) - 1, &leaf);
	if (r < 0)
		return r;
	int dfd = pj_safe_open_dir(rootfd, dir);
	if (dfd < 0)
		return dfd;
	int fd;
	if (flags & O_CREAT) {
		fd = openat(dfd, leaf, flags | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, mode);
		if (fd < 0)
			fd = -errno;
	} else {
		fd = open_existing(dfd, leaf, flags);
	}
	close(dfd);
	return fd;
}

int pj_safe_unlink(int rootfd, const char *path)
{
	char dir[PATH_MAX + 1];
	const char *leaf;
	int r = split_leaf(path, dir, sizeof(dir) - 1, &leaf);
	if (r < 0)
		return r;
	int dfd = pj_safe_open_dir(rootfd, dir);
	if (dfd < 0)
		return dfd;
	r = unlinkat(dfd, leaf, 0) == 0 ? 0 : -errno;
	close(dfd);
	return r;
}

/* Creates the last component of `path` (whose parent exists) as a directory. */
static int mkdir_leaf(int rootfd, const char *path, mode_t mode)
{
	char dir[PATH_MAX + 1];
	const char *leaf;
	int r = split_leaf(path, dir, sizeof(dir) - 1, &leaf);
	if (r < 0)
		return r;
	int dfd = pj_safe_open_dir(rootfd, dir);
	if (dfd < 0)
		return dfd;
	r = mkdirat(dfd, leaf, mode) == 0 || errno == EEXIST ? 0 : -errno;
	close(dfd);
	return r;
}

int pj_safe_mkdirs(int rootfd, const char *path, mode_t mode)
{
	char rel[PATH_MAX];
	int r = normalize(path, rel, sizeof(rel));
	if (r < 0)
		return r;
	size_t len = strlen(rel);
	for (size_t i = 1; i <= len; i++) {
		if (rel[i] != '/' && rel[i] != '\0')
			continue;
		char saved = rel[i];
		rel[i] = '\0';
		int fd = pj_safe_open_dir(rootfd, rel);
		if (fd == -ENOENT) {
			r = mkdir_leaf(rootfd, rel, mode);
			fd = r < 0 ? r : pj_safe_open_dir(rootfd, rel);
		}
		rel[i] = saved;
		if (fd < 0)
			return fd;
		close(fd);
	}
	return 0;
}
