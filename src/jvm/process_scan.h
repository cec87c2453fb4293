#ifndef PJ_JVM_PROCESS_SCAN_H
#define PJ_JVM_PROCESS_SCAN_H

/*
 * The /proc scan behind `discovery.process` (spec section 8): one pass over a
 * proc directory producing one target (label set) per process, plus Alloy's
 * `join` of those targets with targets from elsewhere by container ID.
 *
 * A scan keeps nothing between calls: everything it allocates is freed before
 * it returns except the targets it appends to the caller's list.
 */

#include <stdbool.h>
#include <stddef.h>

#include "relabel/labels.h"

#define PJ_LABEL_PROCESS_PID "__process_pid__"
#define PJ_LABEL_PROCESS_EXE "__meta_process_exe"
#define PJ_LABEL_PROCESS_CWD "__meta_process_cwd"
#define PJ_LABEL_PROCESS_COMMANDLINE "__meta_process_commandline"
#define PJ_LABEL_PROCESS_UID "__meta_process_uid"
#define PJ_LABEL_PROCESS_USERNAME "__meta_process_username"
#define PJ_LABEL_PROCESS_CGROUP_PATH "__meta_process_cgroup_path"
#define PJ_LABEL_CONTAINER_ID "__container_id__"

/* The `discover_config` block: which labels to produce (and so which files to read). */
typedef struct pj_process_discover_config {
	bool exe;
	bool cwd;
	bool commandline;
	bool container_id;
	bool username;
	bool uid;
	bool cgroup_path;
} pj_process_discover_config;

/* Alloy's defaults as its code has them (its docs claim uid and username default to true). */
#define PJ_PROCESS_DISCOVER_DEFAULTS {true, true, true, true, false, false, false}

/* Called for a read error that is not "the process is gone"; Alloy logs these. */
typedef void pj_process_scan_error_fn(void *ctx, int pid, const char *what, int err);

typedef struct pj_process_scan_options {
	const char *proc_root; /* NULL: "/proc" (Alloy: $HOST_PROC or /proc) */
	const char *cgroup_root; /* where <pid>/cgroup is read; NULL: proc_root (Alloy: always /proc) */
	pj_process_scan_error_fn *on_error; /* may be NULL */
	void *ctx;
} pj_process_scan_options;

typedef struct pj_process_scan_stats {
	size_t listed; /* numeric entries in the proc directory */
	size_t emitted; /* targets appended */
	size_t gone; /* skipped silently: ENOENT/ESRCH (exited, kernel thread, zombie) */
	size_t failed; /* skipped after any other read error */
} pj_process_scan_stats;

/*
 * Scans the proc directory and appends one target per readable process, in
 * ascending PID order. Returns false (and sets *err, caller frees) only when
 * the directory itself cannot be listed. stats may be NULL.
 */
bool pj_process_scan(const pj_process_discover_config *cfg, const pj_process_scan_options *opt, pj_targets *out,
	pj_process_scan_stats *stats, char **err);

/*
 * The container ID in one line of /proc/<pid>/cgroup, as Alloy's pattern
 * ^.*\/(?:.*-)?([0-9a-f]{64})(?:\.|\s*$) finds it. Returns false if none;
 * otherwise *id points at the 64 hex characters inside line.
 */
bool pj_container_id_from_cgroup_line(const char *line, size_t len, const char **id);

/*
 * The container ID of a target for joining: __container_id__, else a
 * __meta_kubernetes_pod_container_id with a docker://, containerd:// or cri-o://
 * prefix (stripped), else __meta_docker_container_id. NULL when none.
 */
const char *pj_container_id_of_target(const pj_labels *t, size_t *len);

/*
 * Alloy's join (spec 8.4): join targets without a container ID, then every
 * process (merged with the join target of the same container ID, whose labels
 * win), then every join target with a container ID, in first-seen order (a
 * later one with the same ID replaces an earlier one). Appends to out.
 */
void pj_process_join(const pj_targets *processes, const pj_targets *join, pj_targets *out);

#endif
