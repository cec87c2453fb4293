/*
 * pyroscope.file: a receiver that writes every profile under `directory` as
 *
 *   <service_name|job|unknown_service>/<__name__>/<unix-ms>-<sample type>.pb.gz
 *   ... and <same>.labels.json beside it
 *
 * and keeps the directory within `retention` and `max_disk_bytes`. It is the
 * destination when no Pyroscope server is at hand; `go tool pprof` opens the
 * files as they are.
 */
#include "components/pyroscope_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "profile/gunzip.h"
#include "profile/gzip.h"
#include "profile/pb.h"
#include "profile/pprof_fold.h"
#include "runtime/log.h"
#include "runtime/receiver.h"

#define MAX_PROFILE_BYTES (64u << 20)
#define MAX_COLLAPSED_BYTES (16u << 20)
/* Retention is checked at least this often; the byte bound as soon as it is exceeded. */
#define RESCAN_NS (10 * 1000000000LL)

typedef struct file_state {
	pj_appendable app; /* first: append and release get the state by a cast */
	pj_component *self;
	pthread_mutex_t mu; /* serialises writes and cleanup */
	char *directory;
	int64_t retention_ns;
	int64_t max_disk_bytes;
	bool write_collapsed;
	/* Bytes of our files as of the last scan plus what was written since; scans are not free. */
	int64_t tracked_bytes;
	int64_t last_scan_ns; /* CLOCK_MONOTONIC */
	bool closed;
	pj_log_once *once;
} file_state;

bool pj_pprof_first_sample_type(const void *data, size_t len, pj_buf *out)
{
	pb_reader r = pb_reader_of(data, len);
	pb_field f;
	uint64_t type = 0;
	bool have_type = false;
	uint64_t index = 0;
	pb_reader name = {NULL, NULL};
	/* string_table may come before or after sample_type, so remember both. */
	pb_reader strings = r;
	while (r.p < r.end) {
		if (!pb_read_field(&r, &f))
			return false;
		if (f.number == 1 && f.wire == PB_WIRE_LEN && !have_type) {
			pb_field vt;
			while (f.payload.p < f.payload.end && pb_read_field(&f.payload, &vt)) {
				if (vt.number == 1 && vt.wire == PB_WIRE_VARINT)
					type = vt.varint;
			}
			have_type = true;
		}
	}
	while (have_type && strings.p < strings.end && pb_read_field(&strings, &f)) {
		if (f.number == 6 && f.wire == PB_WIRE_LEN && index++ == type) {
			name = f.payload;
			break;
		}
	}
	if (!name.p || name.p == name.end)
		return false;
	pj_buf_append(out, name.p, (size_t)(name.end - name.p));
	return true;
}

/* A label value as one safe path component: [A-Za-z0-9._-], never "." or "..". */
static void path_part(pj_buf *out, const char *s)
{
	size_t start = out->len;
	for (; *s && out->len - start < 128; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			  c == '_' || c == '-';
		pj_buf_putc(out, ok ? c : '_');
	}
	const char *part = out->data ? out->data + start : "";
	if (out->len == start || strcmp(part, ".") == 0 || strcmp(part, "..") == 0)
		pj_buf_putc(out, '_');
}

static const char *label_value(const pj_label *labels, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(labels[i].name, name) == 0 && *labels[i].value)
			return labels[i].value;
	}
	return NULL;
}

static bool mkdir_p(const char *path, char **err)
{
	char *copy = pj_strdup(path);
	for (char *p = copy + 1; ; p++) {
		if (*p != '/' && *p)
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
			*err = pj_asprintf("mkdir %s: %s", copy, strerror(errno));
			free(copy);
			return false;
		}
		if (!saved)
			break;
		*p = saved;
	}
	free(copy);
	return true;
}

static bool write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Creates base + suffix exclusively, adding "-1", "-2"... when a file of that name exists. */
static int create_unique(const char *base, const char *suffix, pj_buf *path)
{
	for (int i = 0; i < 1000; i++) {
		pj_buf_reset(path);
		if (i)
			pj_buf_printf(path, "%s-%d%s", base, i, suffix);
		else
			pj_buf_printf(path, "%s%s", base, suffix);
		int fd = open(path->data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

static void labels_json(pj_buf *out, const pj_label *labels, size_t n)
{
	pj_value *obj = pj_object_new();
	for (size_t i = 0; i < n; i++)
		pj_object_set(obj, labels[i].name, pj_cstring(labels[i].value));
	pj_value_write_json(out, obj);
	pj_buf_putc(out, '\n');
	pj_value_unref(obj);
}

/* One stored file, for cleanup. */
typedef struct stored {
	char *path;
	int64_t mtime_ns;
	int64_t size;
} stored;

typedef struct stored_list {
	stored *items;
	size_t len, cap;
	int64_t total;
} stored_list;

static bool ours(const char *name)
{
	size_t len = strlen(name);
	return (len > 6 && strcmp(name + len - 6, ".pb.gz") == 0) ||
	       (len > 12 && strcmp(name + len - 12, ".labels.json") == 0) ||
	       (len > 14 && strcmp(name + len - 14, ".collapsed.txt") == 0);
}

/* Collects our files below dir, without following symlinks. */
static void collect(const char *dir, int depth, stored_list *out)
{
	DIR *d = depth < 4 ? opendir(dir) : NULL;
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *path = pj_asprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			collect(path, depth + 1, out);
		} else if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && ours(e->d_name)) {
			out->items = pj_grow(out->items, &out->cap, out->len + 1, sizeof(*out->items));
			out->items[out->len++] = (stored){path, (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
				(int64_t)st.st_size};
			out->total += st.st_size;
			continue;
		}
		free(path);
	}
	closedir(d);
}

static int by_age(const void *a, const void *b)
{
	const stored *x = a, *y = b;
	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Removes files past retention, then the oldest until the total fits max_disk_bytes. */
static void enforce_limits(file_state *f)
{
	stored_list list = {0};
	collect(f->directory, 0, &list);
	if (list.len)
		qsort(list.items, list.len, sizeof(*list.items), by_age);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t cutoff = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec - f->retention_ns;
	for (size_t i = 0; i < list.len; i++) {
		bool expired = f->retention_ns > 0 && list.items[i].mtime_ns < cutoff;
		bool over = f->max_disk_bytes > 0 && list.total > f->max_disk_bytes;
		if ((expired || over) && unlink(list.items[i].path) == 0)
			list.total -= list.items[i].size;
		free(list.items[i].path);
	}
	free(list.items);
	f->tracked_bytes = list.total;
	struct timespec mono;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	f->last_scan_ns = (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec;
}

/* Scans again when the byte bound may be exceeded or the last scan is old. */
static void maybe_enforce_limits(file_state *f)
{
	struct timespec mono;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	int64_t now = (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec;
	if ((f->max_disk_bytes > 0 && f->tracked_bytes > f->max_disk_bytes) || now - f->last_scan_ns >= RESCAN_NS)
		enforce_limits(f);
}

/* "<directory>/<service>/<metric>/<unix-ms>-<type>" with its directories created. */
static bool sample_base(file_state *f, const pj_label *labels, size_t n, const char *type, pj_buf *base,
	char **err)
{
	const char *service = label_value(labels, n, "service_name");
	service = service ? service : label_value(labels, n, "job");
	const char *metric = label_value(labels, n, "__name__");
	pj_buf_printf(base, "%s/", f->directory);
	path_part(base, service ? service : "unknown_service");
	pj_buf_putc(base, '/');
	path_part(base, metric ? metric : "unknown");
	if (!mkdir_p(base->data, err))
		return false;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	pj_buf_printf(base, "/%lld-", (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	path_part(base, type);
	return true;
}

/* Writes the gzipped profile to a new <base>.pb.gz and the labels beside it. */
/* Writes text to <stem><suffix>, leaving the name in path for error messages. */
static bool write_beside(const char *stem, const char *suffix, const pj_buf *text, pj_buf *path)
{
	pj_buf_reset(path);
	pj_buf_printf(path, "%s%s", stem, suffix);
	int fd = open(path->data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	bool ok = fd >= 0 && write_all(fd, text->data ? text->data : "", text->len);
	return (fd < 0 || close(fd) == 0) && ok;
}

/*
 * Writes the gzipped profile to a new <base>.pb.gz, the labels beside it
 * and, when folded is not NULL, the folded stacks.
 */
static bool write_files(const char *base, const void *gz, size_t len, const pj_label *labels, size_t n,
	const pj_buf *folded, int64_t *written, char **err)
{
	pj_buf path = PJ_BUF_INIT, json = PJ_BUF_INIT;
	int fd = create_unique(base, ".pb.gz", &path);
	bool ok = fd >= 0 && write_all(fd, gz, len);
	ok = (fd < 0 || close(fd) == 0) && ok;
	char *stem = pj_strndup(pj_buf_cstr(&path), path.len >= 6 ? path.len - 6 : 0); /* without ".pb.gz" */
	if (ok) {
		labels_json(&json, labels, n);
		ok = write_beside(stem, ".labels.json", &json, &path);
		*written += (int64_t)(len + json.len);
	}
	if (ok && folded) {
		ok = write_beside(stem, ".collapsed.txt", folded, &path);
		*written += (int64_t)folded->len;
	}
	free(stem);
	if (!ok)
		*err = pj_asprintf("write %s: %s", pj_buf_cstr(&path), strerror(errno));
	pj_buf_free(&path);
	pj_buf_free(&json);
	return ok;
}

/* Writes one sample and its labels; false + *err. */
static bool store_sample(file_state *f, const pj_label *labels, size_t n, const pj_raw_sample *s, char **err)
{
	pj_buf raw = PJ_BUF_INIT, gz = PJ_BUF_INIT, type = PJ_BUF_INIT, base = PJ_BUF_INIT, folded = PJ_BUF_INIT;
	bool gzipped = gunzip_is_gzip(s->data, s->len);
	bool ok = gzipped ? gunzip_buf(s->data, s->len, MAX_PROFILE_BYTES, &raw, err) : gzip_buf(s->data, s->len, &gz);
	if (!ok && !gzipped)
		*err = pj_strdup("gzip failed");
	const void *pprof = gzipped ? raw.data : s->data;
	size_t pprof_len = gzipped ? raw.len : s->len;
	if (ok && !pj_pprof_first_sample_type(pprof, pprof_len, &type))
		pj_buf_puts(&type, "unknown");
	/* Text that cannot be folded (not pprof, too large) is simply left out. */
	bool fold = ok && f->write_collapsed && pprof_fold(pprof, pprof_len, MAX_COLLAPSED_BYTES, &folded);
	ok = ok && sample_base(f, labels, n, type.data, &base, err);
	ok = ok && write_files(base.data, gzipped ? s->data : gz.data, gzipped ? s->len : gz.len, labels, n,
			   fold ? &folded : NULL, &f->tracked_bytes, err);
	pj_buf_free(&folded);
	pj_buf_free(&raw);
	pj_buf_free(&gz);
	pj_buf_free(&type);
	pj_buf_free(&base);
	return ok;
}

static bool file_append(pj_appendable *a, const pj_label *labels, size_t nlabels, const pj_raw_sample *samples,
	size_t nsamples, char **err)
{
	file_state *f = (file_state *)a;
	pthread_mutex_lock(&f->mu);
	bool ok = !f->closed;
	if (!ok)
		*err = pj_strdup("pyroscope.file has shut down");
	for (size_t i = 0; ok && i < nsamples; i++)
		ok = store_sample(f, labels, nlabels, &samples[i], err);
	if (ok) {
		pj_log_once_clear(f->once, "write");
		maybe_enforce_limits(f);
	} else if (!f->closed) {
		pj_log_once_log(f->once, "write", *err, PJ_LOG_WARN, pj_component_id(f->self),
			"failed to store profile", NULL);
	}
	pthread_mutex_unlock(&f->mu);
	return ok;
}

static void file_release(pj_appendable *a)
{
	file_state *f = (file_state *)a;
	pthread_mutex_destroy(&f->mu);
	pj_log_once_free(f->once);
	free(f->directory);
	free(f);
}

static bool file_apply(file_state *f, const pj_value *args, char **err)
{
	const char *dir = pj_arg_str(args, "directory");
	if (!mkdir_p(dir, err))
		return false;
	pthread_mutex_lock(&f->mu);
	free(f->directory);
	f->directory = pj_strdup(dir);
	f->retention_ns = pj_arg_int(args, "retention");
	f->max_disk_bytes = pj_arg_int(args, "max_disk_bytes");
	f->write_collapsed = pj_arg_bool(args, "write_collapsed");
	enforce_limits(f);
	pthread_mutex_unlock(&f->mu);
	return true;
}

static void *file_build(pj_component *self, const pj_value *args, char **err)
{
	file_state *f = pj_calloc(1, sizeof(*f));
	f->self = self;
	f->once = pj_log_once_new();
	pthread_mutex_init(&f->mu, NULL);
	f->app.append = file_append;
	f->app.release = file_release;
	pj_appendable_init(&f->app);
	if (!file_apply(f, args, err)) {
		pj_appendable_unref(&f->app);
		return NULL;
	}
	pj_value *exports = pj_object_new();
	pj_object_set(exports, "receiver", pj_appendable_value(&f->app));
	pj_component_export(self, exports);
	return f;
}

static bool file_update(void *state, const pj_value *args, char **err)
{
	return file_apply(state, args, err);
}

static void file_destroy(void *state)
{
	file_state *f = state;
	pthread_mutex_lock(&f->mu);
	f->closed = true;
	pthread_mutex_unlock(&f->mu);
	pj_appendable_unref(&f->app);
}

static bool check_directory(const pj_value *v, char **err)
{
	if (*pj_value_str(v, NULL))
		return true;
	*err = pj_strdup("must not be empty");
	return false;
}

static bool check_not_negative(const pj_value *v, char **err)
{
	if (pj_value_int(v) >= 0)
		return true;
	*err = pj_strdup("must not be negative");
	return false;
}

static const pj_attr_schema file_attrs[] = {
	{"directory", &pj_type_string, NULL, true, check_directory},
	{"retention", &pj_type_duration, "\"24h\"", false, check_not_negative},
	{"max_disk_bytes", &pj_type_int, "1073741824", false, check_not_negative},
	{"write_collapsed", &pj_type_bool, "false", false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema file_schema = {file_attrs, NULL, NULL};
static const pj_attr_schema file_export_attrs[] = {
	{"receiver", &pj_type_receiver, NULL, false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema file_exports = {file_export_attrs, NULL, NULL};

const pj_component_type pj_pyroscope_file_type = {
	.name = "pyroscope.file",
	.args = &file_schema,
	.exports = &file_exports,
	.build = file_build,
	.update = file_update,
	.destroy = file_destroy,
};
