#!/bin/sh
# Cost of the agent's Unsafe.park hook, worst case: one thread calls
# LockSupport.unpark(self) then LockSupport.park() in a loop, so every park
# finds its permit and returns without blocking (~100 ns) and the hook's
# own work is the largest possible share. Counted for a fixed time after
# 2 s of warm-up,
#   - without an agent,
#   - with the agent recording `lock=10ms` (the hook reads the clock before
#     and after every park; none lasts 10 ms, so nothing is recorded),
#   - with the hook bound but lock profiling stopped (`timeout=1` ends the
#     session during the warm-up: the hook only passes through),
# interleaved so that machine load hits every configuration alike. Prints a
# markdown table of ns per unpark+park pair and the difference to no agent
# (medians).
#   bench/agent_park.sh [BUILD_DIR] [RUNS] [SECONDS]
set -eu

# shellcheck source=SCRIPTDIR/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
pj_bench_setup "${1:-}"
runs=${2:-5}
seconds=${3:-3}
cat >"$work/Permit.java" <<'JAVA'
import java.util.concurrent.locks.LockSupport;
public class Permit {
    public static void main(String[] a) {
        Thread me = Thread.currentThread();
        for (long end = System.nanoTime() + 2_000_000_000L; System.nanoTime() < end; ) {
            LockSupport.unpark(me);
            LockSupport.park();
        }
        long n = 0, t0 = System.nanoTime(), end = t0 + Long.parseLong(a[0]) * 1_000_000_000L, t;
        do {
            for (int i = 0; i < 1000; i++) {
                LockSupport.unpark(me);
                LockSupport.park();
            }
            n += 1000;
        } while ((t = System.nanoTime()) < end);
        System.out.printf("%.1f%n", (double) (t - t0) / n);
    }
}
JAVA
pj_bench_javac "$work/Permit.java"

run() { # config -> ns per unpark+park
	case $1 in
	none) "$jdk/bin/java" -cp "$work" Permit "$seconds" ;;
	hook) "$jdk/bin/java" -agentpath:"$lib"=start,quiet,lock=10ms,jfr,file="$work/h.jfr" \
		-cp "$work" Permit "$seconds" ;;
	passthrough) "$jdk/bin/java" -agentpath:"$lib"=start,quiet,lock=10ms,timeout=1,jfr,file="$work/p.jfr" \
		-cp "$work" Permit "$seconds" ;;
	esac
}

for i in $(seq "$runs"); do
	for c in none hook passthrough; do
		echo "$(run $c | tail -n 1)" >>"$work/$c"
	done
	echo "run $i done" >&2
done

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
base=$(median "$work/none")
echo "| configuration | ns per unpark+park (median of $runs x ${seconds} s; all runs) | difference to no agent |"
echo "|---|---|---|"
for c in none hook passthrough; do
	m=$(median "$work/$c")
	all=$(sort -n "$work/$c" | tr '\n' ' ' | sed 's/ $//')
	awk -v c="$c" -v m="$m" -v b="$base" -v all="$all" 'BEGIN {
		name = c == "none" ? "no agent" : c == "hook" ? "agent, lock=10ms (hook times every park)" : "agent, lock profiling stopped (hook passes through)"
		printf "| %s | %.1f (%s) | %+.1f ns |\n", name, m, all, m - b }'
done
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs."
