#!/bin/sh
# The profiler distribution and the places it goes:
#   - the build embedded both agent builds and asprof;
#   - ASYNC_PROFILER_ARCHIVE embeds an official-layout release tarball (a fake
#     one here) for both libcs, marked official;
#   - `dist` pointing at an unpacked async-profiler layout profiles a JVM
#     with stop/start windows;
#   - a symlink planted in a container at the library directory makes
#     pyrojava refuse to copy the library there, touching nothing it points to.
#   - as a non-root user, pyrojava profiles the JVMs of its own uid and
#     reports the others instead of trying.
# Runs in a private PID namespace so only these JVMs are seen.
set -u
: "${PYROJAVA:?PYROJAVA must point at the built binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"
: "${PJ_TOOLS_DIR:?PJ_TOOLS_DIR must point at the test tools}"

. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_enter_pidns "$0" "$@"
PJ_FAIL_TAIL=30
pj_find_jdk
build=$(cd "$(dirname "$PYROJAVA")" && pwd)

pj_workdir pj-java-dist

sha() {
	sha1sum "$1" | cut -d' ' -f1
}

# 1. What this build embedded.
"$PJ_TOOLS_DIR/dist_list" "$build/dist/pyrojava-dist.bin" >"$work/embedded.log" || fail "dist_list"
grep -qx "flags 0" "$work/embedded.log" || fail "our agent must not be marked official"
grep -q "^glibc/lib/libasyncProfiler.so 755 [0-9]* $(sha "$build/agent/glibc/libasyncProfiler.so")$" "$work/embedded.log" ||
	fail "glibc agent not embedded"
grep -q "^glibc/bin/asprof 755 [0-9]* $(sha "$build/bin/asprof")$" "$work/embedded.log" || fail "asprof not embedded"
if [ -f "$build/agent/musl/libasyncProfiler.so" ]; then
	grep -q "^musl/lib/libasyncProfiler.so 755 [0-9]* $(sha "$build/agent/musl/libasyncProfiler.so")$" \
		"$work/embedded.log" || fail "musl agent not embedded"
fi

# 2. An official release layout, embedded for both libcs.
rel="$work/rel/async-profiler-9.9-linux-x64"
mkdir -p "$rel/bin" "$rel/lib"
printf 'fake launcher\n' >"$rel/bin/asprof"
printf 'fake library\n' >"$rel/lib/libasyncProfiler.so"
chmod 755 "$rel/bin/asprof" "$rel/lib/libasyncProfiler.so"
tar -C "$work/rel" -czf "$work/ap.tar.gz" async-profiler-9.9-linux-x64
cmake -S "$PJ_SOURCE_DIR" -B "$work/b" -G Ninja -DPJ_ASYNC_PROFILER_ARCHIVE="$work/ap.tar.gz" \
	>"$work/cmake.log" 2>&1 || fail "configure with ASYNC_PROFILER_ARCHIVE"
cmake --build "$work/b" --target pj_dist >>"$work/cmake.log" 2>&1 || fail "build pj_dist"
"$PJ_TOOLS_DIR/dist_list" "$work/b/dist/pyrojava-dist.bin" >"$work/official.log" || fail "dist_list official"
grep -qx "flags 1" "$work/official.log" || fail "release archive not marked official"
for fl in glibc musl; do
	grep -q "^$fl/lib/libasyncProfiler.so 755 13 $(sha "$rel/lib/libasyncProfiler.so")$" "$work/official.log" ||
		fail "$fl library of the release not embedded"
	grep -q "^$fl/bin/asprof 755 14 $(sha "$rel/bin/asprof")$" "$work/official.log" || fail "$fl launcher missing"
done
tar -C "$work/rel" -czf "$work/bad.tar.gz" async-profiler-9.9-linux-x64/bin
if cmake -S "$PJ_SOURCE_DIR" -B "$work/b2" -G Ninja -DPJ_ASYNC_PROFILER_ARCHIVE="$work/bad.tar.gz" \
	>"$work/cmake-bad.log" 2>&1; then
	fail "a tarball without lib/libasyncProfiler.so was accepted"
fi
grep -q "expected an async-profiler 3+" "$work/cmake-bad.log" || fail "no clear message for a bad tarball"
rm -rf "$work/b" "$work/b2"

# 3. `dist`: our agent in async-profiler's layout, driven with stop/start.
"$JDK/bin/javac" -d "$work/cls" "$PJ_SOURCE_DIR/examples/demo/Demo.java" || fail "javac"
chmod -R a+rX "$work/cls"
mkdir -p "$work/ap/bin" "$work/ap/lib"
cp "$build/bin/asprof" "$work/ap/bin/asprof"
cp "$build/agent/glibc/libasyncProfiler.so" "$work/ap/lib/libasyncProfiler.so"
chmod -R a+rX "$work/ap"
"$JDK/bin/java" -Dservice=pjdist -cp "$work/cls" Demo 600 >"$work/jvm-dist.log" 2>&1 &
jvm=$!
pids="$pids $jvm"
wait_for "$work/jvm-dist.log" "demo workload running"
pj_profiler_config pjdist "dist = \"$work/ap\"" >"$work/dist.alloy"
pj_run "$work/dist.alloy" "$work/dist-run.log"
profiler=$pj_pid
wait_files "$work/out/pjdist/process_cpu/*.pb.gz" 2
grep -q "$work/ap/lib/libasyncProfiler.so" /proc/$jvm/maps || fail "the dist library is not the one loaded"
kill -TERM "$profiler"
wait "$profiler" || fail "pyrojava (dist) exited with $?"
kill -9 "$jvm"

# 4. A container with a symlink where the library directory goes.
libdir="alloy-asprof-glibc-$(sha "$build/dist/pyrojava-dist.bin")"
mkdir -p "$work/victim"
unshare --mount --pid --fork --mount-proc sh -c "
	mount -t tmpfs -o mode=1777 tmpfs /tmp && ln -s '$work/victim' /tmp/$libdir && cd / &&
	exec setpriv --reuid=65534 --regid=65534 --clear-groups \
		'$JDK/bin/java' -Dservice=pjlink -cp '$work/cls' Demo 600" >"$work/jvm-link.log" 2>&1 &
pids="$pids $!"
wait_for "$work/jvm-link.log" "demo workload running"
pj_profiler_config pjlink "" >"$work/link.alloy"
pj_run "$work/link.alloy" "$work/link-run.log"
profiler=$pj_pid
wait_for "$work/link-run.log" "contains a symlink; refusing to place the profiler there"
grep -q 'step="copy library"' "$work/link-run.log" || fail "the refusal does not name the step"
[ -z "$(ls -A "$work/victim")" ] || fail "something was written through the symlink: $(ls -A "$work/victim")"
[ ! -d "$work/out/pjlink" ] || fail "profiles arrived although the library could not be placed"
kill -TERM "$profiler"
wait "$profiler" || fail "pyrojava (symlink) exited with $?"

# 5. Not root: own-uid JVMs only. tmp_dir must then be ours with mode 0755.
mkdir -p "$work/nr-tmp" "$work/nr-out"
chown 65534:65534 "$work/nr-tmp" "$work/nr-out"
chmod 755 "$work/nr-tmp"
"$JDK/bin/java" -Dservice=nrroot -cp "$work/cls" Demo 600 >"$work/jvm-nrroot.log" 2>&1 &
root_jvm=$!
pids="$pids $root_jvm"
(cd / && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$JDK/bin/java" -Dservice=nruser -cp "$work/cls" \
	Demo 600) >"$work/jvm-nruser.log" 2>&1 &
user_jvm=$!
pids="$pids $user_jvm"
wait_for "$work/jvm-nrroot.log" "demo workload running"
wait_for "$work/jvm-nruser.log" "demo workload running"
cat >"$work/nonroot.alloy" <<EOT
pyroscope.file "out" {
	directory = "$work/nr-out"
}

pyroscope.java "jvms" {
	targets = [
		{"__process_pid__" = "$root_jvm", "service_name" = "nrroot"},
		{"__process_pid__" = "$user_jvm", "service_name" = "nruser"},
	]
	forward_to = [pyroscope.file.out.receiver]
	tmp_dir    = "$work/nr-tmp"

	profiling_config {
		interval = "2s"
	}
}
EOT
chmod 644 "$work/nonroot.alloy"
setpriv --reuid=65534 --regid=65534 --clear-groups "$PYROJAVA" run --server.http.listen-addr=127.0.0.1:0 \
	"$work/nonroot.alloy" >"$work/nonroot-run.log" 2>&1 &
profiler=$!
pids="$pids $profiler"
wait_for "$work/nonroot-run.log" "not running as root: only JVMs of our own uid can be profiled"
wait_for "$work/nonroot-run.log" "the JVM runs as uid 0; not running as root, only JVMs of uid 65534 can be profiled"
wait_files "$work/nr-out/nruser/process_cpu/*.pb.gz" 1
[ ! -d "$work/nr-out/nrroot" ] || fail "a root JVM was profiled by a non-root pyrojava"
kill -TERM "$profiler"
wait "$profiler" || fail "pyrojava (non-root) exited with $?"
echo "ok"
