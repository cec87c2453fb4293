#!/bin/sh
# Frame types in the agent's recordings (JDK 17, and Temurin 25 when
# installed): a JVM is warmed up until its hot method is C2-compiled, then
# the agent is attached and the JDK's own `jfr print --json` reads what it
# wrote. Under -XX:-TieredCompilation the hot method must be JIT compiled
# with its small callee Inlined, under -XX:TieredStopAtLevel=1 C1 compiled;
# with -XX:-Inline nothing is Inlined and the callee is JIT compiled
# itself; under -Xint every Java frame is Interpreted;
# a sleeping thread's native method is Native over typed callers. The
# agent's own count of stacks it could type must cover (nearly) all.
set -u
: "${PYROJAVA:?PYROJAVA must point at the pyrojava binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"
. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_find_agent
command -v python3 >/dev/null || { echo "python3 is needed to read jfr print --json"; exit 1; }
pj_find_jdks

pj_workdir
jvm=""
trap pj_jvm_cleanup EXIT INT TERM
# Every check runs; the script fails at the end if any did.
pj_counting_fail 20 "$work/agent.log" "$work/jvm.log" "$work/err"

# hot() calls small() in a loop; small's chained divisions make it carry
# most of the CPU. The warm-up calls hot() 20000 times under -Xbatch
# (compilation in the foreground), so with -XX:-TieredCompilation hot (and
# small, when it is not inlined) is C2 code before "ready" is printed. A
# second thread sleeps in a native method and allocates 64 kB each time
# (fast enough to pass the first sample point, which HotSpot drew with its
# default 512 kB interval before the agent set its own).
cat >"$work/FrameTypes.java" <<'EOF'
public class FrameTypes {
    static volatile long sink;
    static int small(int x) {
        int r = 1_000_000_007 / (x | 1) + x;
        r = 999_999_937 / (r | 1) + x;
        r = 998_244_353 / (r | 1) + x;
        r = 1_000_000_009 / (r | 1) + x;
        return 999_999_893 / (r | 1) + x;
    }
    static long hot(int n) { long acc = 0; for (int i = 0; i < n; i++) acc += small(i + (int) acc); return acc; }
    static void allocate() { for (int i = 0; i < 64; i++) sink += new byte[1024].length; }
    static void sleeper() { while (true) try { allocate(); Thread.sleep(3); } catch (InterruptedException e) { return; } }
    public static void main(String[] a) throws Exception {
        Thread t = new Thread(FrameTypes::sleeper, "sleeper");
        t.setDaemon(true);
        t.start();
        for (int i = 0; i < 20000; i++) sink += hot(100);
        System.out.println("ready");
        while (true) sink += hot(100000);
    }
}
EOF
"$JDK17/bin/javac" --release 11 -d "$work" "$work/FrameTypes.java" || exit 1

# Reads `jfr print --json` on stdin and prints key=value counts.
cat >"$work/types.py" <<'EOF'
import collections, json, sys
d = json.load(sys.stdin)
c = collections.Counter()
for e in d["recording"]["events"]:
    if not e["values"].get("stackTrace"):
        c["no_stack"] += 1
        continue
    frames = [(f["method"]["type"]["name"] + "." + f["method"]["name"], f["type"])
              for f in e["values"]["stackTrace"]["frames"]]
    if not frames:
        continue
    if e["type"] == "jdk.ExecutionSample":
        c["cpu"] += 1
        java = [t for n, t in frames if t != "C++"]  # C++: AsyncGetCallTrace's failure frames
        c["java_frames"] += len(java)
        c["not_interpreted"] += sum(1 for t in java if t not in ("Interpreted", "Native"))
        c["inlined"] += sum(1 for t in java if t == "Inlined")
        for i, (n, t) in enumerate(frames):
            if n != "FrameTypes.hot":
                continue
            c["hot"] += 1
            c["hot_" + t] += 1
            if i > 0 and frames[i - 1][0] == "FrameTypes.small":
                c["small_" + frames[i - 1][1]] += 1
            break
    elif e["type"] == "jdk.ObjectAllocationInNewTLAB":
        java = [t for n, t in frames if t != "C++"]
        c["alloc_java_frames"] += len(java)
        c["alloc_not_interpreted"] += sum(1 for t in java if t not in ("Interpreted", "Native"))
    elif frames[0][1] == "Native" and len(frames) > 1:
        # A wall sample of a thread in a native method, with its caller's type.
        c["native_top"] += 1
        c["native_caller_" + frames[1][1]] += 1
for k in sorted(c):
    print("%s=%d" % (k.replace(" ", "_"), c[k]))
EOF

# val KEY: a count from $work/counts (0 when absent).
val() { sed -n "s/^$1=//p" "$work/counts" | head -n 1 | grep . || echo 0; }
# ratio A B: A/B with three decimals (0 when B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b ? a / b : 0 }'; }
# over X T: X > T.
over() { awk -v x="$1" -v t="$2" 'BEGIN { exit !(x > t) }'; }

# profile JDK LABEL JAVA-OPTIONS...: runs the workload warmed up, records
# ~1.5 s of CPU at 1 ms plus wall and allocation samples, and leaves the counts in
# $work/counts and the agent's "Frame types" line in $work/typed.
profile() {
	jdk=$1
	label=$2
	shift 2
	rm -f "$work/rec.jfr" "$work/counts" "$work/typed"
	: >"$work/jvm.log"
	: >"$work/agent.log"
	# Code compiled before a late attach has debug information at safepoints
	# only, where AsyncGetCallTrace sees no inlined frames; DebugNonSafepoints
	# is what profiling users set for that (an agent loaded at start gets it).
	"$jdk/bin/java" -Xmx64m -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints \
		-XX:CompileCommand=quiet -XX:CompileCommand=dontinline,FrameTypes::hot \
		"$@" -cp "$work" FrameTypes >"$work/jvm.log" 2>&1 &
	jvm=$!
	for _ in $(seq 600); do grep -q ready "$work/jvm.log" && break; sleep 0.1; done
	grep -q ready "$work/jvm.log" || { fail "$label: the workload did not warm up"; pj_stop_jvm; return 1; }
	"$PYROJAVA" attach "$jvm" load "$LIB" true \
		"start,event=itimer,interval=1ms,wall=10ms,alloc=64k,jfr,file=$work/rec.jfr,log=$work/agent.log" \
		>"$work/out" 2>"$work/err" || { fail "$label: start"; pj_stop_jvm; return 1; }
	wait_cpu "$jvm" 150 60
	"$PYROJAVA" attach "$jvm" load "$LIB" true "stop,log=$work/agent.log" >"$work/out" 2>"$work/err" ||
		{ fail "$label: stop"; pj_stop_jvm; return 1; }
	pj_stop_jvm
	if ls "$work"/hs_err* >/dev/null 2>&1; then
		fail "$label: the JVM crashed"
		return 1
	fi
	# The JDK 17 reader must read the file (whichever JDK wrote it), and so must ours.
	if ! "$JDK17/bin/jfr" print --json --events jdk.ExecutionSample,profiler.WallClockSample,jdk.ObjectAllocationInNewTLAB "$work/rec.jfr" \
		>"$work/rec.json" 2>"$work/err" || ! python3 "$work/types.py" <"$work/rec.json" >"$work/counts" 2>>"$work/err"; then
		fail "$label: jfr print --json could not read the recording"
		return 1
	fi
	if ! "$PYROJAVA" convert --format collapsed "$work/rec.jfr" >"$work/collapsed" 2>"$work/err" ||
		! grep -q "FrameTypes.hot" "$work/collapsed"; then
		fail "$label: pyrojava convert could not read the recording"
		return 1
	fi
	# "[INFO] Frame types: X of Y stacks typed, ..." at stop.
	sed -n 's/.*Frame types: \([0-9]*\) of \([0-9]*\) stacks typed.*/\1 \2/p' "$work/agent.log" >"$work/typed"
	read -r typed total <"$work/typed" || { typed=0; total=0; }
	untyped=$((total - typed))
	if [ "$total" -gt 0 ] && over "$(ratio "$typed" "$total")" 0.9; then
		pass "$label: $typed of $total stacks typed"
	else
		fail "$label: only $typed of $total stacks typed"
	fi
	return 0
}

# A sleeping thread's native method is Native and its caller typed as `want`.
check_native() { # label want
	n=$(val native_top)
	good=$(val "native_caller_$2")
	if [ "$n" -gt 0 ] && over "$(ratio "$good" "$n")" 0.9; then
		pass "$1: native method Native over an $2 caller in $good of $n wall samples"
	else
		fail "$1: native method over an $2 caller in $good of $n wall samples"
	fi
}

for JDK in $JDKS; do
	v=$(basename "$JDK")

	# C2 only: hot is JIT compiled, small Inlined into it.
	if profile "$JDK" "$v C2" -XX:-TieredCompilation -Xbatch; then
		hot=$(val hot)
		jit=$(val hot_JIT_compiled)
		inl=$(val small_Inlined)
		if [ "$hot" -ge 200 ] && over "$(ratio "$jit" "$hot")" 0.95 && over "$(ratio "$inl" "$hot")" 0.5; then
			pass "$v C2: hot JIT compiled in $jit of $hot samples, small Inlined into it in $inl"
		else
			fail "$v C2: of $hot samples in hot: JIT compiled $jit, small Inlined $inl"
		fi
		check_native "$v C2" Interpreted
	fi

	# C1 only (tier 1): hot is C1 compiled. (C1 keeps debug information
	# at safepoints only, so its inlined callees rarely show up at all.)
	if profile "$JDK" "$v C1" -XX:TieredStopAtLevel=1 -Xbatch; then
		hot=$(val hot)
		c1=$(val hot_C1_compiled)
		if [ "$hot" -ge 200 ] && over "$(ratio "$c1" "$hot")" 0.95; then
			pass "$v C1: hot C1 compiled in $c1 of $hot samples"
		else
			fail "$v C1: hot C1 compiled in $c1 of $hot samples"
		fi
	fi

	# No inlining: no Inlined frame at all, small compiled on its own.
	if profile "$JDK" "$v -XX:-Inline" -XX:-TieredCompilation -Xbatch -XX:-Inline; then
		hot=$(val hot)
		inl=$(val inlined)
		sjit=$(val small_JIT_compiled)
		if [ "$hot" -ge 200 ] && [ "$inl" -eq 0 ] && over "$(ratio "$sjit" "$hot")" 0.5; then
			pass "$v -XX:-Inline: no Inlined frames; small JIT compiled over hot in $sjit of $hot samples"
		else
			fail "$v -XX:-Inline: $inl Inlined frames; small JIT compiled in $sjit of $hot samples"
		fi
	fi

	# Interpreter only: every Java frame Interpreted (or Native); stacks the
	# agent could not type (it says how many) are the only exception.
	if profile "$JDK" "$v -Xint" -Xint; then
		frames=$(val java_frames)
		other=$(val not_interpreted)
		cpu=$(val cpu)
		if [ "$frames" -ge 200 ] && [ "$other" -le $((untyped * 2048)) ] &&
			{ [ "$other" -eq 0 ] || [ "$untyped" -gt 0 ]; } && [ "$untyped" -le $((cpu / 20)) ]; then
			pass "$v -Xint: $frames Java frames in $cpu CPU samples, $other not Interpreted ($untyped stacks untyped)"
		else
			fail "$v -Xint: $other of $frames Java frames not Interpreted ($untyped stacks untyped, $cpu samples)"
		fi
		check_native "$v -Xint" Interpreted
		# Allocation stacks (JVMTI, typed from the frame anchor) likewise.
		aframes=$(val alloc_java_frames)
		aother=$(val alloc_not_interpreted)
		if [ "$aframes" -ge 30 ] && { [ "$aother" -eq 0 ] || [ "$untyped" -gt 0 ]; } &&
			[ "$aother" -le $((untyped * 1024)) ]; then
			pass "$v -Xint: $aframes Java frames of allocation stacks, $aother not Interpreted"
		else
			fail "$v -Xint: $aother of $aframes Java frames of allocation stacks not Interpreted"
		fi
	fi
done

pj_report "frame type"
