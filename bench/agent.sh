#!/bin/sh
# What the profiler agent costs at Alloy's defaults (itimer 100 Hz, alloc
# 512k, lock 10ms), two ways, printed as markdown:
#
#  1. Direct accounting: the agent measures its own CPU time (signal
#     handlers, JVMTI callbacks, its threads, its commands and JFR writing,
#     the accounting itself; see docs/agent.md) and logs it when the JVM
#     exits. Reported as agent CPU / process CPU, per run.
#  2. Throughput: a CPU + allocation + lock workload runs for a fixed time
#     without an agent, with the agent, and with the JDK's own Flight
#     Recorder (settings=profile), interleaved so machine load hits every
#     configuration alike. Each round gives a ratio to the no-agent run next
#     to it; the median ratio of the rounds is reported with its range and a
#     bootstrap 95% confidence interval of the median.
#
#   bench/agent.sh [BUILD_DIR] [ROUNDS] [SECONDS]     (defaults: build 11 3)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
rounds=${2:-11}
seconds=${3:-3}
lib=$build/agent/glibc/libasyncProfiler.so
jdk=$(ls -d /usr/lib/jvm/java-17-openjdk-* 2>/dev/null | head -n 1)
[ -f "$lib" ] || { echo "bench/agent.sh: $lib not built" >&2; exit 1; }
[ -x "$jdk/bin/java" ] || { echo "bench/agent.sh: no JDK 17 under /usr/lib/jvm" >&2; exit 1; }

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
        System.out.println("ops/s " + total * 1000 / ms);
    }
}
EOF
"$jdk/bin/javac" -d "$work" "$work/Work.java"

defaults=start,quiet,event=itimer,interval=10ms,alloc=512k,lock=10ms,jfr,file=$work/a.jfr
run() { # config round: writes $work/<config>.<round>.out
	out=$work/$1.$2.out
	case $1 in
	none) "$jdk/bin/java" -Xmx256m -cp "$work" Work "$seconds" >"$out" 2>&1 ;;
	# loglevel=debug: the agent logs its own cost when the JVM exits.
	agent) "$jdk/bin/java" -Xmx256m -agentpath:"$lib"=$defaults,loglevel=debug \
		-cp "$work" Work "$seconds" >"$out" 2>&1 ;;
	jfr) "$jdk/bin/java" -Xmx256m -XX:StartFlightRecording=settings=profile,filename="$work/j.jfr" \
		-cp "$work" Work "$seconds" >"$out" 2>&1 ;;
	esac
	ops=$(sed -n 's/^ops\/s //p' "$out")
	[ -n "$ops" ] || { echo "bench/agent.sh: $1 run $2 printed no result:" >&2; cat "$out" >&2; exit 1; }
	echo "$ops" >>"$work/$1.ops"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$rounds"); do
	# Rotate the order so no configuration always runs first after a pause.
	case $((i % 3)) in
	0) order="none agent jfr" ;;
	1) order="agent jfr none" ;;
	*) order="jfr none agent" ;;
	esac
	for c in $order; do run "$c" "$i"; done
	echo "round $i of $rounds done" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Per-round ratios to the no-agent run of the same round.
paste "$work/none.ops" "$work/agent.ops" "$work/jfr.ops" |
	awk '{ print $2 / $1 > "'"$work"'/agent.ratio"; print $3 / $1 > "'"$work"'/jfr.ratio" }'

# "median min max lo hi": the median ratio, its range, and the 2.5th and
# 97.5th percentiles of the median over 2000 bootstrap resamples (fixed seed).
stats() {
	awk 'BEGIN { srand(6) } { v[NR] = $1 }
		END {
			for (b = 0; b < 2000; b++) {
				for (i = 1; i <= NR; i++) s[i] = v[int(rand() * NR) + 1]
				for (i = 2; i <= NR; i++) { x = s[i]; for (j = i - 1; j >= 1 && s[j] > x; j--) s[j + 1] = s[j]; s[j + 1] = x }
				print (NR % 2) ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2
			}
		}' "$1" | sort -g >"$1.boot"
	lo=$(sed -n '50p' "$1.boot")
	hi=$(sed -n '1951p' "$1.boot")
	echo "$(median <"$1") $(sort -g "$1" | head -n 1) $(sort -g "$1" | tail -n 1) $lo $hi"
}

# The agent's own accounting, one line per agent run: "percent agent_ms process_ms".
for i in $(seq "$rounds"); do
	sed -n 's/^\[DEBUG\] Agent CPU: \([0-9.]*\) ms of \([0-9.]*\) ms process CPU since start (\([0-9.]*\)%)$/\3 \1 \2/p' \
		"$work/agent.$i.out"
done >"$work/accounting"
[ "$(wc -l <"$work/accounting")" -eq "$rounds" ] ||
	{ echo "bench/agent.sh: an agent run logged no accounting" >&2; cat "$work/agent.1.out" >&2; exit 1; }
acc_median=$(cut -d' ' -f1 "$work/accounting" | median)
acc_min=$(cut -d' ' -f1 "$work/accounting" | sort -g | head -n 1)
acc_max=$(cut -d' ' -f1 "$work/accounting" | sort -g | tail -n 1)
# The breakdown of the run whose share is the median (or nearest).
mid=$(awk -v m="$acc_median" '{ d = $1 - m; d = d < 0 ? -d : d; if (NR == 1 || d < best) { best = d; n = NR } } END { print n }' \
	"$work/accounting")

echo "| configuration | ops/s, median of $rounds runs of $seconds s | ratio to no agent, median of $rounds rounds | range | 95% CI of the median (bootstrap) |"
echo "|---|---|---|---|---|"
echo "| no agent | $(median <"$work/none.ops") | 1 | | |"
for c in agent jfr; do
	set -- $(stats "$work/$c.ratio")
	name="agent: itimer 100 Hz + alloc 512k + lock 10ms"
	[ "$c" = jfr ] && name="JDK Flight Recorder, settings=profile"
	awk -v n="$name" -v ops="$(median <"$work/$c.ops")" -v m="$1" -v a="$2" -v b="$3" -v lo="$4" -v hi="$5" \
		'BEGIN { printf "| %s | %d | %.4f | %.4f - %.4f | %.4f - %.4f |\n", n, ops, m, a, b, lo, hi }'
	if [ "$c" = agent ]; then
		agent_m=$1
		agent_lo=$4
	fi
done
echo
echo "Agent CPU / process CPU as the agent accounts it (docs/agent.md), median of the $rounds agent runs:"
echo "**$acc_median%** (range $acc_min% - $acc_max%). The median run's breakdown:"
echo
sed -n 's/^\[DEBUG\] /    /p' "$work/agent.$mid.out"
echo
awk -v acc="$acc_median" -v lo="$agent_lo" -v m="$agent_m" 'BEGIN {
	direct = acc < 1 ? "under 1%" : "NOT under 1%"
	if (lo >= 0.99)
		thr = "lies above 0.99, which confirms a cost under 1%"
	else
		thr = "reaches below 0.99: this run cannot confirm a cost under 1% by throughput alone"
	printf "Goal: overhead under 1%% at these defaults. Direct accounting: %s%% of the process CPU, %s.\n", acc, direct
	printf "Throughput: median ratio %.4f; the 95%% interval of the median %s.\n", m, thr
}'
echo
echo "$("$jdk/bin/java" -version 2>&1 | sed -n 2p); load average (1, 5, 15 min) before: $load_before, after: $load_after; $(nproc) CPUs."
