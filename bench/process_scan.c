/*
 * How long one discovery.process scan takes, on this machine's /proc and on a
 * synthetic proc tree of 1,000 processes built in a temporary directory, with
 * Alloy's default discover_config and with every label switched on. The
 * cost of the system calls a scan cannot avoid is measured too, as the floor
 * against which the scan times should be read: on a VM with slow syscalls
 * a scan is slow because its readlinkat/openat calls are.
 *
 *   build/bench/bench_process_scan [iterations] [synthetic process count]
 */
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jvm/process_scan.h"

/*
 * Thread CPU time (user + system) is what the scan costs; on a shared machine
 * wall time also counts other processes' turns, so both are reported.
 */
static double clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return clock_ms(CLOCK_THREAD_CPUTIME_ID);
}

static int write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	size_t n = fwrite(data, 1, len, f);
	return fclose(f) == 0 && n == len ? 0 : -1;
}

/* One fake process that looks like a containerised JVM. */
static int add_fake_process(const char *root, int pid)
{
	char dir[PATH_MAX], link[PATH_MAX + 8], text[512];
	snprintf(dir, sizeof dir, "%s/%d", root, pid);
	if (mkdir(dir, 0755) != 0)
		return -1;
	snprintf(link, sizeof link, "%s/exe", dir);
	if (symlink("/usr/lib/jvm/java-17-openjdk-amd64/bin/java", link) != 0)
		return -1;
	snprintf(link, sizeof link, "%s/cwd", dir);
	if (symlink("/srv/app", link) != 0)
		return -1;
	int n = snprintf(text, sizeof text, "java%c-Xmx512m%c-XX:+UseG1GC%c-jar%c/srv/app/service-%d.jar%c", 0, 0, 0,
		0, pid, 0);
	if (write_file(dir, "cmdline", text, (size_t)n) != 0)
		return -1;
	n = snprintf(text, sizeof text, "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\n"
					"PPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nVmRSS:\t123456 kB\n",
		pid, pid);
	if (write_file(dir, "status", text, (size_t)n) != 0)
		return -1;
	n = snprintf(text, sizeof text, "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%08x.slice/"
					"cri-containerd-%064x.scope\n",
		pid, pid);
	return write_file(dir, "cgroup", text, (size_t)n);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Times `iterations` scans; prints min, median and max, and heap growth across them. */
static int run(const char *what, const char *root, const pj_process_discover_config *cfg, int iterations)
{
	pj_process_scan_options opt = {.proc_root = root};
	double *ms = calloc((size_t)iterations, sizeof(double));
	double *wall = calloc((size_t)iterations, sizeof(double));
	if (!ms || !wall) {
		free(ms);
		free(wall);
		return -1;
	}
	size_t targets = 0;
	for (int i = 0; i < iterations; i++) {
		pj_targets out = PJ_TARGETS_INIT;
		char *err = NULL;
		double w0 = clock_ms(CLOCK_MONOTONIC), t0 = now_ms();
		bool ok = pj_process_scan(cfg, &opt, &out, NULL, &err);
		ms[i] = now_ms() - t0;
		wall[i] = clock_ms(CLOCK_MONOTONIC) - w0;
		if (!ok) {
			fprintf(stderr, "%s: %s\n", what, err);
			free(err);
			free(ms);
			free(wall);
			return -1;
		}
		targets = out.len;
		pj_targets_free(&out);
	}
	qsort(ms, (size_t)iterations, sizeof(double), compare_double);
	qsort(wall, (size_t)iterations, sizeof(double), compare_double);
	printf("%-40s %5zu targets  CPU min %7.3f / median %7.3f ms (%.1f us/target)  wall median %7.3f ms\n",
		what, targets, ms[0], ms[iterations / 2], targets ? ms[iterations / 2] * 1e3 / (double)targets : 0.0,
		wall[iterations / 2]);
	free(ms);
	free(wall);
	return 0;
}

/* Median microseconds of the syscalls one default-config target needs at least. */
static void print_syscall_floor(void)
{
	enum { N = 2000 };
	static double us[N];
	char buf[4096];
	double link = 0, file = 0;
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			double t0 = now_ms();
			if (round == 0) {
				if (readlink("/proc/self/exe", buf, sizeof buf) < 0)
					return;
			} else {
				int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
				if (fd < 0 || read(fd, buf, sizeof buf) < 0 || close(fd) != 0)
					return;
			}
			us[i] = (now_ms() - t0) * 1e3;
		}
		qsort(us, N, sizeof(double), compare_double);
		*(round == 0 ? &link : &file) = us[N / 2];
	}
	printf("syscall floor: readlink of a /proc link %.1f us, open+read+close of a /proc file %.1f us\n"
	       "  (a default-config target needs 2 of each: %.1f us)\n",
		link, file, 2 * (link + file));
}

int main(int argc, char **argv)
{
	int iterations = argc > 1 ? atoi(argv[1]) : 50;
	int nfake = argc > 2 ? atoi(argv[2]) : 1000;
	if (iterations < 1 || nfake < 1) {
		fprintf(stderr, "usage: %s [iterations] [synthetic process count]\n", argv[0]);
		return 2;
	}
	char root[] = "/tmp/pj-bench-proc-XXXXXX";
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	int rc = 0;
	for (int pid = 1; pid <= nfake && rc == 0; pid++)
		rc = add_fake_process(root, pid * 7);
	pj_process_discover_config defaults = PJ_PROCESS_DISCOVER_DEFAULTS;
	pj_process_discover_config all = {true, true, true, true, true, true, true};
	char label[64];
	printf("discovery.process scan, %d iterations each\n", iterations);
	print_syscall_floor();
	if (rc == 0)
		rc = run("real /proc, default discover_config", "/proc", &defaults, iterations);
	if (rc == 0)
		rc = run("real /proc, every label on", "/proc", &all, iterations);
	snprintf(label, sizeof label, "synthetic %d, default discover_config", nfake);
	if (rc == 0)
		rc = run(label, root, &defaults, iterations);
	snprintf(label, sizeof label, "synthetic %d, every label on", nfake);
	if (rc == 0)
		rc = run(label, root, &all, iterations);
	char cmd[sizeof root + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return rc == 0 ? 0 : 1;
}
