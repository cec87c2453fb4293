#!/bin/sh
# The profiler agent (build/agent/glibc/libasyncProfiler.so) inside real JVMs
# (JDK 17, and Temurin 25 when installed), driven through asprof and
# `pyrojava attach` like Alloy drives async-profiler: every recording must be
# readable by the JDK's own `jfr` tool and by `pyrojava convert`, and show
# the busy method.
set -u
: "${PYROJAVA:?PYROJAVA must point at the pyrojava binary}"
build=$(cd "$(dirname "$PYROJAVA")" && pwd)
ASPROF=$build/bin/asprof
LIB=$build/agent/glibc/libasyncProfiler.so
MUSL=$build/agent/musl/libasyncProfiler.so
[ -x "$ASPROF" ] || { echo "asprof not built at $ASPROF"; exit 1; }
[ -f "$LIB" ] || { echo "agent not built at $LIB"; exit 1; }
JDK17=$(ls -d /usr/lib/jvm/java-17-openjdk-* 2>/dev/null | head -n 1)
[ -n "$JDK17" ] || { echo "JDK 17 not found under /usr/lib/jvm"; exit 1; }
JDKS="$JDK17 $(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -n 1)"

work=$(mktemp -d) || exit 1
jvm=""
cleanup() {
	[ -n "$jvm" ] && kill -9 "$jvm" 2>/dev/null
	rm -rf "$work"
	[ -n "$jvm" ] && rm -f /tmp/asprof-log.*."$jvm" /tmp/asprof.*."$jvm" "/tmp/.java_pid$jvm"
}
trap cleanup EXIT INT TERM

failures=0
pass() { echo "ok   - $1"; }
fail() {
	echo "FAIL - $1"
	failures=$((failures + 1))
	sed 's/^/     | /' "$work/out" "$work/err" 2>/dev/null | head -n 10
}

# busyMethod burns CPU on main; a second thread mostly sleeps; a third
# allocates; two more fight over one monitor.
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
            daemon("locker-" + i, () -> { while (true) try { contendedMethod(); } catch (InterruptedException e) { return; } });
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

stop_jvm() {
	kill -9 "$jvm" 2>/dev/null
	wait "$jvm" 2>/dev/null
	rm -f "/tmp/.java_pid$jvm"
	jvm=""
}

asprof() { "$ASPROF" --libpath "$LIB" "$@" >"$work/out" 2>"$work/err"; }
attach() { "$PYROJAVA" attach "$jvm" load "$LIB" true "$1" >"$work/out" 2>"$work/err"; }

# Count of one event type in `jfr summary`, or -1 if the JDK cannot read the file.
event_count() {
	"$JDK/bin/jfr" summary "$1" >"$work/summary" 2>&1 || { echo -1; return; }
	awk -v e="$2" '$1 == e { print $2; found = 1 } END { if (!found) print 0 }' "$work/summary"
}

# A recording passes when both readers accept it and show `method`.
check_recording() { # file event method label
	n=$(event_count "$1" "$2")
	if [ "$n" -gt 0 ] && "$PYROJAVA" convert --format collapsed "$1" >"$work/collapsed" 2>"$work/err" &&
		grep -q "$3" "$work/collapsed"; then
		pass "$4: $n $2 events, $3 in the stacks"
	else
		fail "$4: $2 count $n; $(head -c 300 "$work/summary" "$work/collapsed" 2>/dev/null)"
	fi
}

expect() { # rc-wanted label pattern file
	if [ "$rc" -eq "$1" ] && grep -q "$3" "$4"; then pass "$2"; else fail "$2 (rc $rc)"; fi
}

for JDK in $JDKS; do
	v=$(basename "$JDK")
	start_jvm "$JDK" 30000

	asprof -f "$work/rec.jfr" -o jfr -e itimer -i 10ms start "$jvm"
	rc=$?
	expect 0 "$v: start" "^\[INFO\] Profiling started" "$work/err"
	asprof -f "$work/rec.jfr" -o jfr -e itimer start "$jvm"
	rc=$?
	expect 200 "$v: second start" "^\[ERROR\] Profiler already started" "$work/err"
	sleep 1
	asprof -f "$work/dump1.jfr" -o jfr dump "$jvm"
	rc=$?
	sleep 1
	asprof -f "$work/dump2.jfr" -o jfr dump "$jvm"
	rc=$((rc + $?))
	sleep 1
	asprof -o jfr stop "$jvm"
	rc=$((rc + $?))
	[ "$rc" -eq 0 ] && pass "$v: dump, dump, stop" || fail "$v: dump/stop rc $rc"
	check_recording "$work/dump1.jfr" jdk.ExecutionSample Busy.busyMethod "$v: first dump"
	check_recording "$work/dump2.jfr" jdk.ExecutionSample Busy.busyMethod "$v: second dump"
	check_recording "$work/rec.jfr" jdk.ExecutionSample Busy.busyMethod "$v: stop"

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
	sleep 1
	asprof status "$jvm"
	rc=$?
	expect 0 "$v: status when running" "^Profiling is running for [0-9]* seconds" "$work/out"
	asprof stop -o collapsed "$jvm"
	rc=$?
	expect 0 "$v: collapsed text output" "^Busy.main;Busy.busyMethod;Busy.spin [0-9]*$" "$work/out"
	stop_jvm

	# -agentpath at JVM start: the recording is written when the JVM exits.
	"$JDK/bin/java" -agentpath:"$LIB"=start,event=itimer,interval=5ms,file="$work/onload.jfr",jfr \
		-Xmx128m -cp "$work" Busy 1500 >"$work/jvm.log" 2>&1
	check_recording "$work/onload.jfr" jdk.ExecutionSample Busy.busyMethod "$v: -agentpath until exit"
done

# The other engines, on JDK 17.
JDK=$JDK17
start_jvm "$JDK" 30000
asprof -f "$work/wall.jfr" -o jfr -e wall -i 20ms --alloc 64k --lock 1ms start "$jvm"
sleep 2
asprof -o jfr stop "$jvm"
check_recording "$work/wall.jfr" profiler.WallClockSample Busy.sleepyMethod "wall"
check_recording "$work/wall.jfr" jdk.ObjectAllocationInNewTLAB Busy.allocatingMethod "alloc"
check_recording "$work/wall.jfr" jdk.JavaMonitorEnter Busy.contendedMethod "lock"
"$JDK/bin/jfr" print --events jdk.ActiveSetting "$work/wall.jfr" >"$work/settings" 2>&1
if grep -A1 'name = "event"' "$work/settings" | grep -q 'value = "wall"'; then
	pass "wall: the event setting says wall"
else
	fail "wall: event setting"
fi
if "$JDK/bin/jfr" print --events profiler.WallClockSample "$work/wall.jfr" | grep -q 'STATE_SLEEPING' &&
	"$JDK/bin/jfr" print --events profiler.WallClockSample "$work/wall.jfr" | grep -q 'STATE_RUNNABLE'; then
	pass "wall: samples tell sleeping from running threads"
else
	fail "wall: thread states"
fi

asprof -f "$work/cpu.jfr" -o jfr -e cpu -i 10ms start "$jvm"
rc=$?
sleep 1
asprof -o jfr stop "$jvm"
check_recording "$work/cpu.jfr" jdk.ExecutionSample Busy.busyMethod "cpu"
"$JDK/bin/jfr" print --events jdk.ActiveSetting "$work/cpu.jfr" >"$work/settings" 2>&1
engine=$(grep -A1 'name = "engine"' "$work/settings" | sed -n 's/.*value = "\(.*\)"/\1/p')
if [ "$engine" = cpu ] || { [ "$engine" = itimer ] && grep -q "falling back to itimer" "$work/err"; }; then
	pass "cpu: engine used recorded as $engine"
else
	fail "cpu: engine setting '$engine'"
fi

# timeout= stops by itself and writes the recording.
asprof -f "$work/timeout.jfr" -o jfr -e itimer start --timeout 1 "$jvm"
sleep 2.5
asprof status "$jvm"
rc=$?
expect 0 "timeout stopped the profiler" "^Profiler is not active" "$work/out"
check_recording "$work/timeout.jfr" jdk.ExecutionSample Busy.busyMethod "timeout"
stop_jvm

if [ -f "$MUSL" ] && readelf -d "$MUSL" | grep -q 'NEEDED.*libc.so]' &&
	nm -D --defined-only "$MUSL" | grep -q ' T Agent_OnAttach$'; then
	pass "musl build links musl's libc and exports Agent_OnAttach"
else
	fail "musl build at $MUSL"
fi
if [ "$(nm -D --defined-only "$LIB" | awk '$2 == "T" { print $3 }' | sort | tr '\n' ' ')" = \
	"Agent_OnAttach Agent_OnLoad Agent_OnUnload " ]; then
	pass "only the JVMTI entry points are exported"
else
	fail "exports: $(nm -D --defined-only "$LIB" | awk '$2 == "T"')"
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures agent checks failed"
	exit 1
fi
echo "all agent checks passed"
