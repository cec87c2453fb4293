#!/bin/sh
# pyroscope.java end to end with real JVMs. The documented example
# (examples/java-to-pyroscope.alloy), with only the endpoint pointed at a
# local pyroscope.receive_http (which stores into pyroscope.file) and a short
# interval, must deliver process_cpu, memory and mutex profiles with the
# right service_name for
#   - a JVM on the host, and
#   - a JVM in its own mount + PID namespace with a private /tmp, running as
#     uid 65534 (the library is copied into its /tmp);
# the CPU profile's hottest frame is the workload's hot method; debug info
# lists both; on shutdown no recording or log file is left behind.
# Everything runs in a private PID namespace so only these JVMs are seen.
set -u
: "${PYROJAVA:?PYROJAVA must point at the built binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"

. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_enter_pidns "$0" "$@"
pj_find_jdk
GO=$(command -v go || echo /usr/lib/go/bin/go)

# Outside /tmp: the namespaced JVM gets a private /tmp but must see the classes.
pj_workdir pj-java-it

pj_compile_demo
chmod -R a+rX "$work/cls"

# The receiving side.
{
	pj_receive_http pyroscope.file.out.receiver
	cat <<EOT

pyroscope.file "out" {
	directory = "$work/out"
}
EOT
} >"$work/receiver.alloy"
pj_run "$work/receiver.alloy" "$work/receiver.log"
addr=$(pj_log_addr "$work/receiver.log" "receiving profiles")

# The JVMs: one on the host, one "containerised" as another user.
"$JDK/bin/java" -Dservice=pjit-host -cp "$work/cls" Demo 600 >"$work/jvm-host.log" 2>&1 &
jvm_host=$!
pids="$pids $jvm_host"
unshare --mount --pid --fork --mount-proc sh -c "
	mount -t tmpfs -o mode=1777 tmpfs /tmp && cd / &&
	exec setpriv --reuid=65534 --regid=65534 --clear-groups \
		'$JDK/bin/java' -Dservice=pjit-ns -cp '$work/cls' Demo 600" >"$work/jvm-ns.log" 2>&1 &
pids="$pids $!"
wait_for "$work/jvm-host.log" "demo workload running"
wait_for "$work/jvm-ns.log" "demo workload running"
jvm_ns=$(pgrep -f -- "-Dservice=pjit-ns" | while read -r p; do
	[ "$(stat -c %u /proc/$p)" = 65534 ] && [ "$(readlink /proc/$p/exe)" = "$(readlink -f "$JDK/bin/java")" ] && echo "$p"
done | head -n 1)
[ -n "$jvm_ns" ] || fail "cannot find the namespaced JVM"
[ "$(readlink /proc/$jvm_ns/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] || fail "namespaced JVM shares our mount namespace"

# The documented example, endpoint pointed at the receiver, windows of 3 s.
example="$PJ_SOURCE_DIR/examples/java-to-pyroscope.alloy"
sed -e "s|http://pyroscope.example:4040|http://$addr|" \
	-e 's|refresh_interval = "30s"|refresh_interval = "1s"|' \
	-e 's|forward_to = \[pyroscope.write.backend.receiver\]|&\n\n\tprofiling_config {\n\t\tinterval = "3s"\n\t}|' \
	"$example" >"$work/profiler.alloy"
grep -q 'interval = "3s"' "$work/profiler.alloy" || fail "could not shorten the example's interval"
pj_run "$work/profiler.alloy" "$work/profiler.log"
profiler=$pj_pid

for svc in pjit-host pjit-ns; do
	for metric in process_cpu memory mutex; do
		wait_files "$work/out/$svc/$metric/*.pb.gz"
	done
	labels=$(cat "$work/out/$svc/process_cpu/"*.labels.json | head -n 1)
	for want in "\"service_name\":\"$svc\"" '"__name__":"process_cpu"' '"pyroscope_spy":"alloy.java"' \
		'"jfr_event":"itimer"'; do
		case "$labels" in *"$want"*) ;; *) fail "$svc: labels $labels lack $want" ;; esac
	done
	grep -q '"__name__":"memory"' "$work/out/$svc/memory/"*.labels.json || fail "$svc: memory profile misnamed"
	grep -q '"__name__":"mutex"' "$work/out/$svc/mutex/"*.labels.json || fail "$svc: mutex profile misnamed"
	cpu=$(ls "$work/out/$svc/process_cpu/"*.pb.gz | tail -n 1)
	top=$("$GO" tool pprof -top -nodecount=1 "$cpu" 2>&1 | tail -n 1)
	case "$top" in *Demo.burnCpu*) ;; *) fail "$svc: hottest frame is not Demo.burnCpu: $top" ;; esac
done

debug=$(curl -sf "http://$api/api/v0/web/components/pyroscope.java.jvms") || fail "components API"
for want in '"name":"profiled_targets"' "\"value\":$jvm_host}" "\"value\":$jvm_ns}" '"last_profiled"' \
	'"last_profile_bytes_per_type"'; do
	case "$debug" in *"$want"*) ;; *) fail "debug info lacks $want: $debug" ;; esac
done

# The library was copied into the namespaced JVM's private /tmp.
ls /proc/"$jvm_ns"/root/tmp/alloy-asprof-glibc-*/lib/libasyncProfiler.so >/dev/null 2>&1 ||
	fail "no library in the namespaced JVM's /tmp"

# Shutdown stops both profilers and removes their files.
kill -TERM "$profiler"
wait "$profiler" || fail "pyrojava exited with $?"
wait_for "$work/profiler.log" 'msg="pyrojava stopped"'
left=$(ls /tmp/asprof-*-"$jvm_host"-* /proc/"$jvm_ns"/root/tmp/asprof-* 2>/dev/null)
[ -z "$left" ] || fail "files left behind: $left"
for p in $jvm_host $jvm_ns; do
	maps=$(cat /proc/$p/maps)
	case "$maps" in *libasyncProfiler*) ;; *) fail "pid $p: agent not loaded" ;; esac
done
# The agent prints the status to the JVM's standard output.
"$PYROJAVA" attach "$jvm_host" load "$(ls -d /tmp/alloy-asprof-glibc-*/lib/libasyncProfiler.so | head -n 1)" true \
	status >"$work/status.log" 2>&1 || fail "status attach failed"
wait_for "$work/jvm-host.log" "Profiler is not active" 10
echo "ok"
