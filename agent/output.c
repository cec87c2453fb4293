#include "output.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "symbols.h"
#include "threads.h"

bool ag_output_dir_writable(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	if (!slash)
		return access(".", W_OK | X_OK) == 0;
	size_t n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir))
		return false;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return access(dir, W_OK | X_OK) == 0;
}

static bool write_out(const char *file, const void *data, size_t len, char *err, size_t errlen)
{
	FILE *f = file ? fopen(file, "w") : stdout;
	if (!f) {
		snprintf(err, errlen, "Could not open output file: %s (%s)", file, strerror(errno));
		return false;
	}
	bool ok = fwrite(data, 1, len, f) == len;
	ok = (file ? fclose(f) : fflush(f)) == 0 && ok;
	if (!ok)
		snprintf(err, errlen, "Could not write %s", file ? file : "standard output");
	return ok;
}

bool ag_output_string(const char *file, const char *text, char *err, size_t errlen)
{
	return write_out(file, text, strlen(text), err, errlen);
}

/* Stack counts per (thread or 0, trace). */
typedef struct tally {
	ag_intern keys;
	uint64_t *counts;
	uint32_t cap;
	uint64_t total;
} tally;

/* Makes room for the count of key `id`. */
static bool tally_grow(tally *t, uint32_t id)
{
	if (id <= t->cap)
		return true;
	uint32_t cap = t->cap ? t->cap * 2 : 256;
	while (cap < id)
		cap *= 2;
	uint64_t *c = realloc(t->counts, cap * sizeof(*c));
	if (!c)
		return false;
	memset(c + t->cap, 0, (cap - t->cap) * sizeof(*c));
	t->counts = c;
	t->cap = cap;
	return true;
}

static bool tally_add(tally *t, uint32_t tid, uint32_t trace, uint64_t n)
{
	uint32_t key[2] = {tid, trace};
	uint32_t id = ag_intern_id(&t->keys, key, sizeof(key));
	if (!id || !tally_grow(t, id))
		return false;
	t->counts[id - 1] += n;
	t->total += n;
	return true;
}

static void frame_name(ag_buf *b, const ag_frame *f)
{
	ag_frame_desc d;
	ag_describe_frame(f, &d);
	if (d.synthetic)
		ag_buf_printf(b, "%s", d.synthetic);
	else if (d.native_name)
		ag_buf_printf(b, "%s", d.native_name);
	else
		ag_buf_printf(b, "%s.%s", d.method->cls, d.method->name);
}

/* The stack of `key` as one collapsed line without its count, root first. */
static void collapsed_stack(ag_buf *b, ag_window *w, const uint32_t key[2], const ag_threads *names)
{
	if (key[0]) {
		ag_thread_info info;
		ag_threads_lookup(names, key[0], &info);
		ag_buf_printf(b, "[%s tid=%u];", info.name, key[0]);
	}
	const ag_trace *t = &w->traces[key[1] - 1];
	const ag_frame *frames = &w->frames[t->frames_off];
	for (uint32_t i = ag_trace_depth(frames, t->nframes); i-- > 0;) {
		frame_name(b, &frames[i]);
		if (i)
			ag_buf_u8(b, ';');
	}
}

/* Traces that differ only in bci print alike: merge them by their text. */
static void collapsed(ag_buf *out, ag_window *w, tally *t, bool threads)
{
	ag_threads *names = threads ? ag_threads_snapshot() : NULL;
	tally lines = {0};
	for (uint32_t id = 1; id <= t->keys.count; id++) {
		uint32_t key[2];
		memcpy(key, ag_intern_key(&t->keys, id), sizeof(key));
		ag_buf line = {0};
		collapsed_stack(&line, w, key, names);
		uint32_t lid = line.failed ? 0 : ag_intern_id(&lines.keys, line.data, line.len);
		ag_buf_free(&line);
		if (!lid || !tally_grow(&lines, lid)) {
			out->failed = true;
			break;
		}
		lines.counts[lid - 1] += t->counts[id - 1];
	}
	for (uint32_t id = 1; id <= lines.keys.count; id++)
		ag_buf_printf(out, "%s %llu\n", ag_intern_key(&lines.keys, id),
			(unsigned long long)lines.counts[id - 1]);
	ag_threads_free(names);
	ag_intern_free(&lines.keys);
	free(lines.counts);
}

static const tally *sort_tally;

static int by_count_desc(const void *a, const void *b)
{
	uint64_t x = sort_tally->counts[*(const uint32_t *)a];
	uint64_t y = sort_tally->counts[*(const uint32_t *)b];
	return x < y ? 1 : x > y ? -1 : 0;
}

static void text_summary(ag_buf *b, ag_window *w, tally *t)
{
	ag_buf_printf(b, "--- Execution profile ---\nTotal samples       : %llu\n",
		(unsigned long long)t->total);
	ag_buf_printf(b, "Dropped samples     : %llu\n", (unsigned long long)atomic_load(&w->dropped));
	uint32_t *order = malloc(sizeof(uint32_t) * (t->keys.count + 1));
	if (!order) {
		b->failed = true;
		return;
	}
	for (uint32_t i = 0; i < t->keys.count; i++)
		order[i] = i;
	sort_tally = t;
	qsort(order, t->keys.count, sizeof(*order), by_count_desc);
	for (uint32_t i = 0; i < t->keys.count; i++) {
		uint32_t key[2];
		memcpy(key, ag_intern_key(&t->keys, order[i] + 1), sizeof(key));
		uint64_t c = t->counts[order[i]];
		ag_buf_printf(b, "\n--- %llu samples (%.2f%%)\n", (unsigned long long)c,
			t->total ? 100.0 * (double)c / (double)t->total : 0.0);
		const ag_trace *tr = &w->traces[key[1] - 1];
		const ag_frame *frames = &w->frames[tr->frames_off];
		for (uint32_t k = 0, depth = ag_trace_depth(frames, tr->nframes); k < depth; k++) {
			ag_buf_printf(b, "  [%2u] ", k);
			frame_name(b, &frames[k]);
			ag_buf_u8(b, '\n');
		}
	}
	free(order);
}

bool ag_output_text(ag_window *w, ag_output fmt, const char *file, bool threads, char *err,
	size_t errlen)
{
	if (fmt != AG_OUTPUT_TEXT && fmt != AG_OUTPUT_COLLAPSED) {
		snprintf(err, errlen, "Unsupported output format: use jfr, collapsed or traces");
		return false;
	}
	tally t = {0};
	uint64_t n = atomic_load(&w->event_used);
	n = n < w->event_cap ? n : w->event_cap;
	bool ok = true;
	for (uint64_t i = 0; i < n && ok; i++) {
		const ag_event *e = &w->events[i];
		if (e->trace)
			ok = tally_add(&t, fmt == AG_OUTPUT_COLLAPSED && threads ? e->tid : 0, e->trace,
				e->samples ? e->samples : 1);
	}
	ag_buf b = {0};
	if (fmt == AG_OUTPUT_TEXT) {
		text_summary(&b, w, &t);
	} else {
		collapsed(&b, w, &t, threads);
	}
	if (!ok || b.failed) {
		snprintf(err, errlen, "Not enough memory for the output");
		ok = false;
	} else {
		ok = write_out(file, b.data, b.len, err, errlen);
	}
	ag_buf_free(&b);
	ag_intern_free(&t.keys);
	free(t.counts);
	return ok;
}
