#!/bin/sh
# CPU cost of the agent's frame-type classification (agent/frame_types.c)
# next to AsyncGetCallTrace's own stack walk: a 50-method call chain (most
# of it inlined by C2) is sampled with event=cpu at 100 us under
# `perf record`, and the share of perf samples in the classification's
# functions and in AsyncGetCallTrace's is printed, with the number of
# agent samples, so the cost per agent sample follows.
#   bench/agent_frame_types.sh [BUILD_DIR] [SECONDS]
set -eu

# shellcheck source=SCRIPTDIR/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
command -v perf >/dev/null || { echo "bench/agent_frame_types.sh: perf is needed" >&2; exit 1; }
pj_bench_setup "${1:-}"
seconds=${2:-6}
{
	echo "public class Deep { static volatile long sink;"
	for i in $(seq 0 48); do echo "static long m$i(int n) { return m$((i + 1))(n) + $i; }"; done
	echo "static long m49(int n) { long x = 0; for (int i = 0; i < n; i++) x += i * 31L ^ (x >>> 3); return x; }"
	echo "public static void main(String[] a) { long end = System.currentTimeMillis() + Long.parseLong(a[0]) * 1000;"
	echo "while (System.currentTimeMillis() < end) sink += m0(2000); } }"
} >"$work/Deep.java"
pj_bench_javac "$work/Deep.java"

perf record -q -F 10000 -o "$work/perf.data" -- "$jdk/bin/java" \
	-agentpath:"$lib"=start,event=cpu,interval=100us,jfr,file="$work/d.jfr" \
	-cp "$work" Deep "$seconds" >"$work/agent.log" 2>&1
perf report -i "$work/perf.data" --sort symbol --stdio 2>/dev/null >"$work/report"
total=$(sed -n 's/^# Samples: \([0-9.]*K*\) .*/\1/p' "$work/report" | head -n 1)
share() { grep -E "\[\.\] ($1)( |$)" "$work/report" | awk '{ s += $1 } END { printf "%.2f", s }'; }
ft=$(share 'ag_ft_classify|ag_ft_match|ag_ft_apply|ag_ft_walk|method_of_id')
agct=$(share 'AsyncGetCallTrace|forte_fill_call_trace_given_top|vframeStreamForte::forte_next|vframeStreamCommon::fill_from_frame|CodeCache::find_blob|CodeHeap::find_blob_unsafe')
echo "perf samples: $total"
echo "agent: $(grep -e 'Frame types' -e 'falling back' "$work/agent.log")"
echo "share of CPU in the classification: $ft %"
echo "share of CPU in AsyncGetCallTrace's walk (main symbols): $agct %"
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs."
