#!/bin/sh
# The agent's recordings as the JDK's own `jfr` tool shows them: the
# metadata's annotations (labels, categories, units) must make `jfr print`
# format our values the way it formats the JDK's recordings. A workload
# started with -agentpath (lock=1ms, alloc=512k) blocks on a monitor, parks
# without a time limit (LockSupport.park: unset timeout and until), with
# parkNanos(2 ms) and with parkUntil, and allocates. Under JDK 17 and Temurin
# 25 (when installed) each recording must pass `jfr summary`, `jfr metadata`,
# `jfr print` and `jfr print --json` of both JDKs without an error, and
# `jfr print` must show durations in ms, N/A for the unset timeout and until,
# the 2 ms timeout, the parkUntil deadline as a time of day, sizes in bytes,
# dates instead of raw ticks, and never a raw java.time value. `pyrojava
# convert` must read the same files.
set -u
: "${PYROJAVA:?PYROJAVA must point at the pyrojava binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"
. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_find_jdks
pj_find_agent
pj_workdir

cat >"$work/Units.java" <<'JAVA'
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

public class Units {
    static final Object MONITOR = new Object();
    static volatile boolean released;
    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        // A monitor held 50 ms by another thread while main asks for it.
        CountDownLatch held = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (MONITOR) {
                held.countDown();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            }
        }, "holder");
        holder.start();
        held.await();
        synchronized (MONITOR) {
            sink = MONITOR;
        }
        holder.join();

        // A park without a time limit, unparked once the thread is seen waiting.
        Thread parker = new Thread(() -> {
            while (!released) LockSupport.park();
        }, "parker");
        parker.start();
        while (parker.getState() != Thread.State.WAITING) Thread.sleep(1);
        Thread.sleep(20);
        released = true;
        LockSupport.unpark(parker);
        parker.join();

        // Relative and absolute time limits; each park lasts past the 1 ms threshold.
        for (int i = 0; i < 3; i++) LockSupport.parkNanos(2_000_000L);
        for (int i = 0; i < 3; i++) LockSupport.parkUntil(System.currentTimeMillis() + 20);

        // 20 MB in 100 kB arrays: dozens of allocation samples at alloc=512k.
        for (int i = 0; i < 200; i++) sink = new byte[100_000];
        System.out.println("done");
    }
}
JAVA
"$JDK/bin/javac" --release 11 -d "$work" "$work/Units.java" || fail "javac"

# The blocks of `jfr print` output $1 of event type $2 that match every regex after it.
blocks() {
	f=$1
	t=$2
	shift 2
	awk -v t="$t" -v pats="$*" 'BEGIN { RS = ""; n = split(pats, p, "\t") }
		$1 == t { ok = 1; for (i = 1; i <= n; i++) if ($0 !~ p[i]) ok = 0; if (ok) c++ }
		END { print c + 0 }' "$f"
}
# Tab-joined, so a regex may hold spaces.
all() {
	out=
	for p in "$@"; do out="$out${out:+	}$p"; done
	printf '%s' "$out"
}

for RUN_JDK in $JDKS; do
	v=$(basename "$RUN_JDK")
	rec="$work/$v.jfr"
	(cd "$work" && exec "$RUN_JDK/bin/java" -Xmx128m \
		-agentpath:"$LIB"=start,quiet,event=itimer,alloc=512k,lock=1ms,jfr,file="$rec" \
		-cp "$work" Units) >"$work/jvm.log" 2>&1 || fail "$v: the workload exited with status $?"
	grep -q '^done$' "$work/jvm.log" || fail "$v: the workload did not finish"
	[ -s "$rec" ] || fail "$v: no recording at $rec"

	for TOOL_JDK in $JDKS; do
		tool=$(basename "$TOOL_JDK")
		jfr="$TOOL_JDK/bin/jfr"
		for cmd in summary metadata "print --json" print; do
			# shellcheck disable=SC2086 # $cmd is a command and its option
			"$jfr" $cmd "$rec" >"$work/jfr.out" 2>"$work/jfr.err" ||
				fail "$v recording, $tool jfr $cmd: exit status $?"
			! grep -qiE 'exception|error' "$work/jfr.err" ||
				fail "$v recording, $tool jfr $cmd: $(head -c 300 "$work/jfr.err")"
		done
		# The last command was a full print: no raw Duration (PT...) or OffsetDateTime.MIN anywhere.
		! grep -qE '= PT|-999999999' "$work/jfr.out" ||
			fail "$v recording, $tool jfr print: unformatted values: $(grep -m 3 -E '= PT|-999999999' "$work/jfr.out")"
		"$jfr" metadata "$rec" >"$work/meta.out" 2>&1 || fail "$v recording, $tool jfr metadata"
		grep -q '@Timespan("NANOSECONDS")' "$work/meta.out" ||
			fail "$v recording, $tool jfr metadata: no Timespan(NANOSECONDS) (the park timeout)"
		"$jfr" print --stack-depth 3 --events jdk.ThreadPark,jdk.JavaMonitorEnter,jdk.ObjectAllocationInNewTLAB,jdk.ObjectAllocationOutsideTLAB \
			"$rec" >"$work/printed" 2>&1 || fail "$v recording, $tool jfr print --events: $(head -c 300 "$work/printed")"

		# awk -v would take a backslash as an escape: [.] for a dot.
		ms='= [0-9]+([.][0-9]+)? ms'
		time='= [0-9][0-9]:[0-9][0-9]:[0-9][0-9][.][0-9][0-9][0-9]'
		n=$(blocks "$work/printed" jdk.JavaMonitorEnter "$(all "startTime $time" "duration $ms" \
			'monitorClass = java.lang.Object')")
		[ "$n" -ge 1 ] || fail "$v recording, $tool jfr print: no JavaMonitorEnter on an Object with a duration in ms"
		echo "ok   - $v recording, $tool jfr: JavaMonitorEnter duration in ms" \
			"($(grep -m 1 -A 2 '^jdk.JavaMonitorEnter' "$work/printed" | sed -n 's/^ *duration = //p'))"
		n=$(blocks "$work/printed" jdk.ThreadPark "$(all "duration $ms" 'timeout = N/A' 'until = N/A' \
			'eventThread = "parker"')")
		[ "$n" -ge 1 ] || fail "$v recording, $tool jfr print: no park of 'parker' with N/A timeout and until"
		n=$(blocks "$work/printed" jdk.ThreadPark "$(all "duration $ms" 'timeout = 2[.]0+ ms' 'until = N/A')")
		[ "$n" -ge 3 ] || fail "$v recording, $tool jfr print: $n of 3 parkNanos(2 ms) parks show 'timeout = 2.00 ms'"
		n=$(blocks "$work/printed" jdk.ThreadPark "$(all "duration $ms" 'timeout = N/A' "until $time")")
		[ "$n" -ge 3 ] || fail "$v recording, $tool jfr print: $n of 3 parkUntil parks show the deadline as a time"
		echo "ok   - $v recording, $tool jfr: ThreadPark timeout N/A / 2.00 ms, until N/A / a time of day"
		n=$(blocks "$work/printed" jdk.ObjectAllocationInNewTLAB "$(all 'allocationSize = [0-9.]+ kB' \
			'tlabSize = [0-9.]+ kB')")
		n2=$(blocks "$work/printed" jdk.ObjectAllocationOutsideTLAB 'allocationSize = [0-9.]+ kB')
		[ $((n + n2)) -ge 1 ] || fail "$v recording, $tool jfr print: no allocation sizes in kB"
		echo "ok   - $v recording, $tool jfr: summary, metadata, print, print --json; $((n + n2)) allocation sizes in kB"
	done

	"$PYROJAVA" convert --format collapsed "$rec" >"$work/collapsed" 2>"$work/convert.log" ||
		fail "$v: pyrojava convert: $(cat "$work/convert.log")"
	grep -q '^# mutex ' "$work/collapsed" && grep -q '^# block ' "$work/collapsed" ||
		fail "$v: pyrojava convert: no mutex or block profile"
	echo "ok   - $v: pyrojava convert reads the recording"
done
echo "all agent jfr unit checks passed"
