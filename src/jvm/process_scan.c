#include "jvm/process_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/hmap.h"

#define MAX_FILE_BYTES (16u << 20) /* far above ARG_MAX; bounds a hostile fake /proc */
#define MAX_LINK_BYTES 65536u

typedef struct user_entry {
	uid_t uid;
	char *name; /* NULL: no such user */
} user_entry;

typedef struct scan {
	const pj_process_discover_config *cfg;
	const pj_process_scan_options *opt;
	int proc_fd;
	int cgroup_fd;
	pj_buf file; /* contents of the file just read */
	pj_buf text; /* a label value being built */
	user_entry *users; /* uid -> name, for this scan only */
	size_t nusers, users_cap;
	pj_process_scan_stats st;
} scan;

/* Reads dirfd/path whole into out. Returns 0 or an errno value. */
static int read_file_at(int dirfd, const char *path, pj_buf *out)
{
	pj_buf_reset(out);
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno;
	int rc = 0;
	for (;;) {
		pj_buf_reserve(out, 4096);
		size_t room = out->cap - out->len - 1;
		ssize_t n = read(fd, out->data + out->len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = errno;
			break;
		}
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		/*
		 * proc files (seq_file, cmdline) and regular files fill the buffer
		 * unless they hit the end, so a short read saves the read() that
		 * would return 0: one syscall per file, a tenth of a scan.
		 */
		if ((size_t)n < room)
			break;
		if (out->len > MAX_FILE_BYTES) {
			rc = EFBIG;
			break;
		}
	}
	close(fd);
	return rc;
}

/* readlinkat into out, growing the buffer until the target fits. Returns 0 or an errno value. */
static int read_link_at(int dirfd, const char *path, pj_buf *out)
{
	pj_buf_reset(out);
	for (size_t size = 256; size <= MAX_LINK_BYTES; size *= 2) {
		pj_buf_reserve(out, size + 1);
		ssize_t n = readlinkat(dirfd, path, out->data, size);
		if (n < 0)
			return errno;
		if ((size_t)n < size) {
			out->len = (size_t)n;
			out->data[n] = '\0';
			return 0;
		}
	}
	return ENAMETOOLONG;
}

/* Sorts out a failed read: gone processes are expected, anything else is reported. */
static void note_error(scan *s, int pid, const char *what, int err, bool skipped)
{
	if (err == ENOENT || err == ESRCH) {
		s->st.gone += skipped;
		return;
	}
	s->st.failed += skipped;
	if (s->opt->on_error)
		s->opt->on_error(s->opt->ctx, pid, what, err);
}

/* cmdline: NUL-separated arguments, empty ones dropped, joined with single spaces. */
static void join_cmdline(const pj_buf *raw, pj_buf *out)
{
	pj_buf_reset(out);
	for (size_t i = 0; i < raw->len;) {
		const char *arg = raw->data + i;
		size_t n = strnlen(arg, raw->len - i);
		if (n > 0) {
			if (out->len > 0)
				pj_buf_putc(out, ' ');
			pj_buf_append(out, arg, n);
		}
		i += n + 1;
	}
}

/* The real UID: the first number on the Uid: line of status. */
static bool parse_status_uid(const pj_buf *status, unsigned long *uid)
{
	const char *s = pj_buf_cstr(status);
	const char *line = strncmp(s, "Uid:", 4) == 0 ? s : strstr(s, "\nUid:");
	if (!line)
		return false;
	line += line[0] == '\n' ? 5 : 4;
	while (*line == '\t' || *line == ' ')
		line++;
	char *end;
	errno = 0;
	unsigned long v = strtoul(line, &end, 10);
	if (end == line || errno != 0 || v > UINT32_MAX)
		return false;
	*uid = v;
	return true;
}

/* Looks a UID up once per scan; *name is NULL for an unknown user. Returns 0 or an errno value. */
static int lookup_user(scan *s, uid_t uid, const char **name)
{
	for (size_t i = 0; i < s->nusers; i++)
		if (s->users[i].uid == uid) {
			*name = s->users[i].name;
			return 0;
		}
	struct passwd pw, *res = NULL;
	size_t size = 4096;
	char *buf = pj_malloc(size);
	int rc;
	while ((rc = getpwuid_r(uid, &pw, buf, size, &res)) == ERANGE && size < (1u << 20)) {
		size *= 2;
		buf = pj_realloc(buf, size);
	}
	if (rc != 0) {
		free(buf);
		return rc;
	}
	s->users = pj_grow(s->users, &s->users_cap, s->nusers + 1, sizeof(user_entry));
	s->users[s->nusers++] = (user_entry){uid, res ? pj_strdup(res->pw_name) : NULL};
	free(buf);
	*name = s->users[s->nusers - 1].name;
	return 0;
}

static void add_uid_labels(scan *s, int pid, const char *pidstr, pj_labels *t)
{
	char path[32];
	snprintf(path, sizeof path, "%s/status", pidstr);
	int err = read_file_at(s->proc_fd, path, &s->file);
	unsigned long uid;
	if (err != 0) {
		note_error(s, pid, "status", err, false);
		return;
	}
	if (!parse_status_uid(&s->file, &uid))
		return;
	if (s->cfg->uid) {
		char num[24];
		snprintf(num, sizeof num, "%lu", uid);
		pj_labels_set(t, PJ_LABEL_PROCESS_UID, num);
	}
	if (s->cfg->username) {
		const char *name = NULL;
		err = lookup_user(s, (uid_t)uid, &name);
		if (err != 0)
			note_error(s, pid, "username", err, false);
		else if (name)
			pj_labels_set(t, PJ_LABEL_PROCESS_USERNAME, name);
	}
}

/* Container ID from the first matching line, and every line joined with '|'. */
static void add_cgroup_labels(scan *s, pj_labels *t)
{
	const char *data = pj_buf_cstr(&s->file);
	size_t len = s->file.len;
	pj_buf_reset(&s->text);
	bool have_id = false;
	size_t nlines = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t line_len = end - i;
		if (line_len > 0 && data[i + line_len - 1] == '\r')
			line_len--; /* as Go's line scanner does */
		const char *id;
		if (s->cfg->container_id && !have_id && pj_container_id_from_cgroup_line(data + i, line_len, &id)) {
			pj_labels_setn(t, PJ_LABEL_CONTAINER_ID, strlen(PJ_LABEL_CONTAINER_ID), id, 64);
			have_id = true;
		}
		if (nlines++ > 0)
			pj_buf_putc(&s->text, '|');
		pj_buf_append(&s->text, data + i, line_len);
		i = end + 1;
	}
	if (s->cfg->cgroup_path)
		pj_labels_setn(t, PJ_LABEL_PROCESS_CGROUP_PATH, strlen(PJ_LABEL_PROCESS_CGROUP_PATH),
			pj_buf_cstr(&s->text), s->text.len);
}

/* A label read from a link; false if the process has to be skipped. */
static bool add_link_label(scan *s, int pid, const char *pidstr, const char *file, const char *label, pj_labels *t)
{
	char path[32];
	snprintf(path, sizeof path, "%s/%s", pidstr, file);
	int err = read_link_at(s->proc_fd, path, &s->text);
	if (err != 0) {
		note_error(s, pid, file, err, true);
		return false;
	}
	pj_labels_setn(t, label, strlen(label), pj_buf_cstr(&s->text), s->text.len);
	return true;
}

/* Builds the target of one process in t; false if the process is skipped. */
static bool scan_process(scan *s, int pid, pj_labels *t)
{
	char pidstr[16], path[32];
	snprintf(pidstr, sizeof pidstr, "%d", pid);
	pj_labels_set(t, PJ_LABEL_PROCESS_PID, pidstr);
	const pj_process_discover_config *cfg = s->cfg;
	if (cfg->exe && !add_link_label(s, pid, pidstr, "exe", PJ_LABEL_PROCESS_EXE, t))
		return false;
	if (cfg->cwd && !add_link_label(s, pid, pidstr, "cwd", PJ_LABEL_PROCESS_CWD, t))
		return false;
	if (cfg->commandline) {
		snprintf(path, sizeof path, "%s/cmdline", pidstr);
		int err = read_file_at(s->proc_fd, path, &s->file);
		if (err != 0) {
			note_error(s, pid, "cmdline", err, true);
			return false;
		}
		join_cmdline(&s->file, &s->text);
		pj_labels_setn(t, PJ_LABEL_PROCESS_COMMANDLINE, strlen(PJ_LABEL_PROCESS_COMMANDLINE),
			pj_buf_cstr(&s->text), s->text.len);
	}
	if (cfg->uid || cfg->username)
		add_uid_labels(s, pid, pidstr, t);
	if (cfg->container_id || cfg->cgroup_path) {
		snprintf(path, sizeof path, "%s/cgroup", pidstr);
		int err = read_file_at(s->cgroup_fd, path, &s->file);
		if (err != 0) {
			note_error(s, pid, "cgroup", err, true);
			return false;
		}
		add_cgroup_labels(s, t);
	}
	return true;
}

static int compare_pids(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* A /proc entry name that is a PID: digits only, no leading zero, fits an int. */
static bool parse_pid(const char *name, int *pid)
{
	if (name[0] < '1' || name[0] > '9')
		return false;
	long v = 0;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return false;
	}
	*pid = (int)v;
	return true;
}

/* Every PID in the directory, sorted (gopsutil sorts too). */
static bool list_pids(int dirfd, int **pids, size_t *n)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	size_t cap = 0;
	*pids = NULL;
	*n = 0;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		int pid;
		if (!parse_pid(e->d_name, &pid))
			continue;
		*pids = pj_grow(*pids, &cap, *n + 1, sizeof(int));
		(*pids)[(*n)++] = pid;
	}
	bool ok = errno == 0;
	closedir(d);
	qsort(*pids, *n, sizeof(int), compare_pids);
	return ok;
}

static int open_dir(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void scan_release(scan *s)
{
	if (s->cgroup_fd >= 0 && s->cgroup_fd != s->proc_fd)
		close(s->cgroup_fd);
	if (s->proc_fd >= 0)
		close(s->proc_fd);
	pj_buf_free(&s->file);
	pj_buf_free(&s->text);
	for (size_t i = 0; i < s->nusers; i++)
		free(s->users[i].name);
	free(s->users);
}

bool pj_process_scan(const pj_process_discover_config *cfg, const pj_process_scan_options *opt, pj_targets *out,
	pj_process_scan_stats *stats, char **err)
{
	static const pj_process_scan_options no_options;
	opt = opt ? opt : &no_options;
	const char *root = opt->proc_root ? opt->proc_root : "/proc";
	scan s = {.cfg = cfg, .opt = opt, .proc_fd = open_dir(root), .cgroup_fd = -1};
	int *pids = NULL;
	size_t n = 0;
	const char *failed = NULL;
	if (s.proc_fd < 0 || !list_pids(s.proc_fd, &pids, &n))
		failed = root;
	else if ((s.cgroup_fd = opt->cgroup_root ? open_dir(opt->cgroup_root) : s.proc_fd) < 0)
		failed = opt->cgroup_root;
	if (failed) {
		*err = pj_asprintf("failed to list processes: %s: %s", failed, strerror(errno));
		scan_release(&s);
		free(pids);
		return false;
	}
	s.st.listed = n;
	pj_labels t = PJ_LABELS_INIT;
	for (size_t i = 0; i < n; i++) {
		pj_labels_clear(&t);
		if (!scan_process(&s, pids[i], &t))
			continue;
		pj_targets_push_move(out, &t);
		s.st.emitted++;
	}
	pj_labels_free(&t);
	free(pids);
	if (stats)
		*stats = s.st;
	scan_release(&s);
	return true;
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Go's \s: tab, newline, form feed, carriage return, space. */
static bool is_go_space(char c)
{
	return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

/* 64 hex digits at q followed by '.' or by only whitespace up to the end. */
static bool id_at(const char *line, size_t len, size_t q)
{
	if (len - q < 64)
		return false;
	for (size_t k = q; k < q + 64; k++)
		if (!is_lower_hex(line[k]))
			return false;
	size_t k = q + 64;
	if (k < len && line[k] == '.')
		return true;
	while (k < len && is_go_space(line[k]))
		k++;
	return k == len;
}

/*
 * The regex's preference order, reproduced by hand: the greedy `.*\/` tries
 * the last slash first; within it, the greedy `(?:.*-)?` tries the last dash
 * first and going without a prefix last.
 */
bool pj_container_id_from_cgroup_line(const char *line, size_t len, const char **id)
{
	for (size_t slash = len; slash-- > 0;) {
		if (line[slash] != '/')
			continue;
		for (size_t dash = len; dash-- > slash + 1;) {
			if (line[dash] == '-' && id_at(line, len, dash + 1)) {
				*id = line + dash + 1;
				return true;
			}
		}
		if (id_at(line, len, slash + 1)) {
			*id = line + slash + 1;
			return true;
		}
	}
	return false;
}

const char *pj_container_id_of_target(const pj_labels *t, size_t *len)
{
	static const char *const prefixes[] = {"docker://", "containerd://", "cri-o://"};
	const pj_label *lb = pj_labels_find(t, PJ_LABEL_CONTAINER_ID, strlen(PJ_LABEL_CONTAINER_ID));
	if (lb) {
		*len = lb->value_len;
		return lb->value;
	}
	lb = pj_labels_find(t, "__meta_kubernetes_pod_container_id", 34);
	if (lb) {
		for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
			size_t plen = strlen(prefixes[i]);
			if (lb->value_len < plen || memcmp(lb->value, prefixes[i], plen) != 0)
				continue;
			*len = lb->value_len - plen;
			return *len > 0 ? lb->value + plen : NULL;
		}
		return NULL;
	}
	lb = pj_labels_find(t, "__meta_docker_container_id", 26);
	if (lb) {
		*len = lb->value_len;
		return lb->value;
	}
	return NULL;
}

void pj_process_join(const pj_targets *processes, const pj_targets *join, pj_targets *out)
{
	pj_hmap by_id = PJ_HMAP_INIT; /* container ID -> join target; insertion ordered */
	for (size_t i = 0; join && i < join->len; i++) {
		size_t len;
		const char *cid = pj_container_id_of_target(&join->items[i], &len);
		if (cid)
			pj_hmap_put(&by_id, cid, len, &join->items[i]);
		else
			pj_targets_push_copy(out, &join->items[i]);
	}
	for (size_t i = 0; i < processes->len; i++) {
		const pj_labels *p = &processes->items[i];
		size_t len;
		const char *cid = pj_container_id_of_target(p, &len);
		const pj_labels *match = cid ? pj_hmap_get(&by_id, cid, len) : NULL;
		pj_labels *merged = pj_targets_push(out);
		pj_labels_copy(merged, p);
		for (size_t k = 0; match && k < match->len; k++) {
			const pj_label *lb = &match->items[k];
			pj_labels_setn(merged, lb->name, lb->name_len, lb->value, lb->value_len);
		}
	}
	for (size_t i = 0; i < by_id.len; i++)
		if (by_id.entries[i].key)
			pj_targets_push_copy(out, by_id.entries[i].value);
	pj_hmap_free(&by_id);
}
