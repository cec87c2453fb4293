#!/bin/sh
# `make demo` and `pyrojava run` without a configuration: the built-in
# default discovers the bundled workload JVM and writes its profiles to
# ./profiles, and the demo says where they are and how to open them.
# Runs in a private PID namespace so only the demo's JVM is seen.
set -u
: "${PYROJAVA:?PYROJAVA must point at the built binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"

if [ -z "${PJ_IN_PIDNS:-}" ]; then
	exec unshare --pid --fork --mount-proc env PJ_IN_PIDNS=1 sh "$0" "$@"
fi

PYROJAVA=$(cd "$(dirname "$PYROJAVA")" && pwd)/$(basename "$PYROJAVA")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
	echo "FAIL: $*"
	cat "$work/demo.out"
	exit 1
}

cd "$work" || exit 1
PATH=$(ls -d /usr/lib/jvm/java-17-openjdk-*/bin | head -n 1):$PATH PYROJAVA_INTERVAL=2s \
	"$PJ_SOURCE_DIR/scripts/demo" "$PYROJAVA" >"$work/demo.out" 2>&1 || fail "demo exited $?"
for metric in process_cpu memory mutex; do
	ls "$work/profiles/pyrojava-demo/$metric/"*.pb.gz >/dev/null 2>&1 || fail "no $metric profile in ./profiles"
done
grep -q "demo: profiles are in $work/profiles/" "$work/demo.out" || fail "demo does not say where the profiles are"
grep -q "go tool pprof -http=:8080 $work/profiles/pyrojava-demo/process_cpu/.*\.pb\.gz" "$work/demo.out" ||
	fail "demo does not say how to open them"
grep -q '"service_name":"pyrojava-demo"' "$work/profiles/pyrojava-demo/process_cpu/"*.labels.json ||
	fail "wrong service_name"
echo "ok"
