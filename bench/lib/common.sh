# Set-up shared by the agent benchmarks (bench/agent*.sh). Sourced, not run:
# bench/CMakeLists.txt builds only bench/*.c and bench/run calls the scripts
# it runs by name, so nothing here is taken for a benchmark.

# pj_bench_setup [BUILD_DIR]: sets me (the script's name, for messages),
# root (the source tree), build (BUILD_DIR, default $root/build), lib (the
# glibc agent built there), jdk17 and jdk (the installed JDK 17) and work (a
# scratch directory removed on exit). Exits failing when the agent is not
# built or no JDK 17 is installed.
pj_bench_setup() {
	me=bench/$(basename "$0")
	root=$(cd "$(dirname "$0")/.." && pwd)
	build=$(cd "${1:-$root/build}" && pwd)
	lib=$build/agent/glibc/libasyncProfiler.so
	jdk17=$(ls -d /usr/lib/jvm/java-17-openjdk-* 2>/dev/null | head -n 1)
	jdk=$jdk17
	[ -f "$lib" ] || { echo "$me: $lib not built" >&2; exit 1; }
	[ -x "$jdk17/bin/java" ] || { echo "$me: no JDK 17 under /usr/lib/jvm" >&2; exit 1; }
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT INT TERM
}

# pj_bench_javac SOURCE...: compiles into $work with JDK 17, for Java 11 and
# later (bench/agent_frame_types_jfr.sh runs its workload on other JDKs too).
pj_bench_javac() {
	"$jdk17/bin/javac" --release 11 -d "$work" "$@"
}
