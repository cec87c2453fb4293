/* process_* metrics, named and described as the Prometheus Go client does. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/alloc.h"
#include "runtime/metrics.h"

enum proc_field { CPU_SECONDS, VIRTUAL_BYTES, RESIDENT_BYTES, START_TIME };

/* Reads /proc/self/stat; fields are counted from 1 as in proc(5). Returns NaN on failure. */
static double read_stat(enum proc_field which)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "re");
	if (f == NULL)
		return NAN;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may contain spaces and parentheses; fields resume after the last ')'. */
	char *p = strrchr(buf, ')');
	if (p == NULL)
		return NAN;
	unsigned long long v[25] = {0};
	int field = 3;
	for (char *tok = strtok(p + 1, " "); tok && field < 25; tok = strtok(NULL, " "), field++)
		v[field] = strtoull(tok, NULL, 10);
	if (field < 25)
		return NAN;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	if (tck <= 0 || page <= 0)
		return NAN;
	switch (which) {
	case CPU_SECONDS:
		return (double)(v[14] + v[15]) / (double)tck;
	case VIRTUAL_BYTES:
		return (double)v[23];
	case RESIDENT_BYTES:
		return (double)v[24] * (double)page;
	case START_TIME:
		break;
	}
	f = fopen("/proc/stat", "re");
	if (f == NULL)
		return NAN;
	unsigned long long btime = 0;
	char line[256];
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %llu", &btime) == 1)
			break;
	fclose(f);
	return btime ? (double)btime + (double)v[22] / (double)tck : NAN;
}

static double read_field(void *ctx)
{
	return read_stat((enum proc_field)(uintptr_t)ctx);
}

static double read_open_fds(void *ctx)
{
	(void)ctx;
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return NAN;
	double n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory stream's own descriptor */
}

static double read_max_fds(void *ctx)
{
	(void)ctx;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return NAN;
	return rl.rlim_cur == RLIM_INFINITY ? INFINITY : (double)rl.rlim_cur;
}

bool pj_metrics_register_process(pj_metrics *r, char **err)
{
	static const struct {
		const char *name;
		const char *help;
		pj_metric_type type;
		double (*read)(void *);
		uintptr_t field;
	} defs[] = {
		{"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
		 PJ_METRIC_COUNTER, read_field, CPU_SECONDS},
		{"process_open_fds", "Number of open file descriptors.", PJ_METRIC_GAUGE,
		 read_open_fds, 0},
		{"process_max_fds", "Maximum number of open file descriptors.", PJ_METRIC_GAUGE,
		 read_max_fds, 0},
		{"process_virtual_memory_bytes", "Virtual memory size in bytes.", PJ_METRIC_GAUGE,
		 read_field, VIRTUAL_BYTES},
		{"process_resident_memory_bytes", "Resident memory size in bytes.", PJ_METRIC_GAUGE,
		 read_field, RESIDENT_BYTES},
		{"process_start_time_seconds",
		 "Start time of the process since unix epoch in seconds.", PJ_METRIC_GAUGE,
		 read_field, START_TIME},
	};
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		pj_metric_opts o = {
			.name = defs[i].name,
			.help = defs[i].help,
			.read = defs[i].read,
			.read_ctx = (void *)defs[i].field,
		};
		if (pj_metrics_register(r, defs[i].type, &o, err) == NULL)
			return false;
	}
	return true;
}
