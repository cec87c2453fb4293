/*
 * asprof: async-profiler's command line on top of pyrojava's attach client.
 * Each action is one `load` of the agent library with an option string built
 * the way async-profiler's own launcher builds it, so scripts and tools that
 * drive asprof (Alloy among them) see the same behaviour and exit codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "jvm/asprof_args.h"
#include "jvm/attach.h"
#include "jvm/safe_open.h"

#define ASPROF_LOAD_TIMEOUT_MS 60000

static volatile sig_atomic_t asprof_interrupted;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: asprof [action] [options] PID\n"
		"\n"
		"actions:\n"
		"  start       start profiling and return immediately\n"
		"  resume      resume profiling without resetting collected data\n"
		"  stop        stop profiling and write the output\n"
		"  dump        write the output without stopping\n"
		"  status      print the profiling status\n"
		"  check       check whether the given events are available\n"
		"  version     print the version (of the agent, when a PID is given)\n"
		"  collect     start, wait DURATION seconds, stop (default)\n"
		"\n"
		"options:\n"
		"  -e EVENT        profiling event: cpu, itimer, wall, alloc, lock, ...\n"
		"  -i INTERVAL     sampling interval (ns, or with a unit: 10ms)\n"
		"  -d DURATION     collect for DURATION seconds (default 60)\n"
		"  -f FILE         output file, as the JVM sees it\n"
		"  -o FORMAT       output format: jfr, collapsed, flamegraph, tree, flat, traces\n"
		"  -t              profile threads separately\n"
		"  -L LEVEL        agent log level: debug, info, warn, error, none\n"
		"  --alloc BYTES   allocation profiling interval\n"
		"  --lock TIME     lock profiling threshold\n"
		"  --tlab          allocation profiling through TLAB hooks\n"
		"  --timeout TIME  stop profiling automatically after TIME\n"
		"  --quiet         no \"Profiling started/stopped\" messages\n"
		"  --libpath PATH  agent library (default: ../lib/libasyncProfiler.so next to asprof)\n");
}

/* ../lib/libasyncProfiler.so next to the executable, else the JVM's library search. */
static char *find_library(const pj_asprof_cmd *cmd, bool *absolute)
{
	if (cmd->libpath) {
		*absolute = cmd->libpath[0] == '/';
		return pj_strdup(cmd->libpath);
	}
	char exe[PATH_MAX], lib[PATH_MAX];
	if (realpath("/proc/self/exe", exe)) {
		char *path = pj_asprintf("%s/../lib/libasyncProfiler.so", dirname(exe));
		bool found = realpath(path, lib) != NULL;
		free(path);
		if (found) {
			*absolute = true;
			return pj_strdup(lib);
		}
	}
	*absolute = false;
	return pj_strdup("asyncProfiler");
}

/* Copies a file the agent wrote (a path in the JVM's filesystem) to out, then deletes it. */
static void relay_file(pid_t pid, const char *path, FILE *out)
{
	int root = pj_safe_open_root(pid);
	if (root < 0)
		return;
	int fd = pj_safe_open(root, path, O_RDONLY, 0);
	if (fd >= 0) {
		char buf[65536];
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
				break;
		fflush(out);
		close(fd);
		pj_safe_unlink(root, path);
	}
	close(root);
}

/* One `load` with the given agent string; returns asprof's exit status. */
static int run_agent(pid_t pid, const char *lib, bool absolute, const char *agent_args,
		     const char *log, const char *temp_file)
{
	const char *args[] = {lib, absolute ? "true" : "false", agent_args};
	pj_attach_opts opts;
	pj_attach_opts_init(&opts);
	opts.reply_timeout_ms = ASPROF_LOAD_TIMEOUT_MS;
	pj_attach_result res;
	int rc;
	if (pj_attach(pid, "load", args, 3, &opts, &res) != PJ_ATTACH_OK) {
		fprintf(stderr, "%s\n", res.message);
		rc = 1;
	} else {
		relay_file(pid, log, stderr);
		if (res.result < 0 && res.output.len > 0)
			fwrite(res.output.data, 1, res.output.len, stderr);
		rc = res.result & 0xff;
		if (temp_file)
			relay_file(pid, temp_file, stdout);
	}
	pj_attach_result_free(&res);
	return rc;
}

static void on_interrupt(int sig)
{
	(void)sig;
	asprof_interrupted = 1;
}

/* Sleeps up to `seconds`, ending early when the JVM exits or on Ctrl-C/SIGTERM. */
static void wait_collecting(pid_t pid, int seconds)
{
	struct sigaction sa = {.sa_handler = on_interrupt};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (int i = 0; i < seconds && !asprof_interrupted; i++) {
		if (kill(pid, 0) != 0 && errno == ESRCH)
			return;
		sleep(1);
	}
}

static int run(const pj_asprof_cmd *cmd)
{
	bool absolute;
	char *lib = find_library(cmd, &absolute);
	char *log = pj_asprintf("/tmp/asprof-log.%d.%d", (int)getpid(), (int)cmd->pid);
	char *temp = cmd->file ? NULL : pj_asprintf("/tmp/asprof.%d.%d", (int)getpid(), (int)cmd->pid);
	const char *file = cmd->file ? cmd->file : temp;
	char *agent;
	int rc;
	if (strcmp(cmd->action, "collect") == 0) {
		agent = pj_asprof_agent_string(cmd, "start", true, file, log, true);
		rc = run_agent(cmd->pid, lib, absolute, agent, log, NULL);
		free(agent);
		if (rc == 0) {
			wait_collecting(cmd->pid, cmd->duration);
			agent = pj_asprof_agent_string(cmd, "stop", false, file, log, false);
			rc = run_agent(cmd->pid, lib, absolute, agent, log, temp);
			free(agent);
		}
	} else {
		agent = pj_asprof_agent_string(cmd, cmd->action, false, file, log, true);
		rc = run_agent(cmd->pid, lib, absolute, agent, log, temp);
		free(agent);
	}
	free(lib);
	free(log);
	free(temp);
	return rc;
}

int main(int argc, char **argv)
{
	char cwd[PATH_MAX];
	pj_asprof_cmd cmd;
	char err[256];
	if (pj_asprof_parse(argc, argv, getcwd(cwd, sizeof(cwd)), &cmd, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		pj_asprof_cmd_free(&cmd);
		return 1;
	}
	int rc;
	if (cmd.help || argc < 2) {
		usage(cmd.help ? stdout : stderr);
		rc = cmd.help ? 0 : 1;
	} else if (cmd.pid == 0 && strcmp(cmd.action, "version") == 0) {
		printf("Async-profiler compatible launcher (pyrojava %s)\n", PJ_VERSION);
		rc = 0;
	} else if (cmd.pid == 0) {
		fprintf(stderr, "No PID given\n\n");
		usage(stderr);
		rc = 1;
	} else {
		rc = run(&cmd);
	}
	pj_asprof_cmd_free(&cmd);
	return rc;
}
