#ifndef PJ_COMPONENTS_DISCOVERY_PROCESS_H
#define PJ_COMPONENTS_DISCOVERY_PROCESS_H

/*
 * discovery.process: one target per process on the host, from a /proc scan
 * at start and every `refresh_interval`, joined with `join` by container ID
 * (spec 8, docs/discovery.process.md).
 */

#include "runtime/component.h"

extern const pj_component_type pj_discovery_process_type;

/*
 * The same component without a run loop: it scans once when built and never
 * again. What `pyrojava targets` evaluates a configuration with.
 */
extern const pj_component_type pj_discovery_process_once_type;

/*
 * Where the scan reads. NULL proc root: $HOST_PROC, else /proc, as Alloy
 * (gopsutil) does; NULL cgroup root: /proc, which Alloy always uses for the
 * cgroup file. Tests point both at a fake tree; set before building.
 */
extern const char *pj_discovery_proc_root;
extern const char *pj_discovery_cgroup_root;

#endif
