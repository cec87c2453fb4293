/*
 * HotSpot dynamic attach: checks in the caller's process, the namespace work
 * in a forked child (attach_child.c), and interpretation of the reply here.
 */
#include "jvm/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jvm/attach_child.h"
#include "jvm/proc_info.h"

/* The child gets this long past its own deadlines before it is killed. */
#define PJ_ATTACH_GRACE_MS 2000
#define PJ_ATTACH_MAPS_MAX (64u << 20)
#define PJ_ATTACH_CMDLINE_MAX (1u << 20)

static const char *const pj_attach_err_names[] = {
	[PJ_ATTACH_OK] = "ok",
	[PJ_ATTACH_ERR_NOT_JVM] = "not-a-jvm",
	[PJ_ATTACH_ERR_GONE] = "gone",
	[PJ_ATTACH_ERR_PERMISSION] = "permission",
	[PJ_ATTACH_ERR_DISABLED] = "attach-disabled",
	[PJ_ATTACH_ERR_NOT_READY] = "not-ready",
	[PJ_ATTACH_ERR_TIMEOUT] = "timeout",
	[PJ_ATTACH_ERR_BAD_REPLY] = "bad-reply",
	[PJ_ATTACH_ERR_TOO_LONG] = "too-long",
	[PJ_ATTACH_ERR_SYSTEM] = "system",
};

const char *pj_attach_err_name(pj_attach_err err)
{
	if ((unsigned)err >= sizeof(pj_attach_err_names) / sizeof(pj_attach_err_names[0]))
		return "unknown";
	return pj_attach_err_names[err];
}

void pj_attach_opts_init(pj_attach_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->start_timeout_ms = 6000;
	opts->reply_timeout_ms = 10000;
	opts->max_output = 16u << 20;
}

void pj_attach_result_free(pj_attach_result *res)
{
	pj_buf_free(&res->output);
}

static pj_attach_err set_error(pj_attach_result *res, pj_attach_err err, int sys_errno,
			       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static pj_attach_err set_error(pj_attach_result *res, pj_attach_err err, int sys_errno,
			       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	res->err = err;
	res->sys_errno = sys_errno;
	res->result = -1;
	return err;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Maps a failed /proc read to an error; `what` names the file. */
static pj_attach_err proc_error(pj_attach_result *res, pid_t pid, int r, const char *what)
{
	if (r == -ENOENT || r == -ESRCH)
		return set_error(res, PJ_ATTACH_ERR_GONE, -r, "process %d does not exist (any more)",
				 (int)pid);
	if (r == -EACCES || r == -EPERM)
		return set_error(res, PJ_ATTACH_ERR_PERMISSION, -r,
				 "cannot read /proc/%d/%s: %s (run as root or as the JVM's user)",
				 (int)pid, what, strerror(-r));
	return set_error(res, PJ_ATTACH_ERR_SYSTEM, -r, "cannot read /proc/%d/%s: %s", (int)pid,
			 what, strerror(-r));
}

static bool attach_disabled(int procfd)
{
	pj_buf cmdline = PJ_BUF_INIT, environ = PJ_BUF_INIT;
	bool disabled = false;
	if (pj_proc_read_all(procfd, "cmdline", &cmdline, PJ_ATTACH_CMDLINE_MAX) == 0) {
		bool have_env =
			pj_proc_read_all(procfd, "environ", &environ, PJ_ATTACH_CMDLINE_MAX) == 0;
		disabled = pj_proc_attach_disabled(pj_buf_cstr(&cmdline), cmdline.len,
						   have_env ? pj_buf_cstr(&environ) : NULL,
						   environ.len);
	}
	pj_buf_free(&cmdline);
	pj_buf_free(&environ);
	return disabled;
}

/* Everything that can be decided without signalling the process. */
static pj_attach_err preflight(pid_t pid, int procfd, const pj_attach_opts *opts,
			       pj_proc_status *st, pj_attach_result *res)
{
	int r = pj_proc_read_status(procfd, st);
	if (r < 0)
		return proc_error(res, pid, r, "status");
	if (st->state == 'Z' || st->state == 'X')
		return set_error(res, PJ_ATTACH_ERR_GONE, ESRCH, "process %d has exited", (int)pid);
	unsigned long long start;
	if (opts->start_time && pj_proc_read_start_time(procfd, &start) == 0 &&
	    start != opts->start_time)
		return set_error(res, PJ_ATTACH_ERR_GONE, ESRCH,
				 "process %d has exited; the PID now belongs to another process",
				 (int)pid);
	pj_buf maps = PJ_BUF_INIT;
	r = pj_proc_read_all(procfd, "maps", &maps, PJ_ATTACH_MAPS_MAX);
	bool jvm = r == 0 && pj_proc_maps_find(pj_buf_cstr(&maps), "libjvm", NULL, 0);
	pj_buf_free(&maps);
	if (r < 0)
		return proc_error(res, pid, r, "maps");
	if (!jvm)
		return set_error(res, PJ_ATTACH_ERR_NOT_JVM, 0,
				 "process %d is not a HotSpot JVM (no libjvm.so mapped); "
				 "not sending it SIGQUIT",
				 (int)pid);
	if (attach_disabled(procfd))
		return set_error(res, PJ_ATTACH_ERR_DISABLED, 0,
				 "JVM %d was started with -XX:+DisableAttachMechanism", (int)pid);
	return PJ_ATTACH_OK;
}

static void append_capped(pj_buf *raw, const char *data, size_t n, size_t cap, bool *truncated)
{
	if (raw->len >= cap) {
		*truncated = true;
		return;
	}
	size_t take = n < cap - raw->len ? n : cap - raw->len;
	pj_buf_append(raw, data, take);
	if (take < n)
		*truncated = true;
}

/*
 * Collects the child's output until it exits or the deadline passes. EOF on
 * the pipe is not enough: a child forked meanwhile by another thread of the
 * daemon may hold a copy of the write end, so the child's exit is watched too.
 */
static int collect(pid_t child, int rfd, long long deadline, size_t cap, pj_buf *raw,
		   bool *truncated, int *wstatus)
{
	char chunk[16384];
	bool exited = false, eof = false;
	while (!eof) {
		long long left = deadline - now_ms();
		if (left <= 0 && !exited) {
			kill(child, SIGKILL);
			waitpid(child, wstatus, 0);
			return -ETIMEDOUT;
		}
		struct pollfd p = {.fd = rfd, .events = POLLIN};
		int n = poll(&p, 1, exited ? 0 : (int)(left < 100 ? left : 100));
		if (n > 0) {
			ssize_t got = read(rfd, chunk, sizeof(chunk));
			if (got > 0)
				append_capped(raw, chunk, (size_t)got, cap, truncated);
			else if (got == 0 || errno != EINTR)
				eof = true;
			continue;
		}
		if (n < 0 && errno != EINTR)
			break;
		if (exited)
			break; /* drained everything the child wrote */
		/* ECHILD: the daemon ignores SIGCHLD, so the child was reaped already. */
		pid_t w = waitpid(child, wstatus, WNOHANG);
		exited = w == child || (w < 0 && errno == ECHILD);
	}
	if (!exited)
		waitpid(child, wstatus, 0);
	return 0;
}

static pj_attach_err run_child(const pj_attach_job *tmpl, const pj_attach_opts *opts,
			       pj_buf *raw, pj_attach_outcome *outcome, pj_attach_result *res)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return set_error(res, PJ_ATTACH_ERR_SYSTEM, errno, "pipe: %s", strerror(errno));
	pj_attach_outcome *shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		close(fds[0]);
		close(fds[1]);
		return set_error(res, PJ_ATTACH_ERR_SYSTEM, errno, "mmap: %s", strerror(errno));
	}
	memset(shared, 0, sizeof(*shared));
	shared->err = PJ_ATTACH_ERR_SYSTEM;
	shared->step = "starting the attach helper process";
	pj_attach_job job = *tmpl;
	job.out_fd = fds[1];
	pid_t child = fork();
	if (child == 0) {
		close(fds[0]);
		pj_attach_child_run(&job, shared);
		_exit(0);
	}
	close(fds[1]);
	pj_attach_err err = PJ_ATTACH_OK;
	if (child < 0) {
		err = set_error(res, PJ_ATTACH_ERR_SYSTEM, errno, "fork: %s", strerror(errno));
	} else {
		long long deadline = now_ms() + opts->start_timeout_ms + opts->reply_timeout_ms +
				     PJ_ATTACH_GRACE_MS;
		int wstatus = 0;
		size_t cap = opts->max_output + 32; /* room for the status line */
		if (collect(child, fds[0], deadline, cap, raw, &res->truncated, &wstatus) != 0)
			err = set_error(res, PJ_ATTACH_ERR_TIMEOUT, ETIMEDOUT,
					"JVM %d: the attach did not finish within %d ms",
					(int)job.pid,
					opts->start_timeout_ms + opts->reply_timeout_ms);
		else if (WIFSIGNALED(wstatus))
			err = set_error(res, PJ_ATTACH_ERR_SYSTEM, 0,
					"the attach helper process died with signal %d",
					WTERMSIG(wstatus));
		*outcome = *shared;
	}
	close(fds[0]);
	munmap(shared, sizeof(*shared));
	return err;
}

/* Turns the child's report into the result's error and message. */
static pj_attach_err child_error(pid_t pid, int procfd, const pj_attach_outcome *o,
				 const pj_attach_opts *opts, pj_attach_result *res)
{
	const char *why = o->sys_errno ? strerror(o->sys_errno) : "";
	/* A connection that breaks because the JVM died is not the JVM's answer. */
	if (o->err == PJ_ATTACH_ERR_BAD_REPLY && !pj_proc_alive(procfd, pid))
		return set_error(res, PJ_ATTACH_ERR_GONE, ESRCH, "JVM %d exited while %s",
				 (int)pid, o->step);
	switch ((pj_attach_err)o->err) {
	case PJ_ATTACH_ERR_GONE:
		return set_error(res, o->err, o->sys_errno, "JVM %d exited while %s", (int)pid,
				 o->step);
	case PJ_ATTACH_ERR_PERMISSION:
		return set_error(res, o->err, o->sys_errno,
				 "JVM %d: permission denied while %s: %s (run as root or as the "
				 "JVM's user)",
				 (int)pid, o->step, why);
	case PJ_ATTACH_ERR_NOT_READY:
		return set_error(res, o->err, 0,
				 "JVM %d has no attach listener and does not handle SIGQUIT (still "
				 "starting, or run with -Xrs); not sending it SIGQUIT",
				 (int)pid);
	case PJ_ATTACH_ERR_TIMEOUT:
		if (o->listener_busy)
			return set_error(res, o->err, ETIMEDOUT,
					 "JVM %d: its attach listener stayed busy for %d ms (other "
					 "attach operations queued)",
					 (int)pid, opts->start_timeout_ms);
		if (!o->connected)
			return set_error(res, o->err, ETIMEDOUT,
					 "JVM %d did not start its attach listener within %d ms "
					 "(attach disabled with -XX:+DisableAttachMechanism, or the "
					 "JVM is stuck, e.g. in a long GC)",
					 (int)pid, opts->start_timeout_ms);
		return set_error(res, o->err, ETIMEDOUT, "JVM %d: timed out %s after %d ms",
				 (int)pid, o->step, opts->reply_timeout_ms);
	case PJ_ATTACH_ERR_BAD_REPLY:
		return set_error(res, o->err, o->sys_errno,
				 "JVM %d: connection failed while %s: %s", (int)pid, o->step, why);
	case PJ_ATTACH_ERR_TOO_LONG:
		return set_error(res, o->err, 0,
				 "JVM %d: an argument is longer than 1024 bytes and the JVM does "
				 "not speak attach protocol v2 (JDK 24+)",
				 (int)pid);
	default:
		return set_error(res, PJ_ATTACH_ERR_SYSTEM, o->sys_errno, "JVM %d: failed while %s%s%s",
				 (int)pid, o->step, *why ? ": " : "", why);
	}
}

/* Splits the raw reply into status and output and applies the `load` rules. */
static pj_attach_err interpret(pid_t pid, int procfd, const char *cmd, pj_buf *raw,
			       pj_attach_result *res)
{
	size_t off;
	if (raw->len == 0) {
		if (!pj_proc_alive(procfd, pid))
			return set_error(res, PJ_ATTACH_ERR_GONE, ESRCH,
					 "JVM %d exited before answering", (int)pid);
		return set_error(res, PJ_ATTACH_ERR_BAD_REPLY, 0,
				 "JVM %d closed the connection without a reply (it rejected our "
				 "credentials or the request)",
				 (int)pid);
	}
	if (pj_attach_parse_reply(raw->data, raw->len, &res->status, &off) != 0)
		return set_error(res, PJ_ATTACH_ERR_BAD_REPLY, 0,
				 "JVM %d: reply does not start with a status line: \"%.40s\"",
				 (int)pid, pj_buf_cstr(raw));
	pj_buf_append(&res->output, raw->data + off, raw->len - off);
	res->result = res->status;
	int agent_rc;
	if (strcmp(cmd, "load") == 0 && res->status == 0)
		res->result = pj_attach_parse_load_body(raw->data + off, raw->len - off, &agent_rc)
				      ? agent_rc
				      : -1;
	return PJ_ATTACH_OK;
}

static pj_attach_err encode(const char *cmd, const char *const *args, size_t nargs, pj_buf *req,
			    int *protocol, pj_attach_result *res)
{
	*protocol = pj_attach_needs_v2(args, nargs) ? 2 : 1;
	int r = pj_attach_encode(req, *protocol, cmd, args, nargs);
	if (r == -E2BIG)
		return set_error(res, PJ_ATTACH_ERR_TOO_LONG, E2BIG,
				 *protocol == 1 ? "attach command name longer than 16 characters"
						: "attach request larger than 256 KiB");
	if (r < 0)
		return set_error(res, PJ_ATTACH_ERR_TOO_LONG, -r,
				 "an attach command takes a name and at most 3 arguments");
	return PJ_ATTACH_OK;
}

pj_attach_err pj_attach(pid_t pid, const char *cmd, const char *const *args, size_t nargs,
			const pj_attach_opts *opts_in, pj_attach_result *res)
{
	memset(res, 0, sizeof(*res));
	pj_attach_opts opts;
	pj_attach_opts_init(&opts);
	if (opts_in) {
		opts.start_time = opts_in->start_time;
		if (opts_in->start_timeout_ms > 0)
			opts.start_timeout_ms = opts_in->start_timeout_ms;
		if (opts_in->reply_timeout_ms > 0)
			opts.reply_timeout_ms = opts_in->reply_timeout_ms;
		if (opts_in->max_output > 0)
			opts.max_output = opts_in->max_output;
	}
	pj_buf req = PJ_BUF_INIT, raw = PJ_BUF_INIT;
	pj_attach_job job = {.pid = pid};
	if (encode(cmd, args, nargs, &req, &job.protocol, res) != PJ_ATTACH_OK)
		goto out;
	int procfd = pj_proc_open(pid);
	if (procfd < 0) {
		proc_error(res, pid, procfd, "");
		goto out;
	}
	pj_proc_status st;
	if (preflight(pid, procfd, &opts, &st, res) == PJ_ATTACH_OK) {
		job.nspid = st.nspid;
		job.euid = st.euid;
		job.egid = st.egid;
		job.procfd = procfd;
		job.request = req.data;
		job.request_len = req.len;
		job.start_timeout_ms = opts.start_timeout_ms;
		job.reply_timeout_ms = opts.reply_timeout_ms;
		pj_attach_outcome outcome = {0};
		if (run_child(&job, &opts, &raw, &outcome, res) == PJ_ATTACH_OK) {
			res->protocol = outcome.protocol;
			if (outcome.err != PJ_ATTACH_OK)
				child_error(pid, procfd, &outcome, &opts, res);
			else
				interpret(pid, procfd, cmd, &raw, res);
		}
	}
	close(procfd);
out:
	pj_buf_free(&req);
	pj_buf_free(&raw);
	return res->err;
}
