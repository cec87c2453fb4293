#!/bin/sh
# pyroscope.java under target churn: five JVMs started and stopped while
# profiling (2 s windows). Every live one gets profiles; a stopped one leaves
# no loop thread and no recording behind. Then pyrojava is killed with
# SIGKILL while a JVM is being profiled and started again: it takes the
# running session over ("Profiler already started") and profiles resume.
# Runs in a private PID namespace so only these JVMs are seen.
set -u
: "${PYROJAVA:?PYROJAVA must point at the built binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"

if [ -z "${PJ_IN_PIDNS:-}" ]; then
	exec unshare --pid --fork --mount-proc env PJ_IN_PIDNS=1 sh "$0" "$@"
fi

JDK=$(ls -d /usr/lib/jvm/java-17-openjdk-* 2>/dev/null | head -n 1)
[ -x "$JDK/bin/java" ] || { echo "FAIL: no JDK 17 under /usr/lib/jvm"; exit 1; }

work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	for f in "$work"/*.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }
	done
	exit 1
}

wait_for() {
	i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -gt $((${3:-30} * 10)) ] && fail "timed out waiting for '$2' in $1"
		sleep 0.1
	done
}

# Waits (up to 60 s) until the glob $1 matches at least $2 files (default 1).
wait_files() {
	i=0
	while [ "$(ls $1 2>/dev/null | wc -l)" -lt "${2:-1}" ]; do
		i=$((i + 1))
		[ "$i" -gt 600 ] && fail "timed out waiting for ${2:-1} files $1"
		sleep 0.1
	done
}

"$JDK/bin/javac" -d "$work/cls" "$PJ_SOURCE_DIR/examples/demo/Demo.java" || fail "javac"

cat >"$work/profiler.alloy" <<EOT
discovery.process "local" {
	refresh_interval = "1s"
}

discovery.relabel "java" {
	targets = discovery.process.local.targets

	rule {
		source_labels = ["__meta_process_exe"]
		regex         = ".*/java"
		action        = "keep"
	}

	rule {
		source_labels = ["__meta_process_commandline"]
		regex         = ".*-Dservice=([A-Za-z0-9_-]+).*"
		target_label  = "service_name"
	}
}

pyroscope.file "out" {
	directory = "$work/out"
}

pyroscope.java "jvms" {
	targets    = discovery.relabel.java.output
	forward_to = [pyroscope.file.out.receiver]

	profiling_config {
		interval = "2s"
	}
}
EOT

start_profiler() {
	"$PYROJAVA" run --server.http.listen-addr=127.0.0.1:0 "$work/profiler.alloy" >>"$work/profiler.log" 2>&1 &
	profiler=$!
	pids="$pids $profiler"
	wait_for "$work/profiler.log" 'msg="pyrojava is running"'
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
sleep 2
baseline=$(threads)

# Churn: each JVM lives through a few windows; two overlap at any time.
prev=
for n in 1 2 3 4 5; do
	start_jvm "churn$n"
	wait_files "$work/out/churn$n/process_cpu/*.pb.gz" 2
	if [ -n "$prev" ]; then
		eval "p=\$jvm_$prev"
		kill -TERM "$p"
		wait "$p" 2>/dev/null
	fi
	prev="churn$n"
done
eval "p=\$jvm_$prev"
kill -TERM "$p"
wait "$p" 2>/dev/null

# Every loop ends: the thread count drops back and no recording is left.
i=0
while [ "$(threads)" -gt "$baseline" ]; do
	i=$((i + 1))
	[ "$i" -gt 200 ] && fail "profiling threads left: $(threads) threads, $baseline before the JVMs"
	sleep 0.1
done
for n in 1 2 3 4 5; do
	eval "p=\$jvm_churn$n"
	left=$(ls /tmp/asprof-*-"$p"-* 2>/dev/null)
	[ -z "$left" ] || fail "files of stopped JVM churn$n left behind: $left"
done
debug=$(curl -sf "http://$(sed -n 's/.*now listening.* addr=\([^ ]*\).*/\1/p' "$work/profiler.log" | tail -n 1)/api/v0/web/components/pyroscope.java.jvms")
case "$debug" in *'"debugInfo":[]'*) ;; *) fail "debug info still lists targets: $debug" ;; esac

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
