/*
 * How long discovery.relabel takes per target: a typical Java pipeline's rules
 * (keep JVMs by executable, derive a service name from the command line, map
 * and drop meta labels) over synthetic discovery.process targets, 1 in 4 of
 * them a JVM. Times are thread CPU time.
 *
 *   build/bench/bench_relabel [iterations] [targets]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "relabel/relabel.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: load-independent */
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void make_targets(pj_targets *t, int n)
{
	char v[256];
	for (int i = 0; i < n; i++) {
		pj_labels *l = pj_targets_push(t);
		snprintf(v, sizeof v, "%d", 1000 + i);
		pj_labels_set(l, "__process_pid__", v);
		bool java = i % 4 == 0;
		pj_labels_set(l, "__meta_process_exe", java ? "/usr/lib/jvm/java-17-openjdk-amd64/bin/java" : "/usr/bin/bash");
		snprintf(v, sizeof v, java ? "java -Xmx512m -XX:+UseG1GC -jar /srv/app/service-%d.jar --port 8080" : "bash -c sleep %d",
			i);
		pj_labels_set(l, "__meta_process_commandline", v);
		pj_labels_set(l, "__meta_process_cwd", "/srv/app");
		pj_labels_set(l, "__container_id__", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	}
}

int main(int argc, char **argv)
{
	int iterations = argc > 1 ? atoi(argv[1]) : 50;
	int n = argc > 2 ? atoi(argv[2]) : 1000;
	if (iterations < 1 || n < 1) {
		fprintf(stderr, "usage: %s [iterations] [targets]\n", argv[0]);
		return 2;
	}
	static const char *const exe[] = {"__meta_process_exe"};
	static const char *const cmd[] = {"__meta_process_commandline"};
	const relabel_rule_config cfgs[] = {
		{.source_labels = exe, .n_source_labels = 1, .regex = ".*/java", .action = "keep"},
		{.source_labels = cmd, .n_source_labels = 1, .regex = ".* -jar (?:.*/)?(\\S+)\\.jar.*",
			.target_label = "service_name"},
		{.regex = "__meta_process_(.*)", .replacement = "process_${1}", .action = "labelmap"},
		{.regex = "__meta_.*", .action = "labeldrop"},
	};
	char *err = NULL;
	relabel_rules *rules = relabel_rules_compile(cfgs, sizeof cfgs / sizeof cfgs[0], &err);
	if (!rules) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return 1;
	}
	pj_targets targets = PJ_TARGETS_INIT;
	make_targets(&targets, n);
	double best = 1e18, total = 0;
	size_t kept = 0;
	for (int it = 0; it < iterations; it++) {
		pj_labels out = PJ_LABELS_INIT;
		kept = 0;
		double t0 = now_ms();
		for (size_t i = 0; i < targets.len; i++)
			kept += relabel_apply(rules, &targets.items[i], &out);
		double ms = now_ms() - t0;
		pj_labels_free(&out);
		total += ms;
		best = ms < best ? ms : best;
	}
	printf("discovery.relabel, 4 rules over %d targets (%zu kept), %d iterations: best %.3f ms, mean %.3f ms "
	       "(%.2f us/target)\n",
		n, kept, iterations, best, total / iterations, best * 1e3 / n);
	pj_targets_free(&targets);
	relabel_rules_unref(rules);
	return 0;
}
