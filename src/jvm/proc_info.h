#ifndef PJ_JVM_PROC_INFO_H
#define PJ_JVM_PROC_INFO_H

/*
 * What the attach client needs to know about a target process, read from
 * /proc/PID. Everything is read through a /proc/PID directory descriptor
 * (pj_proc_open): once opened it keeps naming the same process, so a PID reused
 * by a new process after the target died makes every later read fail with
 * ESRCH instead of silently describing a stranger.
 *
 * The parsers take text and never allocate, so the attach client can also use
 * them in its forked child.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"

typedef struct pj_proc_status {
	pid_t nspid;          /* innermost PID (last NStgid:/NSpid: field); what the JVM calls itself */
	uid_t euid;           /* effective uid as seen from our user namespace */
	gid_t egid;
	char state;           /* first letter of State:, 'Z' for a zombie */
	uint64_t sig_blocked; /* SigBlk:, bit N-1 = signal N */
	uint64_t sig_ignored; /* SigIgn: */
	uint64_t sig_caught;  /* SigCgt: */
} pj_proc_status;

/* Opens /proc/PID as a directory descriptor (O_CLOEXEC). Returns the fd or -errno. */
int pj_proc_open(pid_t pid);

/*
 * Reads a /proc/PID file (name relative to the descriptor, e.g. "status") into
 * buf, NUL-terminated, at most size-1 bytes. Returns the length or -errno.
 * A dead process gives -ESRCH or -ENOENT.
 */
ssize_t pj_proc_read(int procfd, const char *name, char *buf, size_t size);

/* Same for files of any size (maps, cmdline, environ), up to `max` bytes. Returns 0 or -errno. */
int pj_proc_read_all(int procfd, const char *name, pj_buf *out, size_t max);

/* Parses a /proc/PID/status text. Returns 0, or -EINVAL if Uid:/Gid: is missing. */
int pj_proc_parse_status(const char *text, pj_proc_status *out);

/* Reads and parses /proc/PID/status. Returns 0 or -errno. */
int pj_proc_read_status(int procfd, pj_proc_status *out);

/*
 * True when a /proc/PID/maps text maps a file whose name (last path component)
 * starts with `libname` followed by ".so" or a '.'/'-' suffix, e.g. "libjvm"
 * matches ".../server/libjvm.so". When `path` is given, the first match's full
 * path is copied there (truncated to path_size).
 */
bool pj_proc_maps_find(const char *maps, const char *libname, char *path, size_t path_size);

/*
 * Whether a JVM started with this command line (NUL-separated, as in
 * /proc/PID/cmdline) and environment (/proc/PID/environ) has dynamic attach
 * disabled by -XX:+DisableAttachMechanism. The launcher reads options in the
 * order JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, command line, _JAVA_OPTIONS and
 * the last setting wins. Options hidden in @argfiles or -XX:Flags= files are
 * not seen. `environ` may be NULL when it cannot be read.
 */
bool pj_proc_attach_disabled(const char *cmdline, size_t cmdline_len, const char *environ,
			     size_t environ_len);

/* Field 22 of /proc/PID/stat (start time in clock ticks since boot). Returns 0 or -errno. */
int pj_proc_parse_start_time(const char *stat, unsigned long long *out);
int pj_proc_read_start_time(int procfd, unsigned long long *out);

/*
 * Sends `sig` (0 only checks) to the process behind procfd with
 * pidfd_send_signal, so a reused PID can never receive it; falls back to
 * kill(pid) on kernels without it. Returns 0 or -errno (-ESRCH: gone).
 */
int pj_proc_signal(int procfd, pid_t pid, int sig);

/*
 * False once the process has exited: gone entirely, or a zombie its parent
 * has not reaped yet (kill(pid, 0) still succeeds for those).
 */
bool pj_proc_alive(int procfd, pid_t pid);

#endif
