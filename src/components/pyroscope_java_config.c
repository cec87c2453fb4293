/*
 * pyroscope.java's arguments (spec alloy-config section 10) and the asprof
 * command lines Alloy builds from them (spec jvm-agent C.6). Stricter than
 * Alloy where Alloy would fail at run time or not at all: event, sample_rate,
 * interval, tlab and custom_arguments are checked when the config loads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "components/pyroscope_java_internal.h"
#include "jvm/asprof_args.h"

#define MAX_ARGV 64

static bool check_event(const pj_value *v, char **err)
{
	const char *s = pj_value_str(v, NULL);
	if (strcmp(s, "itimer") == 0 || strcmp(s, "cpu") == 0 || strcmp(s, "wall") == 0)
		return true;
	*err = pj_strdup("must be one of \"itimer\", \"cpu\" or \"wall\"");
	return false;
}

static bool check_positive(const pj_value *v, char **err)
{
	if (pj_value_int(v) > 0)
		return true;
	*err = pj_strdup("must be positive");
	return false;
}

/* custom_arguments must be what asprof accepts, so a typo fails the load, not every window. */
static bool check_custom(const pj_value *v, char **err)
{
	size_t n = pj_array_len(v);
	if (n + 8 > MAX_ARGV) {
		*err = pj_asprintf("has %zu arguments, at most %d are supported", n, MAX_ARGV - 8);
		return false;
	}
	char *argv[MAX_ARGV];
	size_t argc = 0;
	argv[argc++] = (char *)"asprof";
	for (size_t i = 0; i < n; i++)
		argv[argc++] = (char *)pj_value_str(pj_array_get(v, i), NULL);
	argv[argc++] = (char *)"start";
	argv[argc++] = (char *)"1";
	argv[argc] = NULL;
	pj_asprof_cmd cmd;
	char msg[256];
	int r = pj_asprof_parse((int)argc, argv, "/", &cmd, msg, sizeof(msg));
	pj_asprof_cmd_free(&cmd);
	if (r != 0)
		*err = pj_asprintf("is not a valid asprof command line: %s", msg);
	return r == 0;
}

static bool validate_profiling(const pj_value *body, char **err)
{
	const pj_value *custom = pj_object_get(body, "custom_arguments");
	bool has_custom = custom && pj_value_kind(custom) == PJ_ARRAY && pj_array_len(custom) > 0;
	if (pj_arg_bool(body, "tlab") && pj_arg_str(body, "alloc")[0] == '\0' && !has_custom) {
		*err = pj_strdup("profiling_config.tlab requires profiling_config.alloc to be set");
		return false;
	}
	return true;
}

static const pj_attr_schema profiling_attrs[] = {
	{"interval", &pj_type_duration, "\"60s\"", false, check_positive},
	{"sample_rate", &pj_type_int, "100", false, check_positive},
	{"alloc", &pj_type_string, "\"512k\"", false, NULL},
	{"lock", &pj_type_string, "\"10ms\"", false, NULL},
	{"cpu", &pj_type_bool, "true", false, NULL},
	{"event", &pj_type_string, "\"itimer\"", false, check_event},
	{"per_thread", &pj_type_bool, "false", false, NULL},
	{"log_level", &pj_type_string, "\"INFO\"", false, NULL},
	{"quiet", &pj_type_bool, "false", false, NULL},
	{"custom_arguments", &pj_type_string_list, "[]", false, check_custom},
	{"tlab", &pj_type_bool, "false", false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_schema profiling_schema = {profiling_attrs, NULL, validate_profiling};

static const pj_attr_schema java_attrs[] = {
	{"targets", &pj_type_targets, NULL, true, NULL},
	{"forward_to", &pj_type_receiver_list, NULL, true, NULL},
	{"tmp_dir", &pj_type_string, "\"/tmp\"", false, NULL},
	{"dist", &pj_type_string, "\"\"", false, NULL},
	{NULL, NULL, NULL, false, NULL},
};
static const pj_block_schema java_blocks[] = {
	{"profiling_config", &profiling_schema, 0},
	{NULL, NULL, 0},
};
const pj_schema pj_java_args_schema = {java_attrs, java_blocks, NULL};

pj_java_config *pj_java_config_new(const pj_value *args)
{
	const pj_value *p = pj_object_get(args, "profiling_config");
	pj_value *defaults = NULL;
	if (!p || pj_value_kind(p) != PJ_OBJECT)
		p = defaults = pj_schema_defaults(&profiling_schema);
	pj_java_config *c = pj_calloc(1, sizeof(*c));
	atomic_init(&c->refs, 1);
	c->interval_ns = pj_arg_int(p, "interval");
	c->sample_rate = pj_arg_int(p, "sample_rate");
	c->cpu = pj_arg_bool(p, "cpu");
	c->per_thread = pj_arg_bool(p, "per_thread");
	c->quiet = pj_arg_bool(p, "quiet");
	c->tlab = pj_arg_bool(p, "tlab");
	c->event = pj_strdup(pj_arg_str(p, "event"));
	c->alloc = pj_strdup(pj_arg_str(p, "alloc"));
	c->lock = pj_strdup(pj_arg_str(p, "lock"));
	c->log_level = pj_strdup(pj_arg_str(p, "log_level"));
	const pj_value *custom = pj_object_get(p, "custom_arguments");
	c->ncustom = custom && pj_value_kind(custom) == PJ_ARRAY ? pj_array_len(custom) : 0;
	c->custom = pj_calloc(c->ncustom + 1, sizeof(*c->custom));
	for (size_t i = 0; i < c->ncustom; i++)
		c->custom[i] = pj_strdup(pj_value_str(pj_array_get(custom, i), NULL));
	if (defaults)
		pj_value_unref(defaults);
	return c;
}

pj_java_config *pj_java_config_ref(pj_java_config *c)
{
	atomic_fetch_add(&c->refs, 1);
	return c;
}

void pj_java_config_unref(pj_java_config *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	free(c->event);
	free(c->alloc);
	free(c->lock);
	free(c->log_level);
	for (size_t i = 0; i < c->ncustom; i++)
		free(c->custom[i]);
	free(c->custom);
	free(c);
}

/* Appends a NUL-terminated copy and remembers its offset (store may move while it grows). */
static void push(size_t *offs, size_t *n, size_t max, pj_buf *store, const char *s)
{
	if (*n >= max)
		return;
	offs[(*n)++] = store->len;
	pj_buf_append(store, s, strlen(s) + 1);
}

size_t pj_java_start_argv(const pj_java_config *c, const char *jfr, pid_t pid, bool timeout, char **argv,
			  size_t max, pj_buf *store)
{
	size_t offs[MAX_ARGV], n = 0;
	char num[32];
	if (max > MAX_ARGV)
		max = MAX_ARGV;
	pj_buf_reset(store);
	const char *head[] = {"-f", jfr, "-o", "jfr"};
	for (size_t i = 0; i < 4; i++)
		push(offs, &n, max, store, head[i]);
	if (c->ncustom) {
		for (size_t i = 0; i < c->ncustom; i++)
			push(offs, &n, max, store, c->custom[i]);
	} else {
		if (c->cpu) {
			push(offs, &n, max, store, "-e");
			push(offs, &n, max, store, c->event);
			if (c->per_thread)
				push(offs, &n, max, store, "-t");
			snprintf(num, sizeof(num), "%lld", (long long)(1000000000LL / c->sample_rate));
			push(offs, &n, max, store, "-i");
			push(offs, &n, max, store, num);
		}
		if (c->alloc[0]) {
			push(offs, &n, max, store, "--alloc");
			push(offs, &n, max, store, c->alloc);
			if (c->tlab)
				push(offs, &n, max, store, "--tlab");
		}
		if (c->lock[0]) {
			push(offs, &n, max, store, "--lock");
			push(offs, &n, max, store, c->lock);
		}
		if (c->log_level[0]) {
			push(offs, &n, max, store, "-L");
			push(offs, &n, max, store, c->log_level);
		}
	}
	push(offs, &n, max, store, "start");
	if (timeout) {
		int64_t secs = c->interval_ns / 1000000000LL;
		snprintf(num, sizeof(num), "%lld", (long long)(secs > 0 ? secs : 1));
		push(offs, &n, max, store, "--timeout");
		push(offs, &n, max, store, num);
	}
	snprintf(num, sizeof(num), "%d", (int)pid);
	push(offs, &n, max, store, num);
	for (size_t i = 0; i < n; i++)
		argv[i] = store->data + offs[i];
	return n;
}

char *pj_java_agent_options(const pj_java_config *c, const char *action, const char *jfr, const char *log,
			    pid_t pid, bool timeout, char *err, size_t err_size)
{
	char *argv[MAX_ARGV + 1];
	pj_buf store = PJ_BUF_INIT;
	argv[0] = (char *)"asprof";
	size_t n = pj_java_start_argv(c, jfr, pid, timeout, argv + 1, MAX_ARGV - 1, &store);
	argv[n + 1] = NULL;
	pj_asprof_cmd cmd;
	char *out = NULL;
	if (pj_asprof_parse((int)n + 1, argv, "/", &cmd, err, err_size) == 0) {
		/* start carries every option; dump and stop only name the output, as asprof's stop does. */
		bool start = strcmp(action, "start") == 0;
		out = pj_asprof_agent_string(&cmd, action, start && c->quiet, jfr, log, start);
	}
	pj_asprof_cmd_free(&cmd);
	pj_buf_free(&store);
	return out;
}
