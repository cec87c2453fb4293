#!/bin/sh
# pyroscope.java and a JVM that stops answering: the JVM is frozen with
# SIGSTOP while it is being profiled, so a dump gets no reply and the loop
# believes the session ended although the agent in the JVM still runs. The JVM
# is then let go and shut down (SIGTERM): at exit the agent writes its last
# window under the name of the session it was started with. The loop must
# end, log the failed step once with its cause, and leave no recording or
# log named for that PID in /tmp; pyrojava goes on profiling a second JVM.
# Runs in a private PID namespace so only these JVMs are seen.
set -u
: "${PYROJAVA:?PYROJAVA must point at the built binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"

. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_enter_pidns "$0" "$@"
pj_find_jdk
pj_workdir
pj_compile_demo

pj_profiler_config ".+" >"$work/profiler.alloy"

for name in frozen steady; do
	"$JDK/bin/java" -Dservice="$name" -cp "$work/cls" Demo 600 >"$work/jvm-$name.log" 2>&1 &
	eval "jvm_$name=$!"
	pids="$pids $!"
	wait_for "$work/jvm-$name.log" "demo workload running"
done

pj_run "$work/profiler.alloy" "$work/profiler.log"
profiler=$pj_pid
wait_files "$work/out/frozen/process_cpu/*.pb.gz" 1
wait_files "$work/out/steady/process_cpu/*.pb.gz" 1

# Freeze: the next dump waits for a reply that does not come until the
# attach reply timeout, and fails.
kill -STOP "$jvm_frozen"
wait_for "$work/profiler.log" "pid=$jvm_frozen step=dump" 90
steady_before=$(ls "$work/out/steady/process_cpu/"*.pb.gz | wc -l)

# Let it go and shut it down at once: the agent writes its last window at exit.
kill -CONT "$jvm_frozen"
kill -TERM "$jvm_frozen"
wait "$jvm_frozen" 2>/dev/null

i=0
while left=$(ls /tmp/asprof-*-"$jvm_frozen"-* 2>/dev/null) && [ -n "$left" ]; do
	i=$((i + 1))
	[ "$i" -gt 600 ] && fail "files of the exited JVM $jvm_frozen left in /tmp: $left"
	sleep 0.1
done
kill -0 "$profiler" 2>/dev/null || fail "pyrojava exited"
n=$(grep -c "profiling failed.*pid=$jvm_frozen step=dump" "$work/profiler.log")
[ "$n" -eq 1 ] || fail "the failed dump was logged $n times, expected once"
grep "profiling failed.*pid=$jvm_frozen step=dump" "$work/profiler.log" | grep -q "err=\".*timed out" ||
	fail "the logged failure does not give the timeout as its cause"
wait_files "$work/out/steady/process_cpu/*.pb.gz" $((steady_before + 2))
echo "ok"
