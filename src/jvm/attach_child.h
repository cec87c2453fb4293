#ifndef PJ_JVM_ATTACH_CHILD_H
#define PJ_JVM_ATTACH_CHILD_H

/*
 * The part of an attach that runs in a forked child (internal to attach.c):
 * enter the target's namespaces, take its credentials, start its attach
 * listener, send the request and stream the raw reply into a pipe. The child
 * only reports how far it got; the parent interprets the reply.
 *
 * Runs after fork() in a possibly multi-threaded daemon, so it does not
 * allocate and uses system calls only.
 */

#include <stddef.h>
#include <sys/types.h>

typedef struct pj_attach_job {
	pid_t pid;           /* host PID, for kill() when pidfd signals are unavailable */
	pid_t nspid;         /* the PID the JVM knows itself by: names .java_pid / .attach_pid */
	uid_t euid;          /* the JVM's effective uid/gid, host view */
	gid_t egid;
	int procfd;          /* /proc/PID of the target */
	const char *request; /* encoded request (protocol `protocol`) */
	size_t request_len;
	int protocol;        /* 2: probe with getversion first, fail if the JVM lacks v2 */
	int start_timeout_ms;
	int reply_timeout_ms;
	int out_fd;          /* write end of the pipe the raw reply goes to */
} pj_attach_job;

/* Lives in memory shared with the parent (MAP_SHARED), written by the child. */
typedef struct pj_attach_outcome {
	int err;             /* pj_attach_err */
	int sys_errno;
	int protocol;        /* version actually used */
	const char *step;    /* static string: what the child was doing when it failed */
	int connected;       /* reached the JVM's attach listener */
	int listener_busy;   /* its backlog stayed full until the deadline */
} pj_attach_outcome;

/* Runs the child's part; the caller _exit()s afterwards. */
void pj_attach_child_run(const pj_attach_job *job, pj_attach_outcome *out);

#endif
