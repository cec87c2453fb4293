#!/bin/sh
# `pyrojava validate` and `pyrojava run`: diagnostics with file:line:col and exit
# codes, clean shutdown on SIGTERM/SIGINT, SIGHUP reloads (a broken config keeps
# the old one running).
set -u
: "${PYROJAVA:?PYROJAVA must point at the built binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"

. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_workdir

cat >"$work/good.alloy" <<'EOF'
logging {
  level  = "info"
  format = "logfmt"
}
EOF

# Alloy components that pyrojava does not ship.
cat >"$work/pipeline.alloy" <<'EOF'
discovery.kubelet "all" { }

discovery.docker "java" {
  targets = discovery.kubelet.all.targets
}
EOF

cat >"$work/logging.alloy" <<'EOF'
logging {
  level = "verbose"
}
EOF

# validate: a good file exits 0 and prints nothing.
"$PYROJAVA" validate "$work/good.alloy" >"$work/validate-good.out" 2>&1 || fail "validate good config exited $?"
[ -s "$work/validate-good.out" ] && fail "validate printed output for a good config"

# validate: a broken file lists every diagnostic in Alloy's layout and exits 1.
"$PYROJAVA" validate "$work/pipeline.alloy" >"$work/validate-bad.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "validate broken config exited $rc, want 1"
grep -qF "Error: $work/pipeline.alloy:1:1: cannot find the definition of component name \"discovery.kubelet\"" \
	"$work/validate-bad.out" || fail "missing unknown-component diagnostic"
grep -qF '1 | discovery.kubelet "all" { }' "$work/validate-bad.out" || fail "missing source excerpt"
grep -qF '  | ^^^^^^^^^^^^^^^^^' "$work/validate-bad.out" || fail "missing caret line"
grep -qF "Error: $work/pipeline.alloy:3:1: cannot find the definition of component name \"discovery.docker\"" \
	"$work/validate-bad.out" || fail "missing second diagnostic"
[ "$(tail -n 1 "$work/validate-bad.out")" = "Error: could not perform the initial load successfully" ] ||
	fail "last line is not the initial-load error"

# Config block errors are wrapped and positioned over the whole block.
"$PYROJAVA" validate "$work/logging.alloy" >"$work/validate-logging.out" 2>&1 && fail "bad log level validated"
grep -qF "Error: $work/logging.alloy:1:1: Failed to evaluate node for config block: decoding configuration: \"verbose\" unrecognized log level \"verbose\"" \
	"$work/validate-logging.out" || fail "missing logging diagnostic"

# A directory is read as one configuration; IDs must be unique across its files.
mkdir "$work/conf.d"
cp "$work/good.alloy" "$work/conf.d/a.alloy"
cp "$work/good.alloy" "$work/conf.d/b.alloy"
"$PYROJAVA" validate "$work/conf.d" >"$work/validate-dir.out" 2>&1 && fail "duplicate logging blocks validated"
grep -qF "Error: $work/conf.d/b.alloy:1:1: block logging already declared at $work/conf.d/a.alloy:1:1" \
	"$work/validate-dir.out" || fail "missing duplicate-block diagnostic"

# run: a failed initial load exits non-zero with the same report.
"$PYROJAVA" run --server.http.listen-addr=127.0.0.1:0 "$work/pipeline.alloy" >"$work/run-bad.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] || fail "run with a broken config exited 0"
grep -qF "cannot find the definition of component name \"discovery.kubelet\"" "$work/run-bad.out" ||
	fail "run did not print the diagnostics"

# run: SIGTERM stops cleanly with exit 0.
cp "$work/good.alloy" "$work/live.alloy"
"$PYROJAVA" run --server.http.listen-addr=127.0.0.1:0 "$work/live.alloy" >"$work/run.log" 2>&1 &
pid=$!
pids="$pids $pid"
wait_for "$work/run.log" 'msg="pyrojava is running"'

# The HTTP server answers for the controller (it picked a free port).
addr=$(sed -n 's/.*msg="now listening for http traffic" service=http addr=\([^ ]*\).*/\1/p' "$work/run.log")
[ -n "$addr" ] || fail "no listen address logged"
[ "$(curl -s "http://$addr/-/ready")" = "Alloy is ready." ] || fail "/-/ready did not answer ready"
[ "$(curl -s "http://$addr/-/healthy")" = "All Alloy components are healthy." ] || fail "/-/healthy"
[ "$(curl -s "http://$addr/api/v0/web/components")" = "[]" ] || fail "components API"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/api/v0/web/components/nope.x.y")" = 404 ] ||
	fail "unknown component ID did not give 404"
curl -s "http://$addr/metrics" | grep -qF 'alloy_component_controller_running_components{' || fail "no controller metrics"

# /-/reload with a broken file answers 400 with the error and keeps the old graph.
cp "$work/pipeline.alloy" "$work/live.alloy"
code=$(curl -s -o "$work/reload.out" -w '%{http_code}' "http://$addr/-/reload")
[ "$code" = 400 ] || fail "/-/reload with a broken config answered $code, want 400"
grep -qF 'cannot find the definition of component name "discovery.kubelet"' "$work/reload.out" ||
	fail "/-/reload did not return the error"
[ "$(curl -s "http://$addr/-/ready")" = "Alloy is ready." ] || fail "not ready after a broken reload"

# SIGHUP with a broken file: the error is logged and the process keeps running.
cp "$work/pipeline.alloy" "$work/live.alloy"
kill -HUP "$pid"
wait_for "$work/run.log" 'msg="failed to reload config"'
kill -0 "$pid" 2>/dev/null || fail "run exited after a broken reload"
grep -qF 'cannot find the definition of component name' "$work/run.log" || fail "reload error not logged"

# SIGHUP with a good file again: reloaded.
cp "$work/good.alloy" "$work/live.alloy"
kill -HUP "$pid"
wait_for "$work/run.log" 'msg="config reloaded"'

kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "run exited $rc after SIGTERM, want 0"
grep -qF 'msg="shutting down" signal=SIGTERM' "$work/run.log" || fail "no shutdown log line"

# SIGINT stops cleanly too.
"$PYROJAVA" run --server.http.listen-addr=127.0.0.1:0 "$work/good.alloy" >"$work/run-int.log" 2>&1 &
pid=$!
pids="$pids $pid"
wait_for "$work/run-int.log" 'msg="pyrojava is running"'
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "run exited $rc after SIGINT, want 0"

# The components API moves under --server.http.ui-path-prefix.
"$PYROJAVA" run --server.http.listen-addr 127.0.0.1:0 --server.http.ui-path-prefix=/ui/ "$work/good.alloy" \
	>"$work/run-prefix.log" 2>&1 &
pid=$!
pids="$pids $pid"
wait_for "$work/run-prefix.log" 'msg="pyrojava is running"'
addr=$(sed -n 's/.*msg="now listening for http traffic" service=http addr=\([^ ]*\).*/\1/p' "$work/run-prefix.log")
[ "$(curl -s "http://$addr/ui/api/v0/web/components")" = "[]" ] || fail "components API under the prefix"
kill -TERM "$pid"
wait "$pid"

# Usage errors exit 2.
"$PYROJAVA" run a b >/dev/null 2>&1
[ $? -eq 2 ] || fail "run with two paths did not exit 2"
"$PYROJAVA" validate a b >/dev/null 2>&1
[ $? -eq 2 ] || fail "validate with two paths did not exit 2"
"$PYROJAVA" run --storage.path=x "$work/good.alloy" >"$work/flag.out" 2>&1
[ $? -eq 2 ] || fail "an unknown flag did not exit 2"
grep -qF 'Error: unknown flag: --storage.path=x' "$work/flag.out" || fail "unknown flag not named"

echo "ok"
