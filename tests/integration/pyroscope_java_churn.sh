#!/bin/sh
# pyroscope.java under target churn: five JVMs started and stopped at
# staggered times during two minutes of profiling (2 s windows). Every live
# one gets profiles under its own service_name; after each stop the JVM's loop
# is gone from debug info, its thread has ended and its recording and log are
# removed. Then pyrojava is killed with SIGKILL while a JVM is being profiled
# and started again: it takes the running session over ("Profiler already
# started") and profiles resume.
# Runs in a private PID namespace so only these JVMs are seen.
set -u
: "${PYROJAVA:?PYROJAVA must point at the built binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"

. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_enter_pidns "$0" "$@"
PJ_FAIL_TAIL=30
pj_find_jdk

pj_workdir

pj_compile_demo

pj_profiler_config ".+" >"$work/profiler.alloy"

start_profiler() {
	pj_run "$work/profiler.alloy" "$work/profiler.log"
	profiler=$pj_pid
}

threads() {
	ls /proc/"$profiler"/task | wc -l
}

start_jvm() {
	"$JDK/bin/java" -Dservice="$1" -cp "$work/cls" Demo 600 >"$work/jvm-$1.log" 2>&1 &
	eval "jvm_$1=$!"
	pids="$pids $!"
	wait_for "$work/jvm-$1.log" "demo workload running"
}

start_profiler
debug() {
	curl -sf "http://$api/api/v0/web/components/pyroscope.java.jvms"
}
sleep 2
baseline=$(threads)

# Sleeps until $1 seconds after the churn began (at once when already later).
at() {
	while [ "$(date +%s)" -lt $((t0 + $1)) ]; do sleep 0.2; done
}

cpu_profiles() {
	ls "$work/out/$1/process_cpu/"*.pb.gz 2>/dev/null | wc -l
}

# JVM $1 got profiles of its own: at least $2 CPU profiles under its
# service_name, labelled with it (up to 60 s).
wait_profiles() {
	wait_files "$work/out/$1/process_cpu/*.pb.gz" "$2"
	grep -qF "\"service_name\":\"$1\"" "$work/out/$1/process_cpu/"*.labels.json ||
		fail "$1: profiles lack service_name=$1"
}

live=
# Stops JVM $1, then waits (up to 30 s each) until its loop is gone from debug
# info, its thread has ended and its files are removed from /tmp; the JVMs
# still running keep getting profiles.
kill_jvm() {
	eval "p=\$jvm_$1"
	listed="\"name\":\"pid\",\"type\":\"attr\",\"value\":{\"type\":\"number\",\"value\":$p}}"
	wait_profiles "$1" 2
	case "$(debug)" in *"$listed"*) ;; *) fail "$1 (pid $p) missing from debug info: $(debug)" ;; esac
	kill -TERM "$p"
	wait "$p" 2>/dev/null
	live=$(echo "$live" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
	n_live=$(echo "$live" | wc -w)
	i=0
	while :; do
		info=$(debug) || fail "components API"
		left=$(ls /tmp/asprof-*-"$p"-* 2>/dev/null)
		case "$info" in *"$listed"*) gone= ;; *) gone=1 ;; esac
		[ -n "$gone" ] && [ "$(threads)" -le $((baseline + n_live)) ] && [ -z "$left" ] && break
		i=$((i + 1))
		[ "$i" -gt 300 ] && fail "$1 (pid $p) left behind: debug info $info; $(threads) threads for $n_live live JVMs (baseline $baseline); files: $left"
		sleep 0.1
	done
	for other in $live; do
		wait_profiles "$other" $(($(cpu_profiles "$other") + 1))
	done
}

start_churn_jvm() {
	start_jvm "$1"
	live="$live $1"
}

# Churn over two minutes: five JVMs started and stopped at staggered times,
# never more than two at once, each living through many 2 s windows.
t0=$(date +%s)
start_churn_jvm churn1
at 15
start_churn_jvm churn2
at 30
kill_jvm churn1
at 40
start_churn_jvm churn3
at 55
kill_jvm churn2
at 65
start_churn_jvm churn4
at 80
kill_jvm churn3
at 90
start_churn_jvm churn5
at 105
kill_jvm churn4
at 120
kill_jvm churn5

# Every loop has ended: the thread count is back at the baseline and debug
# info lists no target.
[ "$(threads)" -le "$baseline" ] || fail "profiling threads left: $(threads) threads, $baseline before the JVMs"
case "$(debug)" in *'"debugInfo":[]'*) ;; *) fail "debug info still lists targets: $(debug)" ;; esac

# SIGKILL while profiling, then a restart takes the session over.
start_jvm keep
wait_files "$work/out/keep/process_cpu/*.pb.gz" 1
kill -KILL "$profiler"
wait "$profiler" 2>/dev/null
before=$(ls "$work/out/keep/process_cpu/"*.pb.gz | wc -l)
lines=$(wc -l <"$work/profiler.log")
start_profiler
wait_for "$work/profiler.log" "took over a profiling session left running" 30
wait_files "$work/out/keep/process_cpu/*.pb.gz" $((before + 2))
if tail -n +"$((lines + 1))" "$work/profiler.log" | grep -q 'level=warn msg="profiling failed".*step=start'; then
	fail "a start failed instead of taking the session over"
fi

# A reload that changes the profiling options restarts the running session with them.
sed -i 's|interval = "2s"|&\n\t\tevent    = "wall"|' "$work/profiler.alloy"
grep -q 'event    = "wall"' "$work/profiler.alloy" || fail "could not edit the config"
kill -HUP "$profiler"
wait_for "$work/profiler.log" 'msg="config reloaded"'
i=0
while ! cat "$work/out/keep/"*/*.labels.json 2>/dev/null | grep -q '"jfr_event":"wall"'; do
	i=$((i + 1))
	[ "$i" -gt 300 ] && fail "no wall-event profile after the reload"
	sleep 0.1
done
echo "ok"
