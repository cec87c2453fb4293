#!/bin/sh
# Lock profiling accuracy of the agent (build/agent/glibc/libasyncProfiler.so)
# in real JVMs (JDK 17, and Temurin 25 when installed), attached with asprof
# as Alloy does. A workload contends on a monitor (synchronized) and on a
# ReentrantLock (which parks in Unsafe.park), measuring its own waiting with
# System.nanoTime around taking each lock; holders sleep 20-50 ms inside, so
# the waits dwarf the 1 ms threshold. The jdk.JavaMonitorEnter (mutex) and
# jdk.ThreadPark (block) delay that `pyrojava convert` finds on the
# contended methods must be within 30% of the measured waiting. The JDK's
# `jfr` must read the park events with their blocker class, the target must
# print no JNI warnings (it runs with -Xcheck:jni), and a second copy of the
# library loaded from another path (a restarted daemon) must record parks
# too, then the first copy again; parking must keep working while three
# copies start and stop lock profiling under a park/unpark storm; and parks
# at the very edge of the stack must be recorded without a crash.
set -u
: "${PYROJAVA:?PYROJAVA must point at the pyrojava binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"
. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_find_jdks
pj_find_agent
ASPROF=$build/bin/asprof
[ -x "$ASPROF" ] || { echo "FAIL: asprof not built at $ASPROF"; exit 1; }

pj_workdir
jvm=
trap pj_jvm_cleanup EXIT

cat >"$work/Locks.java" <<'JAVA'
import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

public class Locks {
    static final Object MONITOR = new Object();
    static final ReentrantLock LOCK = new ReentrantLock();
    static final AtomicLong monitorNs = new AtomicLong(), parkNs = new AtomicLong();

    // The waiting: from just before asking for the lock to just inside it.
    static void contendedMonitor(long holdMs) throws InterruptedException {
        long t0 = System.nanoTime();
        synchronized (MONITOR) {
            monitorNs.addAndGet(System.nanoTime() - t0);
            Thread.sleep(holdMs);
        }
    }

    static void contendedPark(long holdMs) throws InterruptedException {
        long t0 = System.nanoTime();
        LOCK.lock();
        try {
            parkNs.addAndGet(System.nanoTime() - t0);
            Thread.sleep(holdMs);
        } finally {
            LOCK.unlock();
        }
    }

    interface Round { void run(long holdMs) throws InterruptedException; }

    static Thread worker(String name, Round r, int rounds) {
        Thread t = new Thread(() -> {
            try {
                for (int i = 0; i < rounds; i++) r.run(20 + (i % 4) * 10);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        }, name);
        t.start();
        return t;
    }

    // Two threads hand a turn back and forth with park/unpark as fast as they can.
    static volatile int turn;
    static volatile boolean stopPing;
    static final AtomicLong handoffs = new AtomicLong();
    static final Object BLOCKER = new Object();

    static void pingPong(int me, Thread[] pair) {
        while (!stopPing) {
            while (turn != me && !stopPing) LockSupport.park(BLOCKER);
            handoffs.incrementAndGet();
            turn = 1 - me;
            LockSupport.unpark(pair[1 - me]);
        }
    }

    static void pingPongUntil(File stop) throws Exception {
        Thread[] pair = new Thread[2];
        for (int i = 0; i < 2; i++) {
            int me = i;
            pair[i] = new Thread(() -> pingPong(me, pair), "ping-" + i);
        }
        for (Thread t : pair) t.start();
        System.out.println("pingpong running");
        while (!stop.exists()) Thread.sleep(10);
        stopPing = true;
        for (Thread t : pair) { LockSupport.unpark(t); t.join(); }
    }

    // Phase N starts when file goN appears, holding the rounds per thread or
    // "pingpong" (which runs until stopN appears); "quit" ends.
    public static void main(String[] a) throws Exception {
        System.out.println("ready");
        for (int phase = 1; ; phase++) {
            File go = new File(a[0], "go" + phase), quit = new File(a[0], "quit");
            while (!go.exists() && !quit.exists()) Thread.sleep(10);
            if (quit.exists()) return;
            String what = new String(Files.readAllBytes(go.toPath())).trim();
            if (what.equals("pingpong")) {
                pingPongUntil(new File(a[0], "stop" + phase));
                System.out.println("done " + phase + " handoffs=" + handoffs.get());
                continue;
            }
            int rounds = Integer.parseInt(what);
            monitorNs.set(0);
            parkNs.set(0);
            Thread[] ts = new Thread[8];
            for (int i = 0; i < 4; i++) {
                ts[2 * i] = worker("monitor-" + i, Locks::contendedMonitor, rounds);
                ts[2 * i + 1] = worker("park-" + i, Locks::contendedPark, rounds);
            }
            for (Thread t : ts) t.join();
            System.out.println("done " + phase + " monitor=" + monitorNs.get() + " park=" + parkNs.get());
        }
    }
}
JAVA
# Parks at the very edge of the stack (as deep as recursion goes before
# StackOverflowError), every one recorded (lock=0): recording must fit in
# the stack HotSpot leaves a native method.
cat >"$work/Deep.java" <<'JAVA'
import java.util.concurrent.locks.LockSupport;

public class Deep {
    static int max;

    static void probe(int d) {
        max = d;
        probe(d + 1);
    }

    static void deepPark(int d, int target) {
        if (d < target) {
            deepPark(d + 1, target);
            return;
        }
        LockSupport.parkNanos(Deep.class, 2_000_000);
    }

    public static void main(String[] a) {
        int parks = 0;
        for (int round = 0; round < 100; round++) {
            try {
                probe(0);
            } catch (StackOverflowError e) {
            }
            for (int target = max + 5; ; target--) {
                try {
                    deepPark(0, target);
                    parks++;
                    break;
                } catch (StackOverflowError e) {
                }
            }
        }
        System.out.println("deep parks " + parks);
    }
}
JAVA
"$JDK17/bin/javac" --release 11 -d "$work" "$work/Locks.java" "$work/Deep.java" || fail "javac"

# Delay (ns) of the stacks through method $3 in profile $2 (mutex, block) of collapsed file $1.
recorded() {
	awk -v prof="$2" -v m="$3" '/^# / { on = $2 == prof; next }
		on && index($0, m) { d = $NF; sub(/\]$/, "", d); s += d } END { printf "%.0f\n", s }' "$1"
}

# One profiling phase: start the library $2 with lock=1ms (and the asprof
# options $5, e.g. a CPU engine), run $3 rounds, stop; checks both locks.
phase() { # n lib rounds label [asprof options]
	rec="$work/$v-$1.jfr"
	# shellcheck disable=SC2086 # $5 is a list of options
	"$ASPROF" --libpath "$2" -f "$rec" -o jfr --lock 1ms ${5:-} start "$jvm" >"$work/asprof.out" 2>&1 ||
		fail "$4: start: $(cat "$work/asprof.out")"
	echo "$3" >"$work/ctl/go$1"
	wait_for "$work/jvm.log" "done $1 " 120
	"$ASPROF" --libpath "$2" -o jfr stop "$jvm" >"$work/asprof.out" 2>&1 ||
		fail "$4: stop: $(cat "$work/asprof.out")"
	line=$(grep "^done $1 " "$work/jvm.log")
	monitor=${line#*monitor=}
	monitor=${monitor%% *}
	park=${line##*park=}
	"$PYROJAVA" convert --format collapsed "$rec" >"$work/collapsed" 2>"$work/convert.log" ||
		fail "$4: pyrojava convert: $(cat "$work/convert.log")"
	got_monitor=$(recorded "$work/collapsed" mutex Locks.contendedMonitor)
	got_park=$(recorded "$work/collapsed" block Locks.contendedPark)
	for kind in monitor park; do
		eval "want=\$$kind got=\$got_$kind"
		awk -v g="$got" -v w="$want" 'BEGIN { exit !(w > 0 && g >= 0.7 * w && g <= 1.3 * w) }' ||
			fail "$4: $kind delay recorded $got ns, the workload waited $want ns (30% allowed)"
		echo "ok   - $4: $kind delay recorded $got ns of $want ns waited" \
			"($(awk -v g="$got" -v w="$want" 'BEGIN { printf "%.3f", g / w }'))"
	done
}

for JDK in $JDKS; do
	v=$(basename "$JDK")
	rm -rf "$work/ctl"
	mkdir "$work/ctl"
	: >"$work/jvm.log" # before the JVM starts: wait_for must not see the last JVM's lines
	# JDK 21+ warns about any dynamically loaded agent unless told this is expected.
	"$JDK/bin/java" -Xcheck:jni -XX:+IgnoreUnrecognizedVMOptions -XX:+EnableDynamicAgentLoading \
		-Xmx64m -cp "$work" Locks "$work/ctl" >"$work/jvm.log" 2>&1 &
	jvm=$!
	pids="$pids $jvm"
	wait_for "$work/jvm.log" ready

	phase 1 "$LIB" 15 "$v"
	"$JDK/bin/jfr" print --stack-depth 12 --events jdk.ThreadPark "$work/$v-1.jfr" >"$work/printed" 2>&1 ||
		fail "$v: jfr print: $(head -c 300 "$work/printed")"
	grep -q 'parkedClass = java.util.concurrent.locks.ReentrantLock$NonfairSync' "$work/printed" &&
		grep -q 'Locks.contendedPark(long)' "$work/printed" ||
		fail "$v: jfr print shows no park on the ReentrantLock in Locks.contendedPark"
	echo "ok   - $v: jfr reads $(grep -c '^jdk.ThreadPark' "$work/printed") jdk.ThreadPark events with the blocker class"

	# A second copy of the library (as after a daemon restart) takes the hook over; then the first again.
	mkdir -p "$work/copy2"
	cp "$LIB" "$work/copy2/libasyncProfiler.so"
	# With the wall and cpu engines running too.
	phase 2 "$work/copy2/libasyncProfiler.so" 6 "$v: second copy of the library, event=wall" "-e wall -i 5ms"
	phase 3 "$LIB" 6 "$v: first copy again, event=cpu" "-e cpu -i 1ms"

	# Rebinding under fire: two threads park/unpark nonstop (JIT-compiled
	# callers) while lock profiling starts and stops 12 times, rotating three
	# copies of the library (the third one's first start learns libjvm's
	# function while they park). A lost wakeup would hang the hand-off.
	mkdir -p "$work/copy3"
	cp "$LIB" "$work/copy3/libasyncProfiler.so"
	echo pingpong >"$work/ctl/go4"
	wait_for "$work/jvm.log" "pingpong running"
	sleep 1 # let the hand-off get compiled
	for i in 1 2 3 4; do
		for lib in "$LIB" "$work/copy2/libasyncProfiler.so" "$work/copy3/libasyncProfiler.so"; do
			"$ASPROF" --libpath "$lib" -f "$work/pp.jfr" -o jfr --lock 1ms start "$jvm" >"$work/asprof.out" 2>&1 &&
				sleep 0.2 &&
				"$ASPROF" --libpath "$lib" -o jfr stop "$jvm" >"$work/asprof.out" 2>&1 ||
				fail "$v: start/stop cycle $i with $lib: $(cat "$work/asprof.out")"
		done
	done
	: >"$work/ctl/stop4"
	wait_for "$work/jvm.log" "done 4 " 60
	handoffs=$(sed -n 's/^done 4 handoffs=//p' "$work/jvm.log")
	[ "${handoffs:-0}" -gt 0 ] || fail "$v: no park/unpark hand-offs"
	echo "ok   - $v: $handoffs park/unpark hand-offs through 12 start/stop cycles of 3 library copies"

	: >"$work/ctl/quit"
	wait "$jvm" || fail "$v: the JVM exited with status $?"
	rm -f "/tmp/.java_pid$jvm"
	pids= # gone: its pid must not be killed at exit, it may be reused
	jvm=
	! grep -iE "warning|hs_err" "$work/jvm.log" || fail "$v: the JVM printed warnings"
	echo "ok   - $v: no warnings in the target's output (-Xcheck:jni)"

	# -agentpath (the hook is bound at VMInit), parks at the edge of the stack.
	(cd "$work" && exec "$JDK/bin/java" -Xss512k \
		-agentpath:"$LIB"=start,quiet,lock=0,jfr,file="$work/$v-deep.jfr" \
		-cp "$work" Deep) >"$work/jvm.log" 2>&1 || fail "$v: deep parks: the JVM exited with status $?"
	! ls "$work"/hs_err* >/dev/null 2>&1 || fail "$v: deep parks crashed the JVM"
	"$PYROJAVA" convert --format collapsed "$work/$v-deep.jfr" >"$work/collapsed" 2>"$work/convert.log" ||
		fail "$v: deep parks: pyrojava convert: $(cat "$work/convert.log")"
	deep=$(awk '/^# / { on = $2 == "block"; next }
		on && /Deep\.deepPark/ { n = $(NF - 1); sub(/^\[/, "", n); s += n } END { print s + 0 }' "$work/collapsed")
	[ "$deep" -ge 100 ] || fail "$v: $deep of 100 parks at the edge of the stack recorded"
	echo "ok   - $v: $deep parks at the edge of the stack recorded, no crash"
	# parkNanos(2 ms): the relative timeout is in the event, in ns as the JDK writes it
	# (jfr print formats it by the metadata's Timespan(NANOSECONDS)).
	"$JDK/bin/jfr" print --events jdk.ThreadPark "$work/$v-deep.jfr" >"$work/printed" 2>&1 ||
		fail "$v: jfr print: $(head -c 300 "$work/printed")"
	grep -qE 'timeout = 2[.]0+ ms' "$work/printed" || fail "$v: no park with a 2 ms timeout in jfr print"
	echo "ok   - $v: jfr shows the parks' 2 ms timeout"
done
echo "all agent lock checks passed"
