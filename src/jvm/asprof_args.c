/* asprof command line -> agent option string; see asprof_args.h. */
#include "jvm/asprof_args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static const char *const pj_asprof_actions[] = {
	"start", "resume", "stop", "dump", "status", "check", "version", "collect",
};

/* Options taking a value: flag, group, agent key ("" = the value itself). */
typedef enum { GROUP_OUTPUT, GROUP_FORMAT, GROUP_PARAMS } opt_group;

static const struct {
	const char *flag;
	opt_group group;
	const char *key;
} pj_asprof_value_opts[] = {
	{"-e", GROUP_PARAMS, "event"},
	{"--event", GROUP_PARAMS, "event"},
	{"-i", GROUP_PARAMS, "interval"},
	{"--interval", GROUP_PARAMS, "interval"},
	{"--alloc", GROUP_PARAMS, "alloc"},
	{"--lock", GROUP_PARAMS, "lock"},
	{"--timeout", GROUP_PARAMS, "timeout"},
	{"-L", GROUP_FORMAT, "loglevel"},
	{"--log-level", GROUP_FORMAT, "loglevel"},
	{"-o", GROUP_OUTPUT, ""},
};

/* Options without a value and the agent word they add. */
static const struct {
	const char *flag;
	const char *word;
} pj_asprof_bool_opts[] = {
	{"-t", "threads"},
	{"--threads", "threads"},
	{"--tlab", "tlab"},
	{"--quiet", "quiet"},
};

static bool is_action(const char *s)
{
	for (size_t i = 0; i < sizeof(pj_asprof_actions) / sizeof(pj_asprof_actions[0]); i++)
		if (strcmp(s, pj_asprof_actions[i]) == 0)
			return true;
	return false;
}

static pj_buf *group_buf(pj_asprof_cmd *cmd, opt_group g)
{
	return g == GROUP_OUTPUT ? &cmd->output : g == GROUP_FORMAT ? &cmd->format : &cmd->params;
}

static int parse_int_arg(const char *s, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static void set_file(pj_asprof_cmd *cmd, const char *path, const char *cwd)
{
	free(cmd->file);
	cmd->file = path[0] == '/' || !cwd ? pj_strdup(path) : pj_asprintf("%s/%s", cwd, path);
}

/* Handles one option at argv[*i]; returns 0, or -1 with err set. */
static int parse_option(int argc, char **argv, int *i, const char *cwd, pj_asprof_cmd *cmd,
			char *err, size_t err_size)
{
	const char *opt = argv[*i];
	for (size_t k = 0; k < sizeof(pj_asprof_bool_opts) / sizeof(pj_asprof_bool_opts[0]); k++) {
		if (strcmp(opt, pj_asprof_bool_opts[k].flag) == 0) {
			pj_buf_printf(&cmd->params, "%s,", pj_asprof_bool_opts[k].word);
			return 0;
		}
	}
	if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0) {
		cmd->help = true;
		return 0;
	}
	if (*i + 1 >= argc) {
		snprintf(err, err_size, "Unrecognized option: %s", opt);
		return -1;
	}
	const char *value = argv[*i + 1];
	long n;
	if (strcmp(opt, "-f") == 0 || strcmp(opt, "--file") == 0) {
		set_file(cmd, value, cwd);
	} else if (strcmp(opt, "--libpath") == 0) {
		free(cmd->libpath);
		cmd->libpath = pj_strdup(value);
	} else if (strcmp(opt, "-d") == 0 || strcmp(opt, "--duration") == 0) {
		if (parse_int_arg(value, 1000000000, &n) != 0) {
			snprintf(err, err_size, "Invalid duration: %s", value);
			return -1;
		}
		cmd->duration = (int)n;
	} else {
		size_t k = 0, count = sizeof(pj_asprof_value_opts) / sizeof(pj_asprof_value_opts[0]);
		while (k < count && strcmp(opt, pj_asprof_value_opts[k].flag) != 0)
			k++;
		if (k == count) {
			snprintf(err, err_size, "Unrecognized option: %s", opt);
			return -1;
		}
		/* The agent splits on ',', so a value must not contain one. */
		if (strchr(value, ',')) {
			snprintf(err, err_size, "Invalid value for %s: %s", opt, value);
			return -1;
		}
		pj_buf *b = group_buf(cmd, pj_asprof_value_opts[k].group);
		if (*pj_asprof_value_opts[k].key)
			pj_buf_printf(b, "%s=%s,", pj_asprof_value_opts[k].key, value);
		else
			pj_buf_printf(b, "%s,", value);
	}
	(*i)++;
	return 0;
}

int pj_asprof_parse(int argc, char **argv, const char *cwd, pj_asprof_cmd *cmd, char *err,
		    size_t err_size)
{
	memset(cmd, 0, sizeof(*cmd));
	strcpy(cmd->action, "collect");
	cmd->duration = 60;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		long pid;
		if (a[0] == '-' && a[1] != '\0') {
			if (parse_option(argc, argv, &i, cwd, cmd, err, err_size) != 0)
				return -1;
		} else if (is_action(a)) {
			snprintf(cmd->action, sizeof(cmd->action), "%s", a);
		} else if (parse_int_arg(a, 0x3fffffff, &pid) == 0 && cmd->pid == 0) {
			cmd->pid = (pid_t)pid;
		} else {
			snprintf(err, err_size, "Unrecognized option: %s", a);
			return -1;
		}
	}
	return 0;
}

char *pj_asprof_agent_string(const pj_asprof_cmd *cmd, const char *action, bool quiet,
			     const char *file, const char *log, bool with_params)
{
	pj_buf b = PJ_BUF_INIT;
	pj_buf_puts(&b, action);
	if (quiet)
		pj_buf_puts(&b, ",quiet");
	pj_buf_printf(&b, ",file=%s,", file);
	pj_buf_puts(&b, pj_buf_cstr(&cmd->output));
	pj_buf_puts(&b, pj_buf_cstr(&cmd->format));
	if (with_params)
		pj_buf_puts(&b, pj_buf_cstr(&cmd->params));
	pj_buf_printf(&b, "log=%s", log);
	return pj_buf_detach(&b);
}

void pj_asprof_cmd_free(pj_asprof_cmd *cmd)
{
	free(cmd->file);
	free(cmd->libpath);
	pj_buf_free(&cmd->output);
	pj_buf_free(&cmd->format);
	pj_buf_free(&cmd->params);
}
