#ifndef PJ_JVM_DIST_H
#define PJ_JVM_DIST_H

/*
 * The profiler distribution: libasyncProfiler.so (a glibc and a musl build)
 * and the `asprof` launcher, embedded in the pyrojava binary as one archive
 * and unpacked on the host the way Alloy unpacks its bundled async-profiler:
 *
 *   <tmp_dir>/alloy-asprof-glibc-<sha1>/{bin/asprof,lib/libasyncProfiler.so}
 *   <tmp_dir>/alloy-asprof-musl-<sha1>/{bin/asprof,lib/libasyncProfiler.so}
 *
 * where <sha1> is the SHA-1 of the whole archive, so builds never share a
 * directory. A root daemon writing executables into /tmp is a target for
 * symlink and swap attacks, hence the checks (all Alloy's): tmp_dir is
 * root-owned with the sticky bit or ours with mode 0755; every directory and
 * file is opened without following symlinks and checked for owner, mode 0755,
 * same device as its parent and (through /proc/self/fd) its real path; a file
 * that exists already must be byte-identical.
 *
 * Archive layout (little-endian):
 *   "PJDIST1\n" u32 flags u32 count, then per entry:
 *   u32 name_len u32 mode u64 size, name bytes, data bytes.
 * Entry names are "<flavour>/<path>", flavour "glibc" or "musl".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* The archive holds an official async-profiler (stop/start per window) rather than our agent. */
#define PJ_DIST_OFFICIAL 1u

typedef enum pj_libc {
	PJ_LIBC_GLIBC,
	PJ_LIBC_MUSL,
} pj_libc;

/* "glibc" or "musl". */
const char *pj_libc_name(pj_libc libc);

typedef struct pj_dist_entry {
	const char *name; /* not NUL-terminated when it comes from pj_dist_parse */
	size_t name_len; /* 0 in pj_dist_pack: strlen(name) */
	const uint8_t *data;
	size_t len;
	uint32_t mode;
} pj_dist_entry;

/* Appends an archive holding the entries to out. */
void pj_dist_pack(const pj_dist_entry *entries, size_t n, uint32_t flags, pj_buf *out);

/*
 * Parses an archive. Entries point into `archive`. Returns the number of
 * entries (at most max), or -1 with a message in err for a malformed archive.
 */
int pj_dist_parse(const uint8_t *archive, size_t len, uint32_t *flags, pj_dist_entry *entries,
		  size_t max, char *err, size_t err_size);

/* The archive built into this binary; len 0 when the build had no agent to embed. */
const uint8_t *pj_dist_embedded(size_t *len);

/* A usable distribution: host paths and library bytes per libc flavour. */
typedef struct pj_dist pj_dist;

/*
 * Unpacks `archive` under tmp_dir with the checks above. Returns NULL and a
 * heap message in *err (naming the path and what was wrong) on failure.
 */
pj_dist *pj_dist_extract(const uint8_t *archive, size_t len, const char *tmp_dir, char **err);

/*
 * An already unpacked async-profiler (the `dist` argument): `dir` must hold
 * bin/asprof and lib/libasyncProfiler.so; the one library serves both libcs,
 * as async-profiler 3+ ships. Errors read as Alloy's:
 * "invalid asprof dist: asprof launcher not found: <path>" / "lib not found: <path>".
 */
pj_dist *pj_dist_open_dir(const char *dir, char **err);

void pj_dist_free(pj_dist *d);

/* Whether the distribution runs an official async-profiler (no continuous `dump`). */
bool pj_dist_official(const pj_dist *d);
/* Host path of the library for a libc; NULL when the distribution has no such build. */
const char *pj_dist_lib_path(const pj_dist *d, pj_libc libc);
/* The library's bytes (what is copied into a target's filesystem); NULL when absent. */
const uint8_t *pj_dist_lib_data(const pj_dist *d, pj_libc libc, size_t *len);

/*
 * Checks the tmp_dir ownership rule. Returns true, or false with a heap
 * message in *err.
 */
bool pj_dist_check_tmp_dir(const char *tmp_dir, char **err);

#endif

/*
 * The libc a process runs on, from its /proc/PID/maps text: musl when
 * ld-musl is mapped, glibc when libc.so.6 (or a Debian-style libc-*.so) is.
 * Returns 0 and sets *out, -ENOENT when neither is mapped (a static
 * binary), -EINVAL when both are.
 */
int pj_libc_from_maps(const char *maps, pj_libc *out);

/*
 * pj_libc_from_maps, falling back to looking for the dynamic loaders in the
 * process's root filesystem (rootfd from pj_safe_open_root). Returns 0 or
 * -1 with a message in err.
 */
int pj_libc_detect(const char *maps, int rootfd, pj_libc *out, char *err, size_t err_size);

/*
 * Places the library at the same absolute `path` inside a target's root
 * filesystem (rootfd from pj_safe_open_root), creating directories, never
 * following a symlink out of the root. An existing file must be
 * byte-identical. A destination on a noexec mount is refused with advice.
 * Returns 0, or -1 with a message in err.
 */
int pj_dist_copy_to_target(int rootfd, const char *path, const uint8_t *data, size_t len, char *err,
			   size_t err_size);
