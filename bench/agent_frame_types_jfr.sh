#!/bin/sh
# The agent's frame types against the JDK's own Flight Recorder: a mixed
# workload (streams, maps, regex, reflection, exceptions, sorting,
# formatting, an executor, recursion) runs with both recording at once;
# for the most sampled methods, the share of each frame type among the
# agent's jdk.ExecutionSample frames is printed next to the Flight
# Recorder's (C1 compiled counted as JIT compiled, as JFR does), and the
# agent's count of typed stacks.
#   bench/agent_frame_types_jfr.sh [BUILD_DIR] [SECONDS] [JDK_HOME]
set -eu

# shellcheck source=SCRIPTDIR/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
pj_bench_setup "${1:-}"
seconds=${2:-8}
jdk=${3:-$jdk17}
cat >"$work/Mixed.java" <<'JAVA'
import java.lang.reflect.Method;
import java.util.*;
import java.util.concurrent.*;
import java.util.regex.*;
import java.util.stream.*;
public class Mixed {
    static volatile long sink;
    static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
    static long streams() { return IntStream.range(0, 2000).mapToObj(i -> "k" + i).filter(s -> s.hashCode() % 3 == 0).map(String::toUpperCase).collect(Collectors.toList()).size(); }
    static long maps() { Map<String, Integer> m = new HashMap<>(); for (int i = 0; i < 5000; i++) m.merge("x" + (i % 97), i, Integer::sum); return m.size(); }
    static long regex() { Pattern p = Pattern.compile("(a+)+b"); long c = 0; for (int i = 0; i < 300; i++) if (p.matcher("aaaaaaaaaaaaac" + i).matches()) c++; return c; }
    public static int target(int i) { return fib(12) + i; }
    static long reflect() throws Exception { Method m = Mixed.class.getMethod("target", int.class); long s = 0; for (int i = 0; i < 200; i++) s += (Integer) m.invoke(null, i); return s; }
    static long exceptions() { long c = 0; for (int i = 0; i < 500; i++) try { Integer.parseInt("z" + i); } catch (NumberFormatException e) { c += e.getMessage().length(); } return c; }
    static long arrays() { int[] a = new int[100000]; for (int i = 0; i < a.length; i++) a[i] = (i * 7919) % 10007; Arrays.sort(a); int[] b = new int[a.length]; System.arraycopy(a, 0, b, 0, a.length); return b[500]; }
    static long format() { StringBuilder sb = new StringBuilder(); for (int i = 0; i < 300; i++) sb.append(String.format("%05d-%s;", i, Integer.toHexString(i))); return sb.length(); }
    public static void main(String[] a) throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(2);
        long end = System.currentTimeMillis() + Long.parseLong(a[0]) * 1000;
        while (System.currentTimeMillis() < end) {
            Future<Long> f = ex.submit(() -> streams() + maps() + (long) fib(22));
            sink += regex() + reflect() + exceptions() + arrays() + format() + f.get();
        }
        ex.shutdown();
    }
}
JAVA
pj_bench_javac "$work/Mixed.java"
"$jdk/bin/java" -XX:StartFlightRecording=filename="$work/jdk.jfr",settings=profile \
	-agentpath:"$lib"=start,event=itimer,interval=2ms,file="$work/agent.jfr",jfr \
	-cp "$work" Mixed "$seconds" >"$work/out.log" 2>&1
"$jdk17/bin/jfr" print --json --stack-depth 64 --events jdk.ExecutionSample "$work/agent.jfr" >"$work/agent.json"
"$jdk17/bin/jfr" print --json --stack-depth 64 --events jdk.ExecutionSample "$work/jdk.jfr" >"$work/jdk.json"
grep 'Frame types' "$work/out.log" || true
python3 - "$work/agent.json" "$work/jdk.json" <<'PY'
import collections, json, sys
def shares(path):
    c = collections.defaultdict(collections.Counter)
    for e in json.load(open(path))["recording"]["events"]:
        st = e["values"].get("stackTrace")
        for f in (st or {}).get("frames", []):
            t = "JIT compiled" if f["type"] == "C1 compiled" else f["type"]
            c[f["method"]["type"]["name"].split("/")[-1] + "." + f["method"]["name"]][t] += 1
    return c
a, j = shares(sys.argv[1]), shares(sys.argv[2])
types = ["Interpreted", "JIT compiled", "Inlined", "Native"]
rows = sorted((sum(a[m].values()), m) for m in a if sum(a[m].values()) >= 40 and sum(j[m].values()) >= 40)
print("| method | frames (agent / JFR) | " + " | ".join(t + " (agent / JFR)" for t in types) + " |")
print("|---|---|" + "---|" * len(types))
for n, m in reversed(rows[-15:]):
    nj = sum(j[m].values())
    cells = ["%.0f / %.0f %%" % (100.0 * a[m][t] / n, 100.0 * j[m][t] / nj) for t in types]
    print("| %s | %d / %d | %s |" % (m, n, nj, " | ".join(cells)))
PY
