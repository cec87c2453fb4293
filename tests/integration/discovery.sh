#!/bin/sh
# discovery.process and discovery.relabel against real processes: a JVM started
# here is discovered with its exe, cwd, command line and uid, survives the
# example's `keep` rule on __meta_process_exe and gets its service_name; a
# `sleep` is discovered but dropped. Checked through `pyrojava targets`
# (JSON and table) and through the components API of `pyrojava run`.
set -u
: "${PYROJAVA:?PYROJAVA must point at the pyrojava binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"

JDK17=$(ls -d /usr/lib/jvm/java-17-openjdk-* 2>/dev/null | head -n 1)
[ -n "$JDK17" ] || { echo "JDK 17 not found under /usr/lib/jvm"; exit 1; }
example="$PJ_SOURCE_DIR/examples/discovery-only.alloy"

work=$(mktemp -d) || exit 1
pids=""
cleanup() {
	for p in $pids; do
		kill -9 "$p" 2>/dev/null
		rm -f "/tmp/.java_pid$p"
	done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

failures=0
pass() { echo "ok   - $1"; }
fail() { echo "FAIL - $1"; failures=$((failures + 1)); }

# Waits (up to 30 s) for a file to exist, or for a file to contain a fixed string.
wait_for() {
	i=0
	while if [ $# -eq 1 ]; then [ ! -e "$1" ]; else ! grep -qF -- "$2" "$1" 2>/dev/null; fi; do
		i=$((i + 1))
		[ "$i" -gt 300 ] && { echo "timed out waiting for $*"; exit 1; }
		sleep 0.1
	done
}

# The JVM creates a marker once main runs: HotSpot changes its cwd for a moment while starting.
cat >"$work/Idle.java" <<'EOF'
import java.nio.file.Files;
import java.nio.file.Paths;

public class Idle {
    public static void main(String[] args) throws Exception {
        Files.createFile(Paths.get(args[0]));
        Thread.sleep(600_000);
    }
}
EOF
"$JDK17/bin/javac" -d "$work" "$work/Idle.java" || exit 1
mkdir "$work/app"
(cd "$work/app" && exec "$JDK17/bin/java" -Dservice=disco-test -cp "$work" Idle "$work/ready") &
jpid=$!
pids="$pids $jpid"
(cd "$work/app" && exec sleep 600) &
spid=$!
pids="$pids $spid"
wait_for "$work/ready"

# Checks a JSON file with a Python expression over `stages` (the targets output).
check_targets() {
	python3 - "$1" "$jpid" "$spid" "$JDK17" "$work" <<'EOF'
import json, os, sys
path, jpid, spid, jdk, work = sys.argv[1:]
stages = {s["component"]: s for s in json.load(open(path))}
procs = stages["discovery.process.local"]["targets"]
kept = stages["discovery.relabel.java"]["targets"]
def one(targets, pid):
    found = [t for t in targets if t.get("__process_pid__") == pid]
    return found[0] if len(found) == 1 else None
errors = []
j = one(procs, jpid)
if j is None:
    errors.append("JVM %s not in discovery.process output" % jpid)
else:
    want = {
        "__meta_process_exe": os.path.realpath(jdk + "/bin/java"),
        "__meta_process_cwd": os.path.realpath(work + "/app"),
        "__meta_process_commandline": "%s/bin/java -Dservice=disco-test -cp %s Idle %s/ready" % (jdk, work, work),
        "__meta_process_uid": str(os.getuid()),
    }
    for k, v in want.items():
        if j.get(k) != v:
            errors.append("JVM %s = %r, want %r" % (k, j.get(k), v))
s = one(procs, spid)
if s is None or not s.get("__meta_process_exe", "").endswith("/sleep"):
    errors.append("sleep %s not discovered with its exe: %r" % (spid, s))
k = one(kept, jpid)
if k is None or k.get("service_name") != "disco-test":
    errors.append("JVM not kept by discovery.relabel with service_name: %r" % (k,))
if one(kept, spid) is not None:
    errors.append("sleep survived the keep rule")
if stages["discovery.relabel.java"].get("input_targets") != len(procs):
    errors.append("input_targets does not count discovery.process's targets")
if errors:
    print("\n".join(errors))
sys.exit(1 if errors else 0)
EOF
}

"$PYROJAVA" validate "$example" >"$work/validate.out" 2>&1 && pass "validate $example" ||
	{ fail "validate $example"; cat "$work/validate.out"; }

if "$PYROJAVA" targets --json "$example" >"$work/targets.json" 2>"$work/targets.err"; then
	check_targets "$work/targets.json" && pass "targets --json: JVM found and kept, sleep dropped" ||
		fail "targets --json"
else
	fail "targets --json exited non-zero"
	cat "$work/targets.err"
fi

# The table: one section per component, the JVM's row under discovery.relabel.
"$PYROJAVA" targets "$example" >"$work/targets.txt" 2>/dev/null
if sed -n '/^discovery.relabel.java.output: [0-9]* of [0-9]* targets$/,$p' "$work/targets.txt" |
	grep -q "^$jpid .*disco-test"; then
	pass "targets table lists the JVM under discovery.relabel.java.output"
else
	fail "targets table"
	head -c 2000 "$work/targets.txt"
fi

# A non-positive refresh_interval is refused with a position, not a crash.
printf 'discovery.process "p" {\n  refresh_interval = "0s"\n}\n' >"$work/zero.alloy"
"$PYROJAVA" targets "$work/zero.alloy" >"$work/zero.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -qF "zero.alloy:2:22: \"0s\" must be a positive duration (refresh_interval)" "$work/zero.out"; then
	pass "refresh_interval = \"0s\" refused"
else
	fail "refresh_interval = \"0s\": exit $rc"
	cat "$work/zero.out"
fi

# pyrojava run serves the same targets in the components API.
"$PYROJAVA" run --server.http.listen-addr=127.0.0.1:0 "$example" >"$work/run.log" 2>&1 &
rpid=$!
pids="$pids $rpid"
wait_for "$work/run.log" 'msg="pyrojava is running"'
addr=$(sed -n 's/.*msg="now listening for http traffic" service=http addr=\([^ ]*\).*/\1/p' "$work/run.log")
curl -s "http://$addr/api/v0/web/components/discovery.relabel.java" >"$work/api.json"
if python3 - "$work/api.json" "$jpid" "$spid" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
out = [e for e in doc["exports"] if e["name"] == "output"][0]["value"]["value"]
targets = [{f["key"]: f["value"]["value"] for f in t["value"]} for t in out]
pids = {t.get("__process_pid__"): t for t in targets}
ok = sys.argv[2] in pids and pids[sys.argv[2]].get("service_name") == "disco-test" and sys.argv[3] not in pids
rules = [e for e in doc["exports"] if e["name"] == "rules"][0]["value"]
sys.exit(0 if ok and rules["type"] == "capsule" else 1)
EOF
then
	pass "run: components API exports the JVM in discovery.relabel.java output"
else
	fail "run: components API"
	head -c 2000 "$work/api.json"
fi
kill -TERM "$rpid"
wait "$rpid" 2>/dev/null

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all discovery checks passed"
