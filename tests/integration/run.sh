#!/bin/sh
# `pyrojava validate` and `pyrojava run`: diagnostics with file:line:col and exit
# codes, clean shutdown on SIGTERM/SIGINT, SIGHUP reloads (a broken config keeps
# the old one running).
set -u
: "${PYROJAVA:?PYROJAVA must point at the built binary}"

dir=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	for f in "$dir"/*.out "$dir"/*.log; do
		[ -f "$f" ] && { echo "--- $f"; cat "$f"; }
	done
	exit 1
}

# Waits (up to 20 s) until file $1 contains the fixed string $2.
wait_for() {
	i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -gt 200 ] && fail "timed out waiting for '$2' in $1"
		sleep 0.1
	done
}

cat >"$dir/good.alloy" <<'EOF'
logging {
  level  = "info"
  format = "logfmt"
}
EOF

# Alloy components that pyrojava does not ship.
cat >"$dir/pipeline.alloy" <<'EOF'
discovery.kubelet "all" { }

discovery.docker "java" {
  targets = discovery.kubelet.all.targets
}
EOF

cat >"$dir/logging.alloy" <<'EOF'
logging {
  level = "verbose"
}
EOF

# validate: a good file exits 0 and prints nothing.
"$PYROJAVA" validate "$dir/good.alloy" >"$dir/validate-good.out" 2>&1 || fail "validate good config exited $?"
[ -s "$dir/validate-good.out" ] && fail "validate printed output for a good config"

# validate: a broken file lists every diagnostic in Alloy's layout and exits 1.
"$PYROJAVA" validate "$dir/pipeline.alloy" >"$dir/validate-bad.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "validate broken config exited $rc, want 1"
grep -qF "Error: $dir/pipeline.alloy:1:1: cannot find the definition of component name \"discovery.kubelet\"" \
	"$dir/validate-bad.out" || fail "missing unknown-component diagnostic"
grep -qF '1 | discovery.kubelet "all" { }' "$dir/validate-bad.out" || fail "missing source excerpt"
grep -qF '  | ^^^^^^^^^^^^^^^^^' "$dir/validate-bad.out" || fail "missing caret line"
grep -qF "Error: $dir/pipeline.alloy:3:1: cannot find the definition of component name \"discovery.docker\"" \
	"$dir/validate-bad.out" || fail "missing second diagnostic"
[ "$(tail -n 1 "$dir/validate-bad.out")" = "Error: could not perform the initial load successfully" ] ||
	fail "last line is not the initial-load error"

# Config block errors are wrapped and positioned over the whole block.
"$PYROJAVA" validate "$dir/logging.alloy" >"$dir/validate-logging.out" 2>&1 && fail "bad log level validated"
grep -qF "Error: $dir/logging.alloy:1:1: Failed to evaluate node for config block: decoding configuration: \"verbose\" unrecognized log level \"verbose\"" \
	"$dir/validate-logging.out" || fail "missing logging diagnostic"

# A directory is read as one configuration; IDs must be unique across its files.
mkdir "$dir/conf.d"
cp "$dir/good.alloy" "$dir/conf.d/a.alloy"
cp "$dir/good.alloy" "$dir/conf.d/b.alloy"
"$PYROJAVA" validate "$dir/conf.d" >"$dir/validate-dir.out" 2>&1 && fail "duplicate logging blocks validated"
grep -qF "Error: $dir/conf.d/b.alloy:1:1: block logging already declared at $dir/conf.d/a.alloy:1:1" \
	"$dir/validate-dir.out" || fail "missing duplicate-block diagnostic"

# run: a failed initial load exits non-zero with the same report.
"$PYROJAVA" run --server.http.listen-addr=127.0.0.1:0 "$dir/pipeline.alloy" >"$dir/run-bad.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] || fail "run with a broken config exited 0"
grep -qF "cannot find the definition of component name \"discovery.kubelet\"" "$dir/run-bad.out" ||
	fail "run did not print the diagnostics"

# run: SIGTERM stops cleanly with exit 0.
cp "$dir/good.alloy" "$dir/live.alloy"
"$PYROJAVA" run --server.http.listen-addr=127.0.0.1:0 "$dir/live.alloy" >"$dir/run.log" 2>&1 &
pid=$!
wait_for "$dir/run.log" 'msg="pyrojava is running"'

# The HTTP server answers for the controller (it picked a free port).
addr=$(sed -n 's/.*msg="now listening for http traffic" service=http addr=\([^ ]*\).*/\1/p' "$dir/run.log")
[ -n "$addr" ] || fail "no listen address logged"
[ "$(curl -s "http://$addr/-/ready")" = "Alloy is ready." ] || fail "/-/ready did not answer ready"
[ "$(curl -s "http://$addr/-/healthy")" = "All Alloy components are healthy." ] || fail "/-/healthy"
[ "$(curl -s "http://$addr/api/v0/web/components")" = "[]" ] || fail "components API"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/api/v0/web/components/nope.x.y")" = 404 ] ||
	fail "unknown component ID did not give 404"
curl -s "http://$addr/metrics" | grep -qF 'alloy_component_controller_running_components{' || fail "no controller metrics"

# /-/reload with a broken file answers 400 with the error and keeps the old graph.
cp "$dir/pipeline.alloy" "$dir/live.alloy"
code=$(curl -s -o "$dir/reload.out" -w '%{http_code}' "http://$addr/-/reload")
[ "$code" = 400 ] || fail "/-/reload with a broken config answered $code, want 400"
grep -qF 'cannot find the definition of component name "discovery.kubelet"' "$dir/reload.out" ||
	fail "/-/reload did not return the error"
[ "$(curl -s "http://$addr/-/ready")" = "Alloy is ready." ] || fail "not ready after a broken reload"

# SIGHUP with a broken file: the error is logged and the process keeps running.
cp "$dir/pipeline.alloy" "$dir/live.alloy"
kill -HUP "$pid"
wait_for "$dir/run.log" 'msg="failed to reload config"'
kill -0 "$pid" 2>/dev/null || fail "run exited after a broken reload"
grep -qF 'cannot find the definition of component name' "$dir/run.log" || fail "reload error not logged"

# SIGHUP with a good file again: reloaded.
cp "$dir/good.alloy" "$dir/live.alloy"
kill -HUP "$pid"
wait_for "$dir/run.log" 'msg="config reloaded"'

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" -eq 0 ] || fail "run exited $rc after SIGTERM, want 0"
grep -qF 'msg="shutting down" signal=SIGTERM' "$dir/run.log" || fail "no shutdown log line"

# SIGINT stops cleanly too.
"$PYROJAVA" run --server.http.listen-addr=127.0.0.1:0 "$dir/good.alloy" >"$dir/run-int.log" 2>&1 &
pid=$!
wait_for "$dir/run-int.log" 'msg="pyrojava is running"'
kill -INT "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" -eq 0 ] || fail "run exited $rc after SIGINT, want 0"

# The components API moves under --server.http.ui-path-prefix.
"$PYROJAVA" run --server.http.listen-addr 127.0.0.1:0 --server.http.ui-path-prefix=/ui/ "$dir/good.alloy" \
	>"$dir/run-prefix.log" 2>&1 &
pid=$!
wait_for "$dir/run-prefix.log" 'msg="pyrojava is running"'
addr=$(sed -n 's/.*msg="now listening for http traffic" service=http addr=\([^ ]*\).*/\1/p' "$dir/run-prefix.log")
[ "$(curl -s "http://$addr/ui/api/v0/web/components")" = "[]" ] || fail "components API under the prefix"
kill -TERM "$pid"
wait "$pid"
pid=

# Usage errors exit 2.
"$PYROJAVA" run a b >/dev/null 2>&1
[ $? -eq 2 ] || fail "run with two paths did not exit 2"
"$PYROJAVA" validate a b >/dev/null 2>&1
[ $? -eq 2 ] || fail "validate with two paths did not exit 2"
"$PYROJAVA" run --storage.path=x "$dir/good.alloy" >"$dir/flag.out" 2>&1
[ $? -eq 2 ] || fail "an unknown flag did not exit 2"
grep -qF 'Error: unknown flag: --storage.path=x' "$dir/flag.out" || fail "unknown flag not named"

echo "ok"
