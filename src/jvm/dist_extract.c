/*
 * Unpacking the distribution on the host with Alloy's checks (dist.h), and
 * the `dist` directory alternative.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/sha1.h"
#include "jvm/dist_internal.h"

#define DIST_MAX_ENTRIES 16
#define DIST_LIB "lib/libasyncProfiler.so"

static bool fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pj_buf b = PJ_BUF_INIT;
	pj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	*err = pj_buf_detach(&b);
	return false;
}

bool pj_dist_check_tmp_dir(const char *tmp_dir, char **err)
{
	struct stat st;
	if (lstat(tmp_dir, &st) != 0)
		return fail(err, "tmp_dir %s: %s", tmp_dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(err, "tmp_dir %s is not a directory (symlinks are not followed)", tmp_dir);
	bool root_sticky = st.st_uid == 0 && (st.st_mode & S_ISVTX);
	bool ours_0755 = st.st_uid == geteuid() && (st.st_mode & 07777) == 0755;
	if (!root_sticky && !ours_0755)
		return fail(err,
			"tmp_dir %s must be owned by root with the sticky bit set, or owned by uid %d with mode 0755 "
			"(it is owned by uid %d, mode %04o)",
			tmp_dir, (int)geteuid(), (int)st.st_uid, (unsigned)(st.st_mode & 07777));
	return true;
}

/* Owner, mode, device and real path of something we just opened or created. */
static bool check_fd(int fd, const char *path, dev_t parent_dev, bool dir, char **err)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return fail(err, "%s: %s", path, strerror(errno));
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return fail(err, "%s: not a %s", path, dir ? "directory" : "regular file");
	if (st.st_uid != geteuid())
		return fail(err, "%s: owned by uid %d, expected %d", path, (int)st.st_uid, (int)geteuid());
	if ((st.st_mode & 07777) != 0755)
		return fail(err, "%s: mode %04o, expected 0755", path, (unsigned)(st.st_mode & 07777));
	if (st.st_dev != parent_dev)
		return fail(err, "%s: on another device than its parent directory", path);
	char link[64], real[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, real, sizeof(real) - 1);
	if (n < 0)
		return fail(err, "%s: %s", path, strerror(errno));
	real[n] = '\0';
	if (strcmp(real, path) != 0)
		return fail(err, "%s: resolves to %s", path, real);
	return true;
}

/* Opens (creating if needed) directory `name` under parent with the checks. Returns the fd or -1. */
static int open_dir_checked(int parent, const char *name, const char *path, char **err)
{
	struct stat pst;
	if (fstat(parent, &pst) != 0)
		return fail(err, "%s: %s", path, strerror(errno)), -1;
	bool created = mkdirat(parent, name, 0755) == 0;
	if (!created && errno != EEXIST)
		return fail(err, "creating %s: %s", path, strerror(errno)), -1;
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(err, "opening %s: %s", path, errno == ENOTDIR || errno == ELOOP ? "not a directory (symlinks are not followed)" : strerror(errno)), -1;
	/* The umask may have narrowed the mode of a directory we just made. */
	if ((created && fchmod(fd, 0755) != 0) || !check_fd(fd, path, pst.st_dev, true, err)) {
		if (created && !*err)
			fail(err, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static bool write_all(int fd, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

static bool same_content(int fd, const uint8_t *data, size_t len)
{
	uint8_t buf[65536];
	size_t off = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			return off == len;
		if ((size_t)n > len - off || memcmp(buf, data + off, (size_t)n) != 0)
			return false;
		off += (size_t)n;
	}
}

/* An existing file: ours, 0755, same device, identical bytes. */
static bool verify_existing(int dir, const char *name, const char *path, dev_t dev, const uint8_t *data,
			    size_t len, char **err)
{
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(err, "opening %s: %s", path, errno == ELOOP ? "is a symlink" : strerror(errno));
	bool ok = check_fd(fd, path, dev, false, err);
	if (ok && !same_content(fd, data, len))
		ok = fail(err, "%s exists with different content; remove it or choose another tmp_dir", path);
	close(fd);
	return ok;
}

/*
 * Writes a file under a temporary name and links it in place with
 * RENAME_NOREPLACE, so a crash or a concurrent extraction never leaves a
 * half-written file at the final name.
 */
static bool write_file_checked(int dir, const char *name, const char *path, const uint8_t *data, size_t len,
			       char **err)
{
	struct stat dst;
	if (fstat(dir, &dst) != 0)
		return fail(err, "%s: %s", path, strerror(errno));
	if (faccessat(dir, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return verify_existing(dir, name, path, dst.st_dev, data, len, err);
	char tmp[NAME_MAX + 1];
	if (snprintf(tmp, sizeof(tmp), ".%s.%d.tmp", name, (int)getpid()) >= (int)sizeof(tmp))
		return fail(err, "%s: name too long", path);
	unlinkat(dir, tmp, 0);
	int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
	if (fd < 0)
		return fail(err, "creating %s: %s", path, strerror(errno));
	bool ok = fchmod(fd, 0755) == 0 && write_all(fd, data, len) && fsync(fd) == 0;
	if (!ok)
		fail(err, "writing %s: %s", path, strerror(errno));
	close(fd);
	if (ok && renameat2(dir, tmp, dir, name, RENAME_NOREPLACE) != 0) {
		unlinkat(dir, tmp, 0);
		if (errno != EEXIST)
			return fail(err, "renaming into %s: %s", path, strerror(errno));
		return verify_existing(dir, name, path, dst.st_dev, data, len, err);
	}
	if (!ok) {
		unlinkat(dir, tmp, 0);
		return false;
	}
	return verify_existing(dir, name, path, dst.st_dev, data, len, err);
}

/* Writes one entry (a path relative to rootfd, whose real path is root) creating its directories. */
static bool extract_entry(int rootfd, const char *root, const char *rel, const uint8_t *data, size_t len,
			  char **err)
{
	char path[PATH_MAX];
	int dir = dup(rootfd);
	if (dir < 0)
		return fail(err, "%s: %s", root, strerror(errno));
	size_t plen = (size_t)snprintf(path, sizeof(path), "%s", root);
	const char *c = rel;
	for (const char *slash; (slash = strchr(c, '/')) != NULL; c = slash + 1) {
		char name[NAME_MAX + 1];
		size_t n = (size_t)(slash - c);
		memcpy(name, c, n);
		name[n] = '\0';
		plen += (size_t)snprintf(path + plen, sizeof(path) - plen, "/%s", name);
		int sub = open_dir_checked(dir, name, path, err);
		close(dir);
		if (sub < 0)
			return false;
		dir = sub;
	}
	snprintf(path + plen, sizeof(path) - plen, "/%s", c);
	bool ok = write_file_checked(dir, c, path, data, len, err);
	close(dir);
	return ok;
}

static bool noexec(int fd)
{
	struct statvfs sv;
	return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_NOEXEC);
}

/* Unpacks the entries of one flavour into <tmp>/alloy-asprof-<flavour>-<sha1>. */
static bool extract_flavour(pj_dist *d, pj_libc libc, const pj_dist_entry *e, int n, int tmpfd,
			    const char *tmp, const char *sha, char **err)
{
	const char *fl = pj_libc_name(libc);
	size_t flen = strlen(fl);
	char dirname[NAME_MAX + 1], root[PATH_MAX];
	snprintf(dirname, sizeof(dirname), "alloy-asprof-%s-%s", fl, sha);
	snprintf(root, sizeof(root), "%s/%s", strcmp(tmp, "/") == 0 ? "" : tmp, dirname);
	int rootfd = -1;
	bool ok = true;
	for (int i = 0; ok && i < n; i++) {
		if (e[i].name_len <= flen + 1 || memcmp(e[i].name, fl, flen) != 0 || e[i].name[flen] != '/')
			continue;
		if (rootfd < 0 && (rootfd = open_dir_checked(tmpfd, dirname, root, err)) < 0)
			return false;
		char rel[PATH_MAX];
		snprintf(rel, sizeof(rel), "%.*s", (int)(e[i].name_len - flen - 1), e[i].name + flen + 1);
		ok = extract_entry(rootfd, root, rel, e[i].data, e[i].len, err);
		if (ok && strcmp(rel, DIST_LIB) == 0) {
			d->flavour[libc].lib_path = pj_asprintf("%s/%s", root, DIST_LIB);
			d->flavour[libc].lib_data = pj_malloc(e[i].len ? e[i].len : 1);
			memcpy(d->flavour[libc].lib_data, e[i].data, e[i].len);
			d->flavour[libc].lib_len = e[i].len;
		}
	}
	if (rootfd >= 0 && ok && noexec(rootfd))
		ok = fail(err,
			"%s is on a filesystem mounted noexec, so JVMs cannot load the profiler library from it; "
			"set tmp_dir to a directory on an exec-allowed filesystem",
			root);
	if (rootfd >= 0)
		close(rootfd);
	return ok;
}

pj_dist *pj_dist_extract(const uint8_t *archive, size_t len, const char *tmp_dir, char **err)
{
	*err = NULL;
	if (!archive || len == 0)
		return fail(err, "this pyrojava was built without the profiler agent; rebuild with the agent "
				 "(cmake --build) or set `dist` to an unpacked async-profiler"), NULL;
	pj_dist_entry e[DIST_MAX_ENTRIES];
	uint32_t flags;
	char perr[256];
	int n = pj_dist_parse(archive, len, &flags, e, DIST_MAX_ENTRIES, perr, sizeof(perr));
	if (n < 0)
		return fail(err, "embedded profiler: %s", perr), NULL;
	if (!pj_dist_check_tmp_dir(tmp_dir, err))
		return NULL;
	char tmp[PATH_MAX];
	if (!realpath(tmp_dir, tmp))
		return fail(err, "tmp_dir %s: %s", tmp_dir, strerror(errno)), NULL;
	int tmpfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tmpfd < 0)
		return fail(err, "tmp_dir %s: %s", tmp_dir, strerror(errno)), NULL;
	uint8_t digest[PJ_SHA1_DIGEST_LEN];
	char sha[2 * PJ_SHA1_DIGEST_LEN + 1];
	pj_sha1_sum(archive, len, digest);
	pj_sha1_hex(digest, sha);
	pj_dist *d = pj_calloc(1, sizeof(*d));
	d->official = flags & PJ_DIST_OFFICIAL;
	bool ok = extract_flavour(d, PJ_LIBC_GLIBC, e, n, tmpfd, tmp, sha, err) &&
		  extract_flavour(d, PJ_LIBC_MUSL, e, n, tmpfd, tmp, sha, err);
	close(tmpfd);
	if (ok && !d->flavour[PJ_LIBC_GLIBC].lib_path && !d->flavour[PJ_LIBC_MUSL].lib_path)
		ok = fail(err, "embedded profiler archive holds no %s", DIST_LIB);
	if (!ok) {
		pj_dist_free(d);
		return NULL;
	}
	return d;
}

static bool read_file(const char *path, uint8_t **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	pj_buf b = PJ_BUF_INIT;
	uint8_t chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR)) {
		if (n > 0)
			pj_buf_append(&b, chunk, (size_t)n);
	}
	close(fd);
	if (n < 0) {
		pj_buf_free(&b);
		return false;
	}
	*len = b.len;
	*data = b.len ? (uint8_t *)pj_buf_detach(&b) : pj_calloc(1, 1);
	pj_buf_free(&b);
	return true;
}

pj_dist *pj_dist_open_dir(const char *dir, char **err)
{
	*err = NULL;
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/bin/asprof", dir);
	if (stat(path, &st) != 0)
		return fail(err, "invalid asprof dist: asprof launcher not found: %s", path), NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, DIST_LIB);
	uint8_t *data;
	size_t len;
	if (stat(path, &st) != 0 || !read_file(path, &data, &len))
		return fail(err, "invalid asprof dist: lib not found: %s", path), NULL;
	pj_dist *d = pj_calloc(1, sizeof(*d));
	d->official = true;
	char real[PATH_MAX];
	const char *abs = realpath(path, real) ? real : path;
	for (int i = 0; i < 2; i++) {
		d->flavour[i].lib_path = pj_strdup(abs);
		d->flavour[i].lib_len = len;
		d->flavour[i].lib_data = pj_malloc(len ? len : 1);
		memcpy(d->flavour[i].lib_data, data, len);
	}
	free(data);
	return d;
}

void pj_dist_free(pj_dist *d)
{
	if (!d)
		return;
	for (int i = 0; i < 2; i++) {
		free(d->flavour[i].lib_path);
		free(d->flavour[i].lib_data);
	}
	free(d);
}

bool pj_dist_official(const pj_dist *d)
{
	return d->official;
}

const char *pj_dist_lib_path(const pj_dist *d, pj_libc libc)
{
	return d->flavour[libc].lib_path;
}

const uint8_t *pj_dist_lib_data(const pj_dist *d, pj_libc libc, size_t *len)
{
	*len = d->flavour[libc].lib_len;
	return d->flavour[libc].lib_data;
}
