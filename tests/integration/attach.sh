#!/bin/sh
# `pyrojava attach` against real JVMs: JDK 17, and Temurin 25 when installed.
# Checks the operations users run, loading a JVMTI agent (its Agent_OnAttach
# options must arrive, also over 1024 bytes via protocol v2 on JDK 25), the
# refusals (not a JVM, gone, attach disabled, no permission), and a JVM in
# its own mount + PID namespace with a private /tmp running as another user,
# with symlinks planted where the trigger file goes, and a JVM in a user
# namespace (root inside, an unprivileged uid outside).
set -u
: "${PYROJAVA:?PYROJAVA must point at the pyrojava binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"

. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_find_jdks
JDK25=$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -n 1)

# Not under /tmp: the namespaced JVM gets a private /tmp but must see these files.
pj_workdir pyrojava-attach
trap pj_cleanup EXIT INT TERM
pj_counting_fail 0

# check NAME EXPECTED_RC GREP_PATTERN pyrojava-args...: runs pyrojava attach,
# compares the exit status and greps stdout+stderr.
check() {
	name=$1 want_rc=$2 pattern=$3
	shift 3
	"$PYROJAVA" attach "$@" >"$work/out" 2>"$work/err"
	rc=$?
	if [ "$rc" -ne "$want_rc" ]; then
		fail "$name: exit $rc, want $want_rc"
		sed 's/^/     | /' "$work/out" "$work/err" | head -n 10
	elif ! cat "$work/out" "$work/err" | grep -q -e "$pattern"; then
		fail "$name: output lacks \"$pattern\""
		sed 's/^/     | /' "$work/out" "$work/err" | head -n 10
	else
		pass "$name"
	fi
}

cat >"$work/Idle.java" <<'EOF'
public class Idle {
    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        Thread.sleep(600_000);
    }
}
EOF
"$JDK17/bin/javac" -d "$work" "$work/Idle.java" || exit 1

# A JVMTI agent: options "FILE;RC;payload" -> writes the options to FILE, returns RC.
cat >"$work/agent.c" <<'EOF'
#include <jvmti.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
JNIEXPORT jint JNICALL Agent_OnAttach(JavaVM *vm, char *options, void *reserved)
{
	(void)vm;
	(void)reserved;
	const char *sep = options ? strchr(options, ';') : NULL;
	char path[4096];
	if (!sep || (size_t)(sep - options) >= sizeof(path))
		return 100;
	memcpy(path, options, (size_t)(sep - options));
	path[sep - options] = '\0';
	FILE *f = fopen(path, "w");
	if (!f)
		return 101;
	fputs(options, f);
	fclose(f);
	return atoi(sep + 1);
}
EOF
${CC:-cc} -shared -fPIC -I"$JDK17/include" -I"$JDK17/include/linux" -o "$work/libtestagent.so" \
	"$work/agent.c" || exit 1

echo 'int pj_test_nothing_here;' >"$work/noagent.c"
${CC:-cc} -shared -fPIC -o "$work/libnoagent.so" "$work/noagent.c" || exit 1

# start_jvm NAME JAVA_HOME [java options...]: starts Idle in the background.
start_jvm() {
	name=$1 home=$2
	shift 2
	"$home/bin/java" -Xmx64m -XX:TieredStopAtLevel=1 "$@" -cp "$work" Idle >"$work/$name.log" 2>&1 &
	eval "pid_$name=$!"
	pids="$pids $!"
}

wait_ready() {
	for _ in $(seq 100); do
		grep -q ready "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "JVM did not start: $1"
	cat "$1"
	return 1
}

start_jvm jdk17 "$JDK17"
start_jvm disabled "$JDK17" -XX:+DisableAttachMechanism
start_jvm xrs "$JDK17" -Xrs
[ -n "$JDK25" ] && start_jvm jdk25 "$JDK25"

# Containers need root to set up (as the daemon needs root to enter them).
is_root=false
[ "$(id -u)" -eq 0 ] && is_root=true

# The namespaced JVM: its own mount and PID namespace, a tmpfs on /tmp, uid
# 65534, cwd owned by that user with a symlink planted at the trigger path.
ns_ok=false
if $is_root && unshare --mount --pid --fork --mount-proc true 2>/dev/null; then
	ns_ok=true
	mkdir "$work/nscwd"
	echo keep >"$work/hostfile"
	ln -s "$work/hostfile" "$work/nscwd/.attach_pid1"
	chown 65534:65534 "$work/nscwd"
	(cd "$work/nscwd" && exec unshare --mount --pid --kill-child --mount-proc sh -c "
		mount -t tmpfs -o mode=1777 tmpfs /tmp || exit 1
		ln -s '$work/hostfile' /tmp/.attach_pid1
		exec setpriv --reuid 65534 --regid 65534 --clear-groups \
			'$JDK17/bin/java' -Xmx64m -cp '$work' Idle") >"$work/ns.log" 2>&1 &
	pid_unshare=$!
	pids="$pids $pid_unshare"
fi

# A user-namespace container: JVM root inside is host uid 100000, which only
# answers a client that switched to that uid (host root is "nobody" to it).
if $is_root; then
	${CC:-cc} -o "$work/userns_run" "$PJ_SOURCE_DIR/tests/integration/userns_run.c" || exit 1
	mkdir "$work/uscwd" && chown 100000:100000 "$work/uscwd" || exit 1
	"$work/userns_run" 100000 "$work/uscwd" "$JDK17/bin/java" -Xmx64m -cp "$work" Idle \
		>"$work/us.log" 2>&1 &
	pid_userns=$!
	pids="$pids $pid_userns"
fi

wait_ready "$work/jdk17.log" || exit 1
wait_ready "$work/disabled.log" || exit 1
wait_ready "$work/xrs.log" || exit 1
[ -n "$JDK25" ] && { wait_ready "$work/jdk25.log" || exit 1; }

# jvm_checks NAME PID JDK_MAJOR
jvm_checks() {
	n=$1 p=$2 major=$3
	check "$n: properties lists java.version" 0 "^java.version=$major" "$p" properties
	check "$n: threaddump shows main" 0 '^"main"' "$p" threaddump
	check "$n: jcmd VM.version" 0 "JDK $major" "$p" jcmd VM.version
	check "$n: jcmd with arguments" 0 "Idle" "$p" jcmd Thread.print -l
	check "$n: inspectheap" 0 "java.lang.String" "$p" inspectheap
	check "$n: agentProperties" 0 "^sun.java.command=Idle" "$p" agentProperties
	check "$n: printflag" 0 "^-XX:MaxHeapSize=67108864" "$p" printflag MaxHeapSize
	check "$n: unknown operation" 255 "not recognized" "$p" nosuchop
	check "$n: agent loaded, options arrive" 0 "return code: 0" \
		"$p" load "$work/libtestagent.so" true "$work/$n.opts;0;hello world"
	if [ "$(cat "$work/$n.opts" 2>/dev/null)" = "$work/$n.opts;0;hello world" ]; then
		pass "$n: Agent_OnAttach got the options"
	else
		fail "$n: Agent_OnAttach options: $(cat "$work/$n.opts" 2>&1)"
	fi
	check "$n: agent return code is the exit status" 7 "return code: 7" \
		"$p" load "$work/libtestagent.so" true "$work/$n.rc;7"
	# JDK 17 answers status -1; JDK 21+ status 0 with the error text.
	check "$n: missing library fails" 255 "was not loaded" "$p" load "$work/nonexistent.so" true
	check "$n: library without Agent_OnAttach fails" 255 "Agent_OnAttach is not available" \
		"$p" load "$work/libnoagent.so" true
	long="$work/$n.long;0;$(head -c 3000 /dev/zero | tr '\0' x)"
	if [ "$major" -ge 24 ]; then
		check "$n: 3000-byte options via protocol v2" 0 "return code: 0" \
			"$p" load "$work/libtestagent.so" true "$long"
		if [ "$(cat "$work/$n.long" 2>/dev/null)" = "$long" ]; then
			pass "$n: long options arrive whole"
		else
			fail "$n: long options did not arrive whole"
		fi
	else
		check "$n: argument over 1024 bytes refused clearly" 1 \
			"does not speak attach protocol v2" "$p" load "$work/libtestagent.so" true "$long"
	fi
}

# A socket left behind by an earlier JVM with the same PID refuses connections;
# the client must fall back to starting the listener, which replaces it.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' \
	"/tmp/.java_pid$pid_jdk17" || exit 1
jvm_checks jdk17 "$pid_jdk17" 17
[ -n "$JDK25" ] && jvm_checks jdk25 "$pid_jdk25" 25

check "attach-disabled JVM is refused" 1 "DisableAttachMechanism" "$pid_disabled" properties
if grep -q "Full thread dump" "$work/disabled.log"; then
	fail "attach-disabled JVM was sent SIGQUIT"
else
	pass "attach-disabled JVM was not signalled"
fi

# A hung JVM: the listener's socket still accepts, but nobody answers.
kill -STOP "$pid_jdk17"
# SIGSTOP reaches each thread asynchronously: wait until none is running.
for _ in $(seq 100); do
	grep -q '^State:.[^T]' /proc/"$pid_jdk17"/task/*/status 2>/dev/null || break
	sleep 0.05
done
check "stopped JVM hits the reply deadline" 1 "timed out reading the reply" \
	--timeout 1 "$pid_jdk17" properties
kill -CONT "$pid_jdk17"

# -Xrs: no SIGQUIT handler, so SIGQUIT would kill the JVM; its listener starts
# with the JVM instead. Attach works while the socket exists; without it the
# JVM must be left alone.
for _ in $(seq 100); do [ -S "/tmp/.java_pid$pid_xrs" ] && break; sleep 0.1; done
check "-Xrs JVM with its listener socket" 0 "JDK 17" "$pid_xrs" jcmd VM.version
rm -f "/tmp/.java_pid$pid_xrs"
check "-Xrs JVM without socket is not signalled" 1 "does not handle SIGQUIT" "$pid_xrs" properties
if kill -0 "$pid_xrs" 2>/dev/null; then pass "-Xrs JVM still alive"; else fail "-Xrs JVM was killed"; fi

sleep 60 &
sleeper=$!
pids="$pids $sleeper"
check "non-JVM is refused" 1 "is not a HotSpot JVM" "$sleeper" properties
if kill -0 "$sleeper" 2>/dev/null; then pass "non-JVM still alive"; else fail "non-JVM was killed"; fi

sh -c 'exit 0' &
dead=$!
wait "$dead"
check "dead PID reports process gone" 1 "does not exist" "$dead" properties

if $is_root; then
	setpriv --reuid 65534 --regid 65534 --clear-groups "$PYROJAVA" attach "$pid_jdk17" properties \
		>"$work/out" 2>"$work/err"
	if [ $? -eq 1 ] && grep -q "Permission denied" "$work/err"; then
		pass "non-root caller gets permission denied"
	else
		fail "non-root caller: $(cat "$work/err")"
	fi
fi

check "usage error" 2 "usage:" notapid properties

if $ns_ok; then
	wait_ready "$work/ns.log" || exit 1
	ns_jvm=$(cat "/proc/$pid_unshare/task/$pid_unshare/children" | tr -d ' ')
	pids="$pids $ns_jvm"
	check "namespaced JVM as uid 65534: jcmd VM.version" 0 "JDK 17" "$ns_jvm" jcmd VM.version
	check "namespaced JVM: properties" 0 "^user.name=nobody" "$ns_jvm" properties
	check "namespaced JVM: agent loaded" 0 "return code: 0" \
		"$ns_jvm" load "$work/libtestagent.so" true "/tmp/ns.opts;0;inside"
	if [ "$(cat "/proc/$ns_jvm/root/tmp/ns.opts" 2>/dev/null)" = "/tmp/ns.opts;0;inside" ] &&
		[ ! -e /tmp/ns.opts ]; then
		pass "namespaced JVM: agent wrote into the container's /tmp"
	else
		fail "namespaced JVM: agent output not in the container's /tmp"
	fi
	if [ "$(cat "$work/hostfile")" = keep ]; then
		pass "planted trigger symlinks were not followed"
	else
		fail "host file behind the planted symlink changed"
	fi
	if [ ! -e "$work/nscwd/.attach_pid1" ] && [ ! -L "$work/nscwd/.attach_pid1" ]; then
		pass "trigger file removed afterwards"
	else
		fail "trigger file left in the JVM's cwd"
	fi
fi

if $is_root; then
	wait_ready "$work/us.log" || exit 1
	middle=$(tr -d ' ' <"/proc/$pid_userns/task/$pid_userns/children")
	us_jvm=$(tr -d ' ' <"/proc/$middle/task/$middle/children")
	pids="$pids $us_jvm"
	if grep -q "^Uid:.100000" "/proc/$us_jvm/status"; then
		pass "userns JVM runs as host uid 100000"
	else
		fail "userns JVM setup: $(grep Uid "/proc/$us_jvm/status")"
	fi
	check "userns JVM: jcmd VM.version" 0 "JDK 17" "$us_jvm" jcmd VM.version
	check "userns JVM sees itself as root" 0 "^user.name=root" "$us_jvm" properties
fi

pj_report attach
