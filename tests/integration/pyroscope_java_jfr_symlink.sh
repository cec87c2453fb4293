#!/bin/sh
# A container plants a symlink at the JFR file path of a running session: a
# JVM in its own mount + PID namespace with a private /tmp, as uid 65534, and
# a link to a host canary file put at the recording's path after the agent
# wrote it and before pyrojava reads it. pyrojava must refuse that read
# (logged with PID and step, shown in debug info), leave the canary unread,
# unmodified and in place, remove only the link, and keep profiling the JVM
# on the next window.
#
# The agent writes a recording under a temporary name and renames it into
# place, so a link planted earlier is simply replaced. To plant it in the gap
# between the agent's rename and pyrojava's read, strace holds the JVM's
# rename(2) on its way out for a few seconds; the link is planted while the
# agent has not yet answered pyrojava.
# Runs in a private PID namespace so only this JVM is seen.
set -u
: "${PYROJAVA:?PYROJAVA must point at the built binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"

. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_enter_pidns "$0" "$@"
PJ_WAIT_SECS=60
pj_find_jdk
# Outside /tmp: the namespaced JVM gets a private /tmp but must see the classes.
pj_workdir pj-jfr-link

command -v strace >/dev/null || fail "strace is not installed (scripts/install-deps)"
pj_compile_demo
chmod -R a+rX "$work/cls"

# The host file the link points at; its content must never reach a profile.
canary="$work/canary.jfr"
echo "pj-canary-$$-host-secret" >"$canary"
canary_before=$(stat -c '%i %s %Y %a' "$canary")

unshare --mount --pid --fork --mount-proc sh -c "
	mount -t tmpfs -o mode=1777 tmpfs /tmp && cd / &&
	exec setpriv --reuid=65534 --regid=65534 --clear-groups \
		'$JDK/bin/java' -Dservice=pjlink -cp '$work/cls' Demo 600" >"$work/jvm.log" 2>&1 &
pids="$pids $!"
wait_for "$work/jvm.log" "demo workload running"
jvm=$(pgrep -f -- "-Dservice=pjlink" | while read -r p; do
	[ "$(readlink /proc/$p/exe)" = "$(readlink -f "$JDK/bin/java")" ] && echo "$p"
done | head -n 1)
[ -n "$jvm" ] || fail "cannot find the namespaced JVM"
[ "$(readlink /proc/$jvm/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] || fail "the JVM shares our mount namespace"
ctmp=/proc/$jvm/root/tmp

pj_profiler_config pjlink >"$work/profiler.alloy"
pj_run "$work/profiler.alloy" "$work/profiler.log"
profiler=$pj_pid
cpu="$work/out/pjlink/process_cpu/*.pb.gz"
wait_files "$cpu" 1

# Hold the agent's next rename on its way out, so the recording sits at its
# final path while pyrojava still waits for the agent's answer. strace
# reports "Process N attached with T threads" once it holds every thread.
strace -f -e signal=none -e trace=rename,renameat,renameat2 \
	-e inject=rename,renameat,renameat2:delay_exit=8000000 -o "$work/strace.out" -p "$jvm" 2>"$work/strace.log" &
tracer=$!
pids="$pids $tracer"
wait_for "$work/strace.log" "Process $jvm attached"

i=0
planted=
while [ -z "$planted" ]; do
	for f in "$ctmp"/asprof-*.jfr; do
		[ -f "$f" ] && [ ! -L "$f" ] || continue
		ln -s "$canary" "$ctmp/pj-planted-link" || fail "cannot create the link in the JVM's /tmp"
		mv -fT "$ctmp/pj-planted-link" "$f" || fail "cannot move the link over $f"
		planted=$f
		break
	done
	i=$((i + 1))
	[ "$i" -gt 600 ] && fail "the agent never wrote a recording while traced"
	[ -n "$planted" ] || sleep 0.1
done
[ -L "$planted" ] || fail "the planted link at $planted is gone before pyrojava read it"

wait_for "$work/profiler.log" 'msg="profiling failed"'
kill -TERM "$tracer"
wait "$tracer" 2>/dev/null
refusal=$(grep -F 'msg="profiling failed"' "$work/profiler.log" | head -n 1)
for want in "pid=$jvm" 'step="read jfr"' 'Too many levels of symbolic links'; do
	case "$refusal" in *"$want"*) ;; *) fail "refusal lacks $want: $refusal" ;; esac
done
debug=$(curl -sf "http://$api/api/v0/web/components/pyroscope.java.jvms") || fail "components API"
case "$debug" in *'read jfr: Too many levels of symbolic links'*) ;; *) fail "debug info lacks the error: $debug" ;; esac

# Only the link went; the host file is untouched and was never read.
[ -e "$planted" ] || [ -L "$planted" ] && fail "the planted link at $planted was left in place"
[ "$(stat -c '%i %s %Y %a' "$canary")" = "$canary_before" ] || fail "the host canary changed"
grep -qx "pj-canary-$$-host-secret" "$canary" || fail "the host canary's content changed"

# Profiling goes on with the next window.
before=$(ls $cpu | wc -l)
wait_files "$cpu" $((before + 2))
for p in "$work"/out/*/*/*.pb.gz; do
	gzip -dc "$p"
done | grep -qaF "pj-canary-$$" && fail "the canary's content reached a profile"

kill -TERM "$profiler"
wait "$profiler" || fail "pyrojava exited with $?"
[ "$(stat -c '%i %s %Y %a' "$canary")" = "$canary_before" ] || fail "the host canary changed at shutdown"
left=$(ls "$ctmp"/asprof-* 2>/dev/null)
[ -z "$left" ] || fail "files left in the JVM's /tmp: $left"
echo "ok"
