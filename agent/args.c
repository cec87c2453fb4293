#include "args.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * async-profiler matches keys by packing the low 5 bits of up to 12
 * characters into one number: case does not matter and a few punctuation
 * characters alias letters. Matching the same way keeps option strings that
 * work there working here.
 */
static uint64_t key_hash(const char *s)
{
	uint64_t h = 0;
	for (int i = 0; i < 12 && s[i]; i++)
		h |= (uint64_t)(s[i] & 31) << (5 * i);
	return h;
}

static bool key_is(uint64_t h, const char *name)
{
	return h == key_hash(name);
}

long ag_parse_units(const char *s, ag_units units)
{
	if (!s || !*s)
		return -1;
	char *end;
	long v = strtol(s, &end, 0);
	if (end == s)
		return -1;
	if (*end == '\0')
		return v;
	char c = (char)(*end | 0x20);
	long mul;
	switch (units) {
	case AG_UNITS_NANOS:
		mul = c == 'n' ? 1 : c == 'u' ? 1000 : c == 'm' ? 1000000 : c == 's' ? 1000000000 : -1;
		break;
	case AG_UNITS_BYTES:
		mul = c == 'b' ? 1 : c == 'k' ? 1L << 10 : c == 'm' ? 1L << 20 : c == 'g' ? 1L << 30 : -1;
		break;
	case AG_UNITS_SECONDS:
		mul = c == 's' ? 1 : c == 'm' ? 60 : c == 'h' ? 3600 : c == 'd' ? 86400 : -1;
		break;
	default:
		mul = c == 'n' || c == 'b' ? 1
			: c == 'u' || c == 'k' ? 1000
			: c == 'm' ? 1000000
			: c == 's' || c == 'g' ? 1000000000
			: -1;
		break;
	}
	return mul < 0 ? -1 : v * mul;
}

static long wall_clock_timeout(const char *s, long now)
{
	int hh, mm, ss = 0;
	char tail;
	int n = sscanf(s, "%d:%d:%d%c", &hh, &mm, &ss, &tail);
	if (n != 2 && n != 3)
		return -1;
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
		return -1;
	time_t t = (time_t)now;
	struct tm tm;
	if (!localtime_r(&t, &tm))
		return -1;
	long target = hh * 3600L + mm * 60L + ss;
	long cur = tm.tm_hour * 3600L + tm.tm_min * 60L + tm.tm_sec;
	return target > cur ? target - cur : target - cur + 86400;
}

long ag_parse_timeout(const char *s, long now)
{
	if (!s || !*s)
		return -1;
	if (strchr(s, ':'))
		return wall_clock_timeout(s, now);
	long v = ag_parse_units(s, AG_UNITS_SECONDS);
	return v < 0 ? -1 : v;
}

static void set_error(ag_args *a, const char *msg)
{
	if (!a->error)
		a->error = msg;
}

static void parse_event(ag_args *a, const char *value)
{
	if (!value || !*value) {
		set_error(a, "event must not be empty");
	} else if (strcmp(value, "alloc") == 0) {
		if (a->alloc < 0)
			a->alloc = 0;
	} else if (strcmp(value, "lock") == 0) {
		if (a->lock < 0)
			a->lock = AG_DEFAULT_LOCK;
	} else if (a->event) {
		set_error(a, "Duplicate event argument");
	} else {
		a->event = value;
	}
}

static bool parse_action(ag_args *a, uint64_t h)
{
	static const struct {
		const char *name;
		ag_action action;
	} actions[] = {
		{"start", AG_ACTION_START}, {"resume", AG_ACTION_RESUME}, {"stop", AG_ACTION_STOP},
		{"dump", AG_ACTION_DUMP}, {"check", AG_ACTION_CHECK}, {"status", AG_ACTION_STATUS},
		{"version", AG_ACTION_VERSION},
	};
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (key_is(h, actions[i].name)) {
			a->action = actions[i].action;
			return true;
		}
	}
	return false;
}

static bool parse_output(ag_args *a, uint64_t h)
{
	if (key_is(h, "jfr"))
		a->output = AG_OUTPUT_JFR;
	else if (key_is(h, "collapsed") || key_is(h, "folded"))
		a->output = AG_OUTPUT_COLLAPSED;
	else if (key_is(h, "flamegraph") || key_is(h, "html"))
		a->output = AG_OUTPUT_FLAMEGRAPH;
	else if (key_is(h, "tree"))
		a->output = AG_OUTPUT_TREE;
	else if (key_is(h, "traces") || key_is(h, "flat") || key_is(h, "summary"))
		a->output = AG_OUTPUT_TEXT;
	else
		return false;
	return true;
}

/* Options that take a number with units. */
static bool parse_amount(ag_args *a, uint64_t h, const char *value)
{
	if (key_is(h, "interval")) {
		a->interval = value ? ag_parse_units(value, AG_UNITS_UNIVERSAL) : -1;
		if (a->interval <= 0)
			set_error(a, "Invalid interval");
	} else if (key_is(h, "alloc")) {
		a->alloc = value ? ag_parse_units(value, AG_UNITS_BYTES) : 0;
		if (a->alloc < 0)
			set_error(a, "alloc must be >= 0");
	} else if (key_is(h, "lock")) {
		a->lock = value ? ag_parse_units(value, AG_UNITS_NANOS) : AG_DEFAULT_LOCK;
		if (a->lock < 0)
			set_error(a, "lock must be >= 0");
	} else if (key_is(h, "wall")) {
		a->wall = value ? ag_parse_units(value, AG_UNITS_NANOS) : 0;
		if (a->wall < 0)
			set_error(a, "wall must be >= 0");
	} else if (key_is(h, "jstackdepth")) {
		a->jstackdepth = value ? atoi(value) : 0;
		if (a->jstackdepth <= 0)
			set_error(a, "jstackdepth must be > 0");
	} else {
		return false;
	}
	return true;
}

static void parse_option(ag_args *a, char *key, char *value, long now)
{
	uint64_t h = key_hash(key);
	if (parse_action(a, h) || parse_output(a, h) || parse_amount(a, h, value))
		return;
	if (key_is(h, "event")) {
		parse_event(a, value);
	} else if (key_is(h, "file")) {
		if (!value || !*value)
			set_error(a, "file must not be empty");
		a->file = value;
	} else if (key_is(h, "log")) {
		a->log = value && *value ? value : NULL;
	} else if (key_is(h, "loglevel")) {
		if (!value || !*value)
			set_error(a, "loglevel must not be empty");
		a->loglevel = value;
	} else if (key_is(h, "timeout")) {
		a->timeout = ag_parse_timeout(value, now);
		if (a->timeout < 0)
			set_error(a, "Invalid timeout");
	} else if (key_is(h, "cstack")) {
		a->cstack = value && *value ? value : NULL;
	} else if (key_is(h, "threads")) {
		a->threads = true;
	} else if (key_is(h, "quiet")) {
		a->quiet = true;
	} else if (key_is(h, "force")) {
		a->force = true;
	} else if (!a->unknown) {
		a->unknown = key;
	}
}

static ag_output output_from_file(const char *file)
{
	const char *ext = strrchr(file, '.');
	if (!ext)
		return AG_OUTPUT_TEXT;
	if (strcmp(ext, ".html") == 0)
		return AG_OUTPUT_FLAMEGRAPH;
	if (strcmp(ext, ".jfr") == 0)
		return AG_OUTPUT_JFR;
	if (strcmp(ext, ".collapsed") == 0 || strcmp(ext, ".folded") == 0)
		return AG_OUTPUT_COLLAPSED;
	return AG_OUTPUT_TEXT;
}

/* Appends `n` bytes of `s` if they fit; false once the path is too long. */
static bool append(char *out, size_t *len, size_t cap, const char *s, size_t n)
{
	if (*len + n >= cap)
		return false;
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return true;
}

/* The value of `%X` at p[0] == '%'; advances *p past it. NULL = keep literally. */
static const char *pattern_value(const char **p, long now, char *tmp, size_t tmpsize, size_t *n)
{
	const char *s = *p;
	if (s[1] == 'p') {
		snprintf(tmp, tmpsize, "%d", (int)getpid());
	} else if (s[1] == 't') {
		time_t t = (time_t)now;
		struct tm tm;
		if (!localtime_r(&t, &tm))
			return NULL;
		snprintf(tmp, tmpsize, "%04d%02d%02d-%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
			tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	} else if (s[1] == '{' && strchr(s + 2, '}')) {
		const char *end = strchr(s + 2, '}');
		size_t len = (size_t)(end - (s + 2));
		if (len >= tmpsize)
			return NULL;
		memcpy(tmp, s + 2, len);
		tmp[len] = '\0';
		const char *v = getenv(tmp);
		*p = end + 1;
		*n = v ? strlen(v) : 0;
		return v ? v : "";
	} else {
		return NULL;
	}
	*p = s + 2;
	*n = strlen(tmp);
	return tmp;
}

/* file= patterns: %p the JVM's pid, %t the time (YYYYMMDD-hhmmss), %{VAR} the environment. */
static void expand_file(ag_args *a, long now)
{
	if (!a->file || !strchr(a->file, '%'))
		return;
	size_t cap = 4096, len = 0;
	a->file_buf = malloc(cap);
	if (!a->file_buf) {
		a->error = "Not enough memory to parse arguments";
		return;
	}
	a->file_buf[0] = '\0';
	char tmp[256];
	for (const char *p = a->file; *p;) {
		size_t n = 1;
		const char *v = *p == '%' ? pattern_value(&p, now, tmp, sizeof(tmp), &n) : NULL;
		if (!v)
			v = p++;
		if (!append(a->file_buf, &len, cap, v, n)) {
			a->error = "file name is too long";
			return;
		}
	}
	a->file = a->file_buf;
}

static void finish(ag_args *a, long now)
{
	if (a->error)
		return;
	expand_file(a, now);
	if (a->error)
		return;
	if (a->output == AG_OUTPUT_NONE && a->file) {
		const char *ext = strrchr(a->file, '.');
		if (ext && strcmp(ext, ".svg") == 0) {
			a->error = "SVG format is obsolete, use .html for FlameGraph";
			return;
		}
		a->output = output_from_file(a->file);
	}
	if (!a->event && a->alloc < 0 && a->lock < 0)
		a->event = "cpu";
	int categories = (a->event != NULL) + (a->alloc >= 0) + (a->lock >= 0) + (a->wall >= 0);
	bool starting = a->action == AG_ACTION_START || a->action == AG_ACTION_RESUME;
	if (starting && categories > 1 && a->output != AG_OUTPUT_JFR && a->output != AG_OUTPUT_NONE)
		a->error = "Only JFR output supports multiple events";
	if (a->action == AG_ACTION_NONE && a->output != AG_OUTPUT_NONE)
		a->action = AG_ACTION_DUMP;
}

bool ag_args_parse(ag_args *a, const char *options, long now)
{
	memset(a, 0, sizeof(*a));
	a->wall = a->alloc = a->lock = -1;
	a->jstackdepth = AG_DEFAULT_JSTACKDEPTH;
	a->buf = strdup(options ? options : "");
	if (!a->buf) {
		a->error = "Not enough memory to parse arguments";
		return false;
	}
	char *save = NULL;
	for (char *tok = strtok_r(a->buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *value = strchr(tok, '=');
		if (value)
			*value++ = '\0';
		parse_option(a, tok, value, now);
	}
	finish(a, now);
	return a->error == NULL;
}

void ag_args_free(ag_args *a)
{
	free(a->buf);
	free(a->file_buf);
	a->buf = NULL;
	a->file_buf = NULL;
}
