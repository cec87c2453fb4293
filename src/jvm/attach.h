#ifndef PJ_JVM_ATTACH_H
#define PJ_JVM_ATTACH_H

/*
 * HotSpot dynamic attach, in-process. pj_attach() runs one attach operation
 * ("load", "jcmd", "properties", "threaddump", ...) against a JVM, also one in
 * other mount/PID namespaces (a container) running as another user, and hands
 * back the JVM's status and output. It is safe to call from several threads
 * at once: the namespace and credential switch happens in a forked,
 * single-threaded child that lives only for the operation, and every wait is
 * bounded, so a hung JVM never hangs the caller.
 *
 * It never signals a process that does not map libjvm.so (SIGQUIT kills most
 * other programs) and never follows a symlink planted in the container.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/buf.h"
#include "jvm/attach_proto.h"

typedef enum pj_attach_err {
	PJ_ATTACH_OK = 0,
	PJ_ATTACH_ERR_NOT_JVM,    /* the process does not map libjvm.so */
	PJ_ATTACH_ERR_GONE,       /* no such process, or it exited during the attach */
	PJ_ATTACH_ERR_PERMISSION, /* not allowed to inspect, enter or signal the process */
	PJ_ATTACH_ERR_DISABLED,   /* started with -XX:+DisableAttachMechanism */
	PJ_ATTACH_ERR_NOT_READY,  /* no attach socket and SIGQUIT not handled (starting up, or -Xrs) */
	PJ_ATTACH_ERR_TIMEOUT,    /* no attach socket, or no complete reply, before the deadline */
	PJ_ATTACH_ERR_BAD_REPLY,  /* connection closed without a status line, or garbage */
	PJ_ATTACH_ERR_TOO_LONG,   /* request exceeds what the JVM's protocol version allows */
	PJ_ATTACH_ERR_SYSTEM,     /* fork, pipe, socket ... failed */
} pj_attach_err;

typedef struct pj_attach_opts {
	/* How long to wait for the JVM's attach listener to start. Default 6000. */
	int start_timeout_ms;
	/* From connecting until the whole reply has arrived. Default 10000; use
	 * more for `load` of a large agent. */
	int reply_timeout_ms;
	/* Output beyond this is dropped and `truncated` set. Default 16 MiB. */
	size_t max_output;
	/* /proc/PID/stat start time recorded when the target was discovered;
	 * a different value means the PID now names another process (GONE).
	 * 0 skips the check. */
	unsigned long long start_time;
} pj_attach_opts;

typedef struct pj_attach_result {
	pj_attach_err err;
	int sys_errno;      /* errno behind err, 0 if none */
	int status;         /* the JVM's status line (valid when err == PJ_ATTACH_OK) */
	/* What the operation achieved: `status`, except for `load`, where it is
	 * Agent_OnAttach's return code, or -1 when the JVM could not load the
	 * agent (JDK 21+ reports that with status 0 and an error text). */
	int result;
	int protocol;       /* attach protocol version used: 1 or 2 */
	bool truncated;     /* output exceeded max_output */
	pj_buf output;      /* the JVM's reply after the status line */
	char message[512];  /* for errors: what failed, for which PID, and why */
} pj_attach_result;

void pj_attach_opts_init(pj_attach_opts *opts);

/*
 * Runs `cmd` with up to PJ_ATTACH_MAX_ARGS arguments in JVM `pid` (a PID of
 * our own PID namespace). Fills *res (which the caller frees with
 * pj_attach_result_free) and returns res->err. PJ_ATTACH_OK means the JVM
 * answered; res->result says whether the operation itself succeeded.
 * Arguments over 1024 bytes use protocol v2 when the JVM speaks it (JDK 24+)
 * and give PJ_ATTACH_ERR_TOO_LONG otherwise.
 */
pj_attach_err pj_attach(pid_t pid, const char *cmd, const char *const *args, size_t nargs,
			const pj_attach_opts *opts, pj_attach_result *res);

void pj_attach_result_free(pj_attach_result *res);

/* A short stable name for an error: "not-a-jvm", "gone", "permission", ... */
const char *pj_attach_err_name(pj_attach_err err);

#endif
