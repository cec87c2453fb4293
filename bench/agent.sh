#!/bin/sh
# Throughput cost of the profiler agent: a CPU + allocation + lock workload
# runs for a fixed time without an agent, with the agent at Alloy's defaults
# (itimer 100 Hz, alloc 512k, lock 10ms) and with the JDK's own Flight
# Recorder (settings=profile), interleaved so that machine load hits every
# configuration alike. Prints a markdown table of operations per second and
# their ratio to the no-agent runs (median of the runs).
#   bench/agent.sh [BUILD_DIR] [RUNS] [SECONDS]
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
runs=${2:-5}
seconds=${3:-5}
lib=$build/agent/glibc/libasyncProfiler.so
jdk=$(ls -d /usr/lib/jvm/java-17-openjdk-* | head -n 1)
[ -f "$lib" ] || { echo "bench/agent.sh: $lib not built" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cat >"$work/Work.java" <<'EOF'
public class Work {
    static volatile long sink;
    static final Object LOCK = new Object();
    static long spin(int n) { long x = 0; for (int i = 0; i < n; i++) x += i * 31L ^ (x >>> 3); return x; }
    static void op() {
        sink += spin(20_000);
        byte[] b = new byte[256];
        synchronized (LOCK) { sink += b.length; }
    }
    public static void main(String[] a) throws Exception {
        long ms = Long.parseLong(a[0]) * 1000;
        Thread[] ts = new Thread[2];
        long[] ops = new long[ts.length];
        long end = System.currentTimeMillis() + ms;
        for (int i = 0; i < ts.length; i++) {
            int k = i;
            ts[i] = new Thread(() -> { long n = 0; while (System.currentTimeMillis() < end) { op(); n++; } ops[k] = n; });
            ts[i].start();
        }
        long total = 0;
        for (int i = 0; i < ts.length; i++) { ts[i].join(); total += ops[i]; }
        System.out.println(total * 1000 / ms);
    }
}
EOF
"$jdk/bin/javac" -d "$work" "$work/Work.java"

run() { # config -> ops/s
	case $1 in
	none) "$jdk/bin/java" -Xmx256m -cp "$work" Work "$seconds" ;;
	agent) "$jdk/bin/java" -Xmx256m \
		-agentpath:"$lib"=start,quiet,event=itimer,interval=10ms,alloc=512k,lock=10ms,jfr,file="$work/a.jfr" \
		-cp "$work" Work "$seconds" ;;
	jfr) "$jdk/bin/java" -Xmx256m -XX:StartFlightRecording=settings=profile,filename="$work/j.jfr" \
		-cp "$work" Work "$seconds" 2>/dev/null | tail -n 1 ;;
	esac
}

for i in $(seq "$runs"); do
	for c in none agent jfr; do
		echo "$(run $c | tail -n 1)" >>"$work/$c"
	done
	echo "run $i done" >&2
done

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
base=$(median "$work/none")
echo "| configuration | ops/s (median of $runs x ${seconds} s) | ratio to no agent |"
echo "|---|---|---|"
for c in none agent jfr; do
	m=$(median "$work/$c")
	awk -v c="$c" -v m="$m" -v b="$base" 'BEGIN {
		name = c == "none" ? "no agent" : c == "agent" ? "agent: itimer 100 Hz + alloc 512k + lock 10ms" : "JDK Flight Recorder, settings=profile"
		printf "| %s | %d | %.3f |\n", name, m, m / b }'
done
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs."
