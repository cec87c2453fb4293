/*
 * /proc/PID readers and parsers for the attach client. The parsers work on
 * plain text and never allocate: the attach child calls them after fork().
 */
#include "jvm/proc_info.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fileio.h"

int pj_proc_open(pid_t pid)
{
	char path[32];
	if (pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

ssize_t pj_proc_read(int procfd, const char *name, char *buf, size_t size)
{
	if (size == 0)
		return -EINVAL;
	int fd = openat(procfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = 0;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

int pj_proc_read_all(int procfd, const char *name, pj_buf *out, size_t max)
{
	int fd = openat(procfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	pj_buf_reset(out);
	int err = pj_read_fd(fd, out, max);
	close(fd);
	return -err;
}

/* The value after "Key:" at the start of a line, or NULL. */
static const char *status_field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *line = text; line && *line;) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			return line + klen + 1;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

/* Reads the n-th (0-based) whitespace-separated number of a status value. */
static int field_number(const char *value, int n, unsigned long long *out)
{
	const char *p = value;
	for (int i = 0;; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		char *end;
		errno = 0;
		unsigned long long v = strtoull(p, &end, 10);
		if (errno != 0)
			return -EINVAL;
		if (i == n) {
			*out = v;
			return 0;
		}
		p = end;
	}
}

/* The last number of a status value (NStgid: 7271 1 -> 1). */
static int last_number(const char *value, unsigned long long *out)
{
	int found = -EINVAL;
	const char *p = value;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			return found;
		char *end;
		errno = 0;
		unsigned long long v = strtoull(p, &end, 10);
		if (errno != 0)
			return -EINVAL;
		*out = v;
		found = 0;
		p = end;
	}
}

static uint64_t hex_mask(const char *value)
{
	if (!value)
		return 0;
	return strtoull(value, NULL, 16);
}

int pj_proc_parse_status(const char *text, pj_proc_status *out)
{
	memset(out, 0, sizeof(*out));
	unsigned long long uid, gid, nspid = 0, pid = 0;
	const char *v = status_field(text, "Uid");
	if (!v || field_number(v, 1, &uid) != 0)
		return -EINVAL;
	v = status_field(text, "Gid");
	if (!v || field_number(v, 1, &gid) != 0)
		return -EINVAL;
	/* Kernels before 4.1 have no NStgid:; then the process is in our namespace. */
	v = status_field(text, "NStgid");
	if (!v)
		v = status_field(text, "NSpid");
	if (!v || last_number(v, &nspid) != 0) {
		v = status_field(text, "Tgid");
		if (!v || last_number(v, &pid) != 0)
			return -EINVAL;
		nspid = pid;
	}
	if (nspid == 0 || nspid > INT32_MAX || uid > UINT32_MAX || gid > UINT32_MAX)
		return -EINVAL;
	out->nspid = (pid_t)nspid;
	out->euid = (uid_t)uid;
	out->egid = (gid_t)gid;
	v = status_field(text, "State");
	while (v && (*v == ' ' || *v == '\t'))
		v++;
	out->state = v ? *v : '?';
	out->sig_blocked = hex_mask(status_field(text, "SigBlk"));
	out->sig_ignored = hex_mask(status_field(text, "SigIgn"));
	out->sig_caught = hex_mask(status_field(text, "SigCgt"));
	return 0;
}

int pj_proc_read_status(int procfd, pj_proc_status *out)
{
	char text[8192];
	ssize_t n = pj_proc_read(procfd, "status", text, sizeof(text));
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ESRCH;
	return pj_proc_parse_status(text, out);
}

static bool basename_matches(const char *name, size_t len, const char *libname)
{
	size_t llen = strlen(libname);
	if (len <= llen || memcmp(name, libname, llen) != 0)
		return false;
	return name[llen] == '.' || name[llen] == '-';
}

bool pj_proc_maps_find(const char *maps, const char *libname, char *path, size_t path_size)
{
	for (const char *line = maps; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		/* The path is the sixth field and the only one starting with '/'. */
		const char *p = memchr(line, '/', len);
		if (p) {
			size_t plen = len - (size_t)(p - line);
			const char *base = p;
			for (const char *q = p; q < p + plen; q++)
				if (*q == '/')
					base = q + 1;
			if (basename_matches(base, plen - (size_t)(base - p), libname)) {
				if (path && path_size > 0) {
					size_t n = plen < path_size - 1 ? plen : path_size - 1;
					memcpy(path, p, n);
					path[n] = '\0';
				}
				return true;
			}
		}
		if (!end)
			break;
		line = end + 1;
	}
	return false;
}

/* Applies every DisableAttachMechanism option among `sep`-separated words. */
static void scan_attach_flag(const char *s, size_t len, char sep, int *state)
{
	static const char flag[] = "DisableAttachMechanism";
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != sep && !(sep == ' ' && (s[j] == '\t' || s[j] == '\n')))
			j++;
		size_t wlen = j - i;
		if (wlen == 5 + sizeof(flag) - 1 && memcmp(s + i, "-XX:", 4) == 0 &&
		    memcmp(s + i + 5, flag, sizeof(flag) - 1) == 0) {
			if (s[i + 4] == '+')
				*state = 1;
			else if (s[i + 4] == '-')
				*state = 0;
		}
		i = j + 1;
	}
}

/* The value of NAME in a NUL-separated environment block, or NULL. */
static const char *env_value(const char *env, size_t len, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);
	size_t i = 0;
	while (i < len) {
		const char *entry = env + i;
		const char *nul = memchr(entry, '\0', len - i);
		size_t elen = nul ? (size_t)(nul - entry) : len - i;
		if (elen > nlen && memcmp(entry, name, nlen) == 0 && entry[nlen] == '=') {
			*vlen = elen - nlen - 1;
			return entry + nlen + 1;
		}
		i += elen + 1;
	}
	return NULL;
}

bool pj_proc_attach_disabled(const char *cmdline, size_t cmdline_len, const char *environ,
			     size_t environ_len)
{
	int state = 0;
	const char *v;
	size_t vlen;
	if (environ && (v = env_value(environ, environ_len, "JAVA_TOOL_OPTIONS", &vlen)))
		scan_attach_flag(v, vlen, ' ', &state);
	if (environ && (v = env_value(environ, environ_len, "JDK_JAVA_OPTIONS", &vlen)))
		scan_attach_flag(v, vlen, ' ', &state);
	scan_attach_flag(cmdline, cmdline_len, '\0', &state);
	if (environ && (v = env_value(environ, environ_len, "_JAVA_OPTIONS", &vlen)))
		scan_attach_flag(v, vlen, ' ', &state);
	return state == 1;
}

int pj_proc_parse_start_time(const char *stat, unsigned long long *out)
{
	/* The command name (field 2) may contain spaces and ')': skip to the last ')'. */
	const char *p = strrchr(stat, ')');
	if (!p)
		return -EINVAL;
	p++;
	/* Field 3 (state) follows; starttime is field 22, i.e. 20 fields further. */
	for (int field = 3; field < 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -EINVAL;
		while (*p && *p != ' ')
			p++;
	}
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	*out = strtoull(p, NULL, 10);
	return 0;
}

int pj_proc_read_start_time(int procfd, unsigned long long *out)
{
	char text[1024];
	ssize_t n = pj_proc_read(procfd, "stat", text, sizeof(text));
	if (n < 0)
		return (int)n;
	return pj_proc_parse_start_time(text, out);
}

int pj_proc_signal(int procfd, pid_t pid, int sig)
{
#ifdef SYS_pidfd_send_signal
	if (syscall(SYS_pidfd_send_signal, procfd, sig, NULL, 0) == 0)
		return 0;
	if (errno != ENOSYS && errno != EBADF)
		return -errno;
#else
	(void)procfd;
#endif
	return kill(pid, sig) == 0 ? 0 : -errno;
}

bool pj_proc_alive(int procfd, pid_t pid)
{
	if (pj_proc_signal(procfd, pid, 0) == -ESRCH)
		return false;
	pj_proc_status st;
	int r = pj_proc_read_status(procfd, &st);
	if (r == -ESRCH || r == -ENOENT)
		return false;
	return r != 0 || (st.state != 'Z' && st.state != 'X');
}
