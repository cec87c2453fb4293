#!/bin/sh
# The profiler agent (build/agent/glibc/libasyncProfiler.so) inside real JVMs
# (JDK 17, and Temurin 25 when installed), driven through asprof and
# `pyrojava attach` like Alloy drives async-profiler: every recording must be
# readable by the JDK's own `jfr` tool and by `pyrojava convert`, and show
# the busy method.
set -u
: "${PYROJAVA:?PYROJAVA must point at the pyrojava binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"
. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_find_agent
ASPROF=$build/bin/asprof
MUSL=$build/agent/musl/libasyncProfiler.so
[ -x "$ASPROF" ] || { echo "asprof not built at $ASPROF"; exit 1; }
pj_find_jdks

pj_workdir
jvm=""
trap pj_jvm_cleanup EXIT INT TERM
# Every check runs; the script fails at the end if any did.
pj_counting_fail 10 "$work/out" "$work/err"

# busyMethod burns CPU on main; a second thread mostly sleeps; a third
# allocates; two more fight over one monitor. A locker pauses after each
# turn: without that, the thread that just released the monitor takes it
# again before the woken waiter runs, and on a loaded machine the waiter can
# starve for a whole recording, which then has no contended entry at all.
cat >"$work/Busy.java" <<'EOF'
public class Busy {
    static volatile long sink;
    static final Object LOCK = new Object();
    static long spin(int n) { long x = 0; for (int i = 0; i < n; i++) x += i * 31L ^ (x >>> 3); return x; }
    static void busyMethod() { sink += spin(200_000); }
    static void sleepyMethod() throws InterruptedException { Thread.sleep(5); }
    static void allocatingMethod() { byte[][] keep = new byte[64][]; for (int i = 0; i < 64; i++) keep[i] = new byte[4096]; sink += keep.length; }
    static void contendedMethod() throws InterruptedException { synchronized (LOCK) { Thread.sleep(20); } }
    static void daemon(String name, Runnable r) { Thread t = new Thread(r, name); t.setDaemon(true); t.start(); }
    public static void main(String[] a) throws Exception {
        daemon("sleeper", () -> { while (true) try { sleepyMethod(); } catch (InterruptedException e) { return; } });
        daemon("allocator", () -> { while (true) { allocatingMethod(); try { Thread.sleep(1); } catch (InterruptedException e) { return; } } });
        for (int i = 0; i < 2; i++)
            daemon("locker-" + i, () -> { while (true) try { contendedMethod(); Thread.sleep(1); } catch (InterruptedException e) { return; } });
        System.out.println("ready");
        long end = System.currentTimeMillis() + Long.parseLong(a[0]);
        while (System.currentTimeMillis() < end) busyMethod();
    }
}
EOF
"$JDK17/bin/javac" --release 11 -d "$work" "$work/Busy.java" || exit 1

start_jvm() {
	: >"$work/jvm.log"
	"$1/bin/java" -Xmx128m -cp "$work" Busy "$2" >"$work/jvm.log" 2>&1 &
	jvm=$!
	for _ in $(seq 100); do grep -q ready "$work/jvm.log" && return 0; sleep 0.1; done
	echo "JVM did not start"
	cat "$work/jvm.log"
	exit 1
}

asprof() { "$ASPROF" --libpath "$LIB" "$@" >"$work/out" 2>"$work/err"; }
attach() { "$PYROJAVA" attach "$jvm" load "$LIB" true "$1" >"$work/out" 2>"$work/err"; }

# `jfr print` of a recording, run once per file (each jfr run starts a JVM).
printed() {
	out="$1.printed"
	[ -f "$out" ] || "$JDK/bin/jfr" print "$1" >"$out" 2>&1 || { rm -f "$out"; return 1; }
	echo "$out"
}

# How many events of one type the JDK's reader prints, -1 if it cannot read the file.
event_count() {
	p=$(printed "$1") || { echo -1; return; }
	grep -c "^$2 {" "$p"
}

# A recording passes when both readers accept it and show `method`.
check_recording() { # file event method label
	n=$(event_count "$1" "$2")
	if [ "$n" -gt 0 ] && "$PYROJAVA" convert --format collapsed "$1" >"$work/collapsed" 2>"$work/err" &&
		grep -q "$3" "$work/collapsed"; then
		pass "$4: $n $2 events, $3 in the stacks"
	else
		fail "$4: $2 count $n; $(head -c 300 "$1.printed" "$work/collapsed" 2>/dev/null)"
	fi
}

expect() { # rc-wanted label pattern file
	if [ "$rc" -eq "$1" ] && grep -q "$3" "$4"; then pass "$2"; else fail "$2 (rc $rc)"; fi
}

# Idle actions, errors and text output (JDK 17 only, to keep the run short).
idle_and_text_checks() {
	attach "stop,log=$work/stop.log"
	rc=$?
	expect 200 "$v: stop while stopped" "^\[ERROR\] Profiler is not active" "$work/stop.log"
	asprof -o jfr stop "$jvm"
	rc=$?
	[ "$rc" -eq 0 ] && pass "$v: stop -o jfr while stopped is a no-op" || fail "$v: idle jfr stop rc $rc"
	asprof -i abc start "$jvm"
	rc=$?
	expect 100 "$v: malformed interval" "^\[ERROR\] Invalid interval" "$work/err"
	attach "status,bogus=1,file=$work/status.txt,log=$work/status.log"
	rc=$?
	expect 0 "$v: unknown option warns" "^\[WARN\] Unknown argument: bogus" "$work/status.log"
	expect 0 "$v: status when idle" "^Profiler is not active" "$work/status.txt"

	asprof -e itimer start "$jvm"
	wait_cpu "$jvm" 20
	asprof status "$jvm"
	rc=$?
	expect 0 "$v: status when running" "^Profiling is running for [0-9]* seconds" "$work/out"
	asprof stop -o collapsed "$jvm"
	rc=$?
	expect 0 "$v: collapsed text output" "^Busy.main;Busy.busyMethod;Busy.spin [0-9]*$" "$work/out"

	# resume keeps what the stopped session collected; threads splits stacks by thread.
	attach "start,event=itimer,interval=1ms,quiet,log=$work/r.log"
	wait_cpu "$jvm" 20
	attach "stop,collapsed,file=$work/first.txt,log=$work/r.log"
	attach "resume,event=itimer,interval=1ms,threads,quiet,log=$work/r.log"
	wait_cpu "$jvm" 10
	attach "stop,collapsed,file=$work/second.txt,log=$work/r.log"
	first=$(awk '{ n += $NF } END { print n + 0 }' "$work/first.txt")
	second=$(awk '{ n += $NF } END { print n + 0 }' "$work/second.txt")
	if [ "$first" -gt 0 ] && [ "$second" -ge "$first" ] &&
		grep -q '^\[main tid=[0-9]*\];Busy.main;Busy.busyMethod' "$work/second.txt"; then
		pass "resume keeps the samples ($first, then $second) and threads names the thread"
	else
		fail "resume: $first then $second samples; $(head -c 200 "$work/second.txt")"
	fi
}

# The other engines and timeout= (JDK 17 only).
engine_checks() {
	asprof -f "$work/wall.jfr" -o jfr -e wall -i 20ms --alloc 64k --lock 1ms start "$jvm"
	wait_cpu "$jvm" 80
	asprof -o jfr stop "$jvm"
	check_recording "$work/wall.jfr" profiler.WallClockSample Busy.sleepyMethod "wall"
	check_recording "$work/wall.jfr" jdk.ObjectAllocationInNewTLAB Busy.allocatingMethod "alloc"
	check_recording "$work/wall.jfr" jdk.JavaMonitorEnter Busy.contendedMethod "lock"
	"$PYROJAVA" convert --format collapsed "$work/wall.jfr" >"$work/collapsed" 2>"$work/err"
	share=$(awk '/^#/ { mem = $0 ~ /alloc_in_new_tlab/; next }
		mem { n = $NF; sub(/\]$/, "", n); all += n; if ($0 ~ /Busy\.allocatingMethod/) hit += n }
		END { if (all) printf "%.3f\n", hit / all; else print 0 }' "$work/collapsed")
	if awk -v s="$share" 'BEGIN { exit !(s >= 0.9) }'; then
		pass "alloc: the allocating method carries $share of the sampled bytes"
	else
		fail "alloc: allocating method share $share"
	fi
	if grep -A1 'name = "event"' "$work/wall.jfr.printed" | grep -q 'value = "wall"'; then
		pass "wall: the event setting says wall"
	else
		fail "wall: event setting"
	fi
	if grep -q 'state = "STATE_SLEEPING"' "$work/wall.jfr.printed" &&
		grep -q 'state = "STATE_RUNNABLE"' "$work/wall.jfr.printed"; then
		pass "wall: samples tell sleeping from running threads"
	else
		fail "wall: thread states"
	fi

	asprof -f "$work/cpu.jfr" -o jfr -e cpu -i 10ms start "$jvm"
	rc=$?
	wait_cpu "$jvm" 30
	asprof -o jfr stop "$jvm"
	check_recording "$work/cpu.jfr" jdk.ExecutionSample Busy.busyMethod "cpu"
	engine=$(grep -A1 'name = "engine"' "$work/cpu.jfr.printed" | sed -n 's/.*value = "\(.*\)"/\1/p')
	if [ "$engine" = cpu ] || { [ "$engine" = itimer ] && grep -q "falling back to itimer" "$work/err"; }; then
		pass "cpu: engine used recorded as $engine"
	else
		fail "cpu: engine setting '$engine'"
	fi

	# timeout= stops by itself and writes the recording.
	asprof -f "$work/timeout.jfr" -o jfr -e itimer start --timeout 1 "$jvm"
	sleep 1
	for _ in $(seq 20); do
		asprof status "$jvm"
		rc=$?
		grep -q "^Profiler is not active" "$work/out" && break
		sleep 0.5
	done
	expect 0 "timeout stopped the profiler" "^Profiler is not active" "$work/out"
	check_recording "$work/timeout.jfr" jdk.ExecutionSample Busy.busyMethod "timeout"
}

for JDK in $JDKS; do
	v=$(basename "$JDK")
	rm -f "$work"/*.printed # the same file names are written again
	start_jvm "$JDK" 600000

	# Grafana Alloy's start and stop command lines.
	asprof -f "$work/rec.jfr" -o jfr -e itimer -i 10000000 --alloc 512k --lock 10ms -L INFO start \
		--timeout 60 "$jvm"
	rc=$?
	expect 0 "$v: start" "^\[INFO\] Profiling started" "$work/err"
	asprof -f "$work/rec.jfr" -o jfr -e itimer start "$jvm"
	rc=$?
	expect 200 "$v: second start" "^\[ERROR\] Profiler already started" "$work/err"
	wait_cpu "$jvm" 30
	asprof -f "$work/dump1.jfr" -o jfr dump "$jvm"
	rc=$?
	wait_cpu "$jvm" 30
	asprof -f "$work/dump2.jfr" -o jfr dump "$jvm"
	rc=$((rc + $?))
	wait_cpu "$jvm" 30
	asprof -o jfr stop "$jvm"
	rc=$((rc + $?))
	[ "$rc" -eq 0 ] && pass "$v: dump, dump, stop" || fail "$v: dump/stop rc $rc"
	check_recording "$work/dump1.jfr" jdk.ExecutionSample Busy.busyMethod "$v: first dump"
	check_recording "$work/dump2.jfr" jdk.ExecutionSample Busy.busyMethod "$v: second dump"
	check_recording "$work/rec.jfr" jdk.ExecutionSample Busy.busyMethod "$v: stop"
	check_recording "$work/rec.jfr" jdk.ObjectAllocationInNewTLAB Busy.allocatingMethod "$v: stop, alloc"
	check_recording "$work/rec.jfr" jdk.JavaMonitorEnter Busy.contendedMethod "$v: stop, lock"

	if [ "$JDK" = "$JDK17" ]; then
		idle_and_text_checks
		engine_checks
	fi
	pj_stop_jvm

	# -agentpath at JVM start: the recording is written when the JVM exits.
	"$JDK/bin/java" -agentpath:"$LIB"=start,event=itimer,interval=5ms,file="$work/onload.jfr",jfr \
		-Xmx128m -cp "$work" Busy 1500 >"$work/jvm.log" 2>&1
	check_recording "$work/onload.jfr" jdk.ExecutionSample Busy.busyMethod "$v: -agentpath until exit"
	# A malformed -agentpath option stops the JVM from starting, with the message.
	"$JDK/bin/java" -agentpath:"$LIB"=start,interval=often -version >"$work/out" 2>"$work/err"
	rc=$?
	if [ "$rc" -ne 0 ] && grep -q "^\[ERROR\] Invalid interval" "$work/err"; then
		pass "$v: bad -agentpath option refused"
	else
		fail "$v: bad -agentpath option (rc $rc)"
	fi
done


# Thread and class-loader churn under 1 ms itimer + wall + alloc + lock,
# with start/dump/stop cycles, and the JVM exiting while being profiled.
cat >"$work/Churn.java" <<'EOF'
import java.net.URL;
import java.net.URLClassLoader;
public class Churn {
    static volatile long sink;
    static void work() { long x = 0; for (int i = 0; i < 20000; i++) x += i ^ (x >>> 2); sink += x; }
    public static void main(String[] a) throws Exception {
        URL here = Churn.class.getProtectionDomain().getCodeSource().getLocation();
        System.out.println("ready");
        java.io.File quit = new java.io.File(a[0]);
        while (!quit.exists()) {
            Thread[] ts = new Thread[8];
            for (int i = 0; i < ts.length; i++) { ts[i] = new Thread(Churn::work); ts[i].start(); }
            for (Thread t : ts) t.join();
            try (URLClassLoader l = new URLClassLoader(new URL[] {here}, null)) {
                l.loadClass("Churn$Loaded").getMethod("run").invoke(null);
            }
        }
    }
    public static class Loaded { public static void run() { sink2 += 1; } static long sink2; }
}
EOF
"$JDK17/bin/javac" --release 11 -d "$work" "$work/Churn.java" || exit 1
: >"$work/jvm.log"
(cd "$work" && exec "$JDK/bin/java" -Xmx64m -cp "$work" Churn "$work/quit" >"$work/jvm.log" 2>&1) &
jvm=$!
for _ in $(seq 100); do grep -q ready "$work/jvm.log" && break; sleep 0.1; done
rc=0
for i in 1 2 3; do
	attach "start,jfr,file=$work/churn.jfr,event=itimer,interval=1ms,wall=5ms,alloc=16k,lock=0,log=$work/churn.log"
	rc=$((rc + $?))
	wait_cpu "$jvm" 10
	asprof -f "$work/churn-dump.jfr" -o jfr dump "$jvm"
	rc=$((rc + $?))
	asprof -o jfr stop "$jvm"
	rc=$((rc + $?))
done
[ "$rc" -eq 0 ] && pass "churn: start/dump/stop cycles" || fail "churn: cycles rc $rc"
check_recording "$work/churn-dump.jfr" jdk.ExecutionSample Churn "churn: dump"
attach "start,jfr,file=$work/churn-exit.jfr,event=itimer,interval=1ms,wall=5ms,log=$work/churn.log"
sleep 0.5
: >"$work/quit"
wait "$jvm"
rc=$?
jvm=""
if [ "$rc" -eq 0 ] && ! ls "$work"/hs_err* >/dev/null 2>&1; then
	pass "churn: the JVM exits cleanly while profiled"
else
	fail "churn: JVM exit status $rc"
fi
check_recording "$work/churn-exit.jfr" profiler.WallClockSample Churn "churn: recording written at exit"

# CPU shares: three methods costing 1:2:4 (tests/integration/lib/Ratio.java)
# must get 1/7, 2/7 and 4/7 of the samples within 5 points, here at 1 ms
# (agent_rate.sh checks them at 100 Hz, with the samples per thread).
JDK=$JDK17
pj_compile_ratio "$work"
for e in cpu wall; do
	"$JDK17/bin/java" -XX:CompileCommand=quiet -XX:CompileCommand=dontinline,Ratio::* \
		-agentpath:"$LIB"=start,quiet,event=$e,interval=1ms,file="$work/ratio-$e.jfr",jfr \
		-cp "$work" Ratio 3000 >"$work/jvm.log" 2>&1
	"$PYROJAVA" convert --format collapsed "$work/ratio-$e.jfr" >"$work/collapsed" 2>"$work/err"
	shares=$(pj_ratio_shares "$work/collapsed")
	case $shares in
	ok*) pass "$e: 1:2:4 CPU shares ${shares#ok }" ;;
	*) fail "$e: CPU shares $shares, want 0.143 0.286 0.571" ;;
	esac
done

# The musl build must load with musl's dynamic linker, every symbol resolved.
cat >"$work/mload.c" <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	void *h = argc > 1 ? dlopen(argv[1], RTLD_NOW) : NULL;
	if (!h || !dlsym(h, "Agent_OnAttach")) {
		printf("%s\n", dlerror());
		return 1;
	}
	return 0;
}
EOF
if [ -f "$MUSL" ] && readelf -d "$MUSL" | grep -q 'NEEDED.*libc.so]' &&
	musl-gcc -o "$work/mload" "$work/mload.c" >"$work/out" 2>&1 && "$work/mload" "$MUSL" >"$work/out" 2>&1; then
	pass "musl build loads under musl's dynamic linker and exports Agent_OnAttach"
else
	fail "musl build at $MUSL"
fi
if [ "$(nm -D --defined-only "$LIB" | awk '$2 == "T" { print $3 }' | sort | tr '\n' ' ')" = \
	"Agent_OnAttach Agent_OnLoad Agent_OnUnload " ]; then
	pass "only the JVMTI entry points are exported"
else
	fail "exports: $(nm -D --defined-only "$LIB" | awk '$2 == "T"')"
fi

pj_report agent
