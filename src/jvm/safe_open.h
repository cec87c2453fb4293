#ifndef PJ_JVM_SAFE_OPEN_H
#define PJ_JVM_SAFE_OPEN_H

/*
 * File access inside another process's root filesystem (a container) by a
 * privileged daemon. A plain open("/proc/PID/root/tmp/x") follows a symlink
 * the container planted at /tmp/x against the *daemon's* root, so a container
 * could make root read, overwrite or delete any host file. These helpers never
 * let a path leave the given root:
 *
 *  - directories are resolved with openat2(RESOLVE_IN_ROOT |
 *    RESOLVE_NO_MAGICLINKS): symlinks inside the container are followed as the
 *    container would follow them, but never out of it;
 *  - on kernels without openat2 (before 5.6, or when a seccomp filter answers
 *    ENOSYS) they are opened one component at a time with O_NOFOLLOW, and any
 *    symlink on the way is refused with ELOOP;
 *  - the last component is never followed in either case (ELOOP), files are
 *    created only with O_EXCL, and only regular files are opened (EINVAL for
 *    FIFOs, devices and sockets, which could block or have side effects).
 *
 * Paths are relative to the root ("tmp/x" and "/tmp/x" are the same); ".."
 * components are refused with EXDEV. All functions return -errno on failure,
 * never allocate and are safe to call in a forked child.
 */

#include <sys/types.h>

/* Opens /proc/PID/root as an O_PATH directory descriptor. Returns the fd or -errno. */
int pj_safe_open_root(pid_t pid);

/* Opens directory `path` under rootfd as an O_PATH descriptor. */
int pj_safe_open_dir(int rootfd, const char *path);

/*
 * Opens regular file `path` under rootfd. `flags` are open(2) flags; with
 * O_CREAT the file must not exist yet (O_EXCL is implied). Returns the fd
 * (O_CLOEXEC) or -errno.
 */
int pj_safe_open(int rootfd, const char *path, int flags, mode_t mode);

/* Creates `path` and any missing parent directories with `mode`. Existing directories are fine. */
int pj_safe_mkdirs(int rootfd, const char *path, mode_t mode);

/* Removes the directory entry `path` (a symlink is removed, not its target). */
int pj_safe_unlink(int rootfd, const char *path);

/*
 * The two directory resolvers behind the functions above, exposed so tests can
 * exercise each: the first returns -ENOSYS when the kernel lacks openat2.
 */
int pj_safe_open_dir_openat2(int rootfd, const char *path);
int pj_safe_open_dir_walk(int rootfd, const char *path);

/* Makes every later call use the component walk, as on a kernel without openat2 (for tests). */
void pj_safe_open_force_walk(void);

#endif
