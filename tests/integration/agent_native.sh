#!/bin/sh
# Native stacks of the JVM's own threads (agent/native_stack.c): an
# allocation-heavy workload keeps the parallel GC workers busy while the
# agent samples CPU with itimer at 100 Hz. On JDK 17 and Temurin 25:
#  * the GC workers' samples match their own CPU time (read by the workload
#    from /proc/self/task at its end) x rate within 20%: the CPU the JVM
#    spends outside Java is in the profile, as with async-profiler;
#  * their stacks are named libjvm.so C++ functions, demangled without
#    parameters, walked down to the thread's entry function;
#  * the JFR recording reads with the JDK's `jfr` tool and converts with
#    `pyrojava convert` (frames `libjvm.so.<function>`), and says
#    cstack=fp; with cstack=no there are no native frames and it says no.
# The comparison is with what the same run measured: no timing.
set -u
: "${PYROJAVA:?PYROJAVA must point at the pyrojava binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"
. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_find_agent
pj_find_jdks
pj_workdir
jvm=""
trap pj_jvm_cleanup EXIT INT TERM
pj_counting_fail 20 "$work/out"

RATE=100
TICK=$(getconf CLK_TCK)

# Allocates for $1 ms, longer (up to 60 s) until the GC workers have used
# $2 ms of CPU, then prints "tid utime stime name" for every thread.
mkdir -p "$work/cls"
cat >"$work/GcLoad.java" <<'EOF'
import java.nio.file.*;
import java.util.*;

public class GcLoad {
    static Object[] keep = new Object[1 << 15];

    static String[] threads() throws Exception {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Paths.get("/proc/self/task"))) {
            for (Path t : d) {
                String stat = new String(Files.readAllBytes(t.resolve("stat")));
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.add(t.getFileName() + " " + f[11] + " " + f[12] + " " + comm);
            }
        }
        return out.toArray(new String[0]);
    }

    static long gcTicks() throws Exception {
        long sum = 0;
        for (String t : threads()) {
            String[] f = t.split(" ", 4);
            if (f[3].startsWith("GC Thread")) sum += Long.parseLong(f[1]) + Long.parseLong(f[2]);
        }
        return sum;
    }

    public static void main(String[] a) throws Exception {
        long start = System.nanoTime();
        long minMs = Long.parseLong(a[0]), gcMs = Long.parseLong(a[1]), tick = Long.parseLong(a[2]);
        int i = 0;
        while (true) {
            for (int k = 0; k < 200_000; k++)
                keep[(i++) & (keep.length - 1)] = new byte[64 + (i % 13) * 48];
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (ms >= 60_000 || (ms >= minMs && gcTicks() * 1000 / tick >= gcMs)) break;
        }
        for (String t : threads()) System.out.println("thread " + t);
    }
}
EOF
"$JDK17/bin/javac" -d "$work/cls" "$work/GcLoad.java" >"$work/out" 2>&1 || fail "javac GcLoad"

# Collapsed stacks "[name tid=N];frames count" -> summed samples of the GC workers.
gc_samples() {
	awk '/^\[GC Thread/ { n += $NF } END { print n + 0 }' "$1"
}

for jdk in $JDKS; do
	v=$(basename "$jdk")
	# Samples and CPU of the GC workers, from one run with collapsed output per thread.
	"$jdk/bin/java" -Xmx96m -XX:+UseParallelGC -XX:ParallelGCThreads=2 \
		-agentpath:"$LIB"=start,event=itimer,interval=10ms,threads,collapsed,file="$work/$v.collapsed",log="$work/$v.log" \
		-cp "$work/cls" GcLoad 6000 2500 "$TICK" >"$work/$v.threads" 2>"$work/out"
	cpu_ms=$(awk -v t="$TICK" '$5 == "GC" && $6 ~ /^Thread/ { s += $3 + $4 } END { printf "%d", s * 1000 / t }' "$work/$v.threads")
	got=$(gc_samples "$work/$v.collapsed")
	want=$((cpu_ms * RATE / 1000))
	if [ "$want" -ge 100 ] && awk -v g="$got" -v w="$want" 'BEGIN { exit !(g >= w * 0.8 && g <= w * 1.2) }'; then
		pass "$v: GC worker samples $got, their CPU x rate $want (20% allowed)"
	else
		fail "$v: GC worker samples $got, their CPU x rate $want (need >= 100 expected, within 20%)"
	fi
	# The workers' stacks: demangled libjvm functions down to the thread entry.
	if grep '^\[GC Thread' "$work/$v.collapsed" | grep -q 'thread_native_entry;Thread::call_run;'; then
		pass "$v: GC worker stacks walk from the thread entry, C++ names demangled"
	else
		fail "$v: no GC worker stack from thread_native_entry;Thread::call_run; in $(grep -m3 '^\[GC Thread' "$work/$v.collapsed")"
	fi
	# Mangled names, or a parameter list left at the end of a name (not operator()).
	bad=$(grep '^\[GC Thread' "$work/$v.collapsed" | sed 's/ [0-9]*$//' | tr ';' '\n' |
		grep -e '^_Z' -e ')$' | grep -v 'operator()$' | head -n 1)
	if [ -z "$bad" ]; then
		pass "$v: no mangled name or parameter list in GC worker stacks"
	else
		fail "$v: mangled or parameterised name: $bad"
	fi

	# JFR: readable by the JDK, converted by pyrojava, cstack setting.
	for cstack in fp no; do
		jfr=$work/$v.$cstack.jfr
		"$jdk/bin/java" -Xmx96m -XX:+UseParallelGC -XX:ParallelGCThreads=2 \
			-agentpath:"$LIB"=start,event=itimer,interval=10ms,cstack=$cstack,jfr,file="$jfr" \
			-cp "$work/cls" GcLoad 3000 500 "$TICK" >/dev/null 2>"$work/out"
		"$jdk/bin/jfr" print --events jdk.ActiveSetting "$jfr" >"$work/settings" 2>"$work/out" ||
			fail "$v cstack=$cstack: jfr print failed"
		if grep -A3 'name = "cstack"' "$work/settings" | grep -q "value = \"$cstack\""; then
			pass "$v cstack=$cstack: recorded in jdk.ActiveSetting"
		else
			fail "$v cstack=$cstack: jdk.ActiveSetting says $(grep -A3 'name = "cstack"' "$work/settings" | grep value)"
		fi
		"$PYROJAVA" convert --format collapsed "$jfr" >"$work/conv" 2>"$work/out" ||
			fail "$v cstack=$cstack: pyrojava convert failed"
		native=$(grep -c 'libjvm\.so\.' "$work/conv")
		if [ "$cstack" = fp ] && grep -q 'libjvm\.so\.Thread::call_run:0' "$work/conv"; then
			pass "$v cstack=fp: pyrojava convert shows libjvm.so frames ($native stacks)"
		elif [ "$cstack" = no ] && [ "$native" -eq 0 ]; then
			pass "$v cstack=no: no native frames"
		else
			fail "$v cstack=$cstack: $native stacks with libjvm.so frames"
		fi
	done
done
pj_report "agent native stack"
