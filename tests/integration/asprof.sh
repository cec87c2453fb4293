#!/bin/sh
# The asprof launcher against a real JDK 17 JVM with a stand-in agent that
# records the option string it receives: the strings must be the ones
# async-profiler's asprof builds, the agent's log goes to stderr, temp output
# to stdout, both files are removed, and exit codes follow asprof's.
set -u
: "${PYROJAVA:?PYROJAVA must point at the pyrojava binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"
ASPROF=$(dirname "$PYROJAVA")/bin/asprof
[ -x "$ASPROF" ] || { echo "asprof not built at $ASPROF"; exit 1; }

. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_find_jdks
pj_workdir
jvm=""
trap pj_jvm_cleanup EXIT INT TERM
pj_counting_fail 10 "$work/out" "$work/err"

# A stand-in libasyncProfiler.so: logs the options to log=, writes them to
# file=, and answers 200 (a command error) for event=fail.
cat >"$work/fake.c" <<'EOF'
#include <jvmti.h>
#include <stdio.h>
#include <string.h>
static void option(const char *opts, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	out[0] = '\0';
	for (const char *p = opts; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1, *end = strchr(v, ',');
			size_t n = end ? (size_t)(end - v) : strlen(v);
			n = n < size ? n : size - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return;
		}
	}
}
JNIEXPORT jint JNICALL Agent_OnAttach(JavaVM *vm, char *options, void *reserved)
{
	(void)vm;
	(void)reserved;
	char file[4096], log[4096];
	option(options, "file", file, sizeof(file));
	option(options, "log", log, sizeof(log));
	FILE *f = log[0] ? fopen(log, "w") : NULL;
	if (f) {
		fprintf(f, "[INFO] agent got %s\n", options);
		fclose(f);
	}
	if (strstr(options, "event=fail"))
		return 200;
	f = file[0] ? fopen(file, "w") : NULL;
	if (f) {
		fprintf(f, "OUTPUT %s\n", options);
		fclose(f);
	}
	return 0;
}
EOF
mkdir -p "$work/dist/bin" "$work/dist/lib"
${CC:-cc} -shared -fPIC -I"$JDK17/include" -I"$JDK17/include/linux" \
	-o "$work/dist/lib/libasyncProfiler.so" "$work/fake.c" || exit 1
# The distribution layout: bin/asprof finds ../lib/libasyncProfiler.so itself.
cp "$ASPROF" "$work/dist/bin/asprof"
asprof="$work/dist/bin/asprof"

cat >"$work/Idle.java" <<'EOF'
public class Idle {
    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        Thread.sleep(600_000);
    }
}
EOF
"$JDK17/bin/javac" -d "$work" "$work/Idle.java" || exit 1
"$JDK17/bin/java" -Xmx64m -XX:TieredStopAtLevel=1 -cp "$work" Idle >"$work/jvm.log" 2>&1 &
jvm=$!
for _ in $(seq 100); do grep -q ready "$work/jvm.log" && break; sleep 0.1; done
grep -q ready "$work/jvm.log" || { echo "JVM did not start"; cat "$work/jvm.log"; exit 1; }

run() { "$asprof" "$@" >"$work/out" 2>"$work/err"; }

# Alloy's start invocation.
jfr="$work/alloy.jfr"
run -f "$jfr" -o jfr -e itimer -i 10000000 --alloc 512k --lock 10ms -L INFO start --timeout 60 "$jvm"
rc=$?
want="OUTPUT start,file=$jfr,jfr,loglevel=INFO,event=itimer,interval=10000000,alloc=512k,lock=10ms,timeout=60,log=/tmp/asprof-log.[0-9]*.$jvm"
if [ $rc -eq 0 ] && grep -qx "$want" "$jfr" 2>/dev/null; then
	pass "Alloy's start arguments become async-profiler's agent string"
else
	fail "start: rc $rc, agent got: $(cat "$jfr" 2>&1)"
fi
if grep -q "^\[INFO\] agent got start,file=$jfr" "$work/err"; then
	pass "agent log relayed to stderr"
else
	fail "agent log not on stderr"
fi
if ls /tmp/asprof-log.*."$jvm" >/dev/null 2>&1; then fail "agent log left behind"; else pass "agent log removed"; fi

run stop -o jfr "$jvm"
rc=$?
if [ $rc -eq 0 ] && grep -q "^OUTPUT stop,file=/tmp/asprof\.[0-9]*\.$jvm,jfr,log=/tmp/asprof-log\.[0-9]*\.$jvm\$" "$work/out"; then
	pass "stop without -f prints the temp output file"
else
	fail "stop: rc $rc"
fi
if ls /tmp/asprof.*."$jvm" >/dev/null 2>&1; then fail "temp output left behind"; else pass "temp output removed"; fi

run -e fail start "$jvm"
if [ $? -eq 200 ]; then pass "agent command error exits 200"; else fail "agent error exit status"; fi

run -d 1 -e cpu -o collapsed "$jvm"
rc=$?
if [ $rc -eq 0 ] && grep -q "^OUTPUT stop,file=/tmp/asprof\.[0-9]*\.$jvm,collapsed,log=" "$work/out" &&
	grep -q "agent got start,quiet,file=/tmp/asprof\.[0-9]*\.$jvm,collapsed,event=cpu,log=" "$work/err"; then
	pass "collect: start, wait, stop"
else
	fail "collect: rc $rc"
fi

run --libpath "$work/missing/libasyncProfiler.so" status "$jvm"
rc=$?
if [ $rc -eq 255 ] && grep -q "was not loaded" "$work/err"; then
	pass "unloadable library exits 255 with the JVM's message"
else
	fail "missing library: rc $rc"
fi

sleep 60 &
sleeper=$!
run status "$sleeper"
rc=$?
if [ $rc -eq 1 ] && grep -q "not a HotSpot JVM" "$work/err" && kill -0 "$sleeper"; then
	pass "non-JVM refused and left alive"
else
	fail "non-JVM: rc $rc"
fi
kill "$sleeper"

run --bogus start "$jvm"
if [ $? -eq 1 ] && grep -q "Unrecognized option: --bogus" "$work/err"; then
	pass "unknown option exits 1"
else
	fail "unknown option"
fi
run version
if [ $? -eq 0 ] && grep -q "pyrojava" "$work/out"; then pass "version"; else fail "version"; fi

pj_report asprof
