#ifndef PJ_JVM_ASPROF_ARGS_H
#define PJ_JVM_ASPROF_ARGS_H

/*
 * async-profiler's `asprof` command line and its translation into the agent
 * option string passed to Agent_OnAttach (spec C.2, C.4). Used by the
 * `asprof` launcher and by anything that wants to drive the agent exactly as
 * Alloy's asprof invocations do.
 *
 * Options land in three groups, each kept in argv order, and the agent string
 * is "<action>,file=F,<output><format><params>log=L":
 *   output: -o FMT                      -> "FMT,"
 *   format: -L LEVEL                    -> "loglevel=LEVEL,"
 *   params: -e -i -t --alloc --lock --timeout --tlab --quiet
 *                                       -> "event=E," "interval=N," "threads," ...
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/buf.h"

typedef struct pj_asprof_cmd {
	char action[16];  /* start, resume, stop, dump, status, check, version, collect */
	pid_t pid;        /* 0 when none was given */
	char *file;       /* -f, made absolute; NULL: the launcher uses a temp file */
	char *libpath;    /* --libpath; NULL: next to the launcher */
	int duration;     /* -d SECONDS for collect (default 60) */
	bool help;        /* -h / --help */
	pj_buf output;
	pj_buf format;
	pj_buf params;
} pj_asprof_cmd;

/*
 * Parses asprof's argv (argv[0] is the program). Options, the action and the
 * PID may come in any order; the action defaults to collect. `cwd` turns a
 * relative -f into an absolute path. Returns 0, or -1 with a message in err
 * ("Unrecognized option: --x").
 */
int pj_asprof_parse(int argc, char **argv, const char *cwd, pj_asprof_cmd *cmd, char *err,
		    size_t err_size);

/*
 * The agent option string for `action` (which may differ from cmd->action:
 * collect sends "start" and then "stop"). `quiet` adds "quiet" after the
 * action; `with_params` includes the params group (collect's stop omits it).
 * The caller frees the result.
 */
char *pj_asprof_agent_string(const pj_asprof_cmd *cmd, const char *action, bool quiet,
			     const char *file, const char *log, bool with_params);

void pj_asprof_cmd_free(pj_asprof_cmd *cmd);

#endif
