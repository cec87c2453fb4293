#!/bin/sh
# End to end over loopback: pyrojava A (pyroscope.receive_http -> pyroscope.write)
# pushes to pyrojava B (pyroscope.receive_http -> pyroscope.file). A profile
# posted to A must land as a file under B's directory, intact and labelled;
# /ingest of a JFR recording on A must arrive the same way.
set -u
: "${PYROJAVA:?PYROJAVA must point at the built binary}"
: "${PJ_TESTDATA_DIR:?PJ_TESTDATA_DIR must point at the shared test data}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"

. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_workdir

# The documented example is valid and formatted.
example="$PJ_SOURCE_DIR/examples/relay-and-local-files.alloy"
"$PYROJAVA" validate "$example" >"$work/example.log" 2>&1 || fail "validate $example exited $?"
"$PYROJAVA" fmt --test "$example" >>"$work/example.log" 2>&1 || fail "$example is not formatted"

recording="$PJ_TESTDATA_DIR/jfr-parser/async-profiler.jfr.gz"
"$PYROJAVA" convert -o "$work/pprof" "$recording" >"$work/convert.log" 2>&1 || fail "convert exited $?"
profile=$(ls "$work"/pprof/process_cpu.*.pb.gz 2>/dev/null | head -n 1)
[ -n "$profile" ] || fail "convert wrote no process_cpu profile"

{
	pj_receive_http pyroscope.file.store.receiver
	printf '\npyroscope.file "store" {\n  directory = "%s"\n}\n' "$work/store"
} >"$work/b.alloy"
pj_run "$work/b.alloy" "$work/b.log"
pid_b=$pj_pid
addr_b=$(pj_log_addr "$work/b.log" "receiving profiles")

{
	pj_receive_http pyroscope.write.out.receiver
	cat <<END_A

pyroscope.write "out" {
  external_labels = { relay = "a" }
  endpoint {
    url                = "http://$addr_b"
    headers            = { "X-Scope-OrgID" = "tenant-a" }
    min_backoff_period = "100ms"
    max_backoff_period = "500ms"
    max_backoff_retries = 0
    max_queue_bytes    = 4194304
  }
}
END_A
} >"$work/a.alloy"
"$PYROJAVA" validate "$work/a.alloy" >"$work/validate.log" 2>&1 || fail "validate a.alloy exited $?"
pj_run "$work/a.alloy" "$work/a.log"
pid_a=$pj_pid
api_a=$api
addr_a=$(pj_log_addr "$work/a.log" "receiving profiles")

# A push request with one series around the converted profile, encoded by protoc.
escaped=$(od -An -v -tx1 "$profile" | tr -d ' \n' | sed 's/../\\x&/g')
{
	echo 'series {'
	echo '  labels { name: "__name__" value: "process_cpu" }'
	echo '  labels { name: "__delta__" value: "false" }'
	echo '  labels { name: "service_name" value: "demo-app" }'
	echo '  labels { name: "__session_id__" value: "1234" }'
	printf '  samples { raw_profile: "%s" }\n' "$escaped"
	echo '}'
} >"$work/push.txt"
protoc --encode=push.v1.PushRequest -I "$PJ_SOURCE_DIR/tests/data" "$PJ_SOURCE_DIR/tests/data/push.proto" \
	<"$work/push.txt" >"$work/push.bin" 2>"$work/protoc.log" || fail "protoc --encode failed"

status=$(curl -s -o "$work/resp.out" -w '%{http_code}' -H 'Content-Type: application/proto' \
	--data-binary "@$work/push.bin" "http://$addr_a/push.v1.PusherService/Push")
[ "$status" = 200 ] || fail "push to A answered $status: $(cat "$work/resp.out")"

wait_files "$work/store/demo-app/process_cpu/*.pb.gz"
stored=$(ls "$work"/store/demo-app/process_cpu/*.pb.gz | head -n 1)
case "$stored" in
*-cpu.pb.gz) ;;
*) fail "unexpected file name $stored" ;;
esac
gzip -dc "$stored" >"$work/stored.pb" || fail "stored profile is not gzip"
gzip -dc "$profile" >"$work/sent.pb" || fail "converted profile is not gzip"
cmp -s "$work/stored.pb" "$work/sent.pb" || fail "stored profile differs from the posted one"
labels="${stored%.pb.gz}.labels.json"
for want in '"service_name":"demo-app"' '"relay":"a"' '"__name__":"process_cpu"' '"__delta__":"false"' \
	'"app_name":"process_cpu"'; do
	grep -qF "$want" "$labels" || fail "labels lack $want: $(cat "$labels")"
done
grep -qF '__session_id__' "$labels" && fail "__session_id__ was not dropped: $(cat "$labels")"

# The legacy ingest API with a JFR body: the recording's profiles arrive per type.
gzip -dc "$recording" >"$work/rec.jfr"
status=$(curl -s -o "$work/ingest.out" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
	--data-binary "@$work/rec.jfr" \
	"http://$addr_a/ingest?name=ingested.app%7Benv%3Dci%7D&format=jfr&spyName=javaspy&sampleRate=100")
[ "$status" = 200 ] || fail "ingest to A answered $status: $(cat "$work/ingest.out")"
wait_files "$work/store/ingested.app/process_cpu/*.labels.json"
labels=$(ls "$work"/store/ingested.app/process_cpu/*.labels.json | head -n 1)
for want in '"env":"ci"' '"pyroscope_spy":"javaspy"' '"jfr_event":'; do
	grep -qF "$want" "$labels" || fail "ingested labels lack $want: $(cat "$labels")"
done

# B goes down for 20 s: what A receives meanwhile waits in its queue (well
# within max_queue_bytes) while A keeps retrying, and all of it arrives once B
# is back; nothing is dropped.
kill -TERM "$pid_b"
wait "$pid_b" || fail "B exited $? on SIGTERM"
for n in 1 2 3; do
	sed "s/demo-app/outage-$n/" "$work/push.txt" >"$work/outage.txt"
	protoc --encode=push.v1.PushRequest -I "$PJ_SOURCE_DIR/tests/data" "$PJ_SOURCE_DIR/tests/data/push.proto" \
		<"$work/outage.txt" >"$work/outage.bin" 2>>"$work/protoc.log" || fail "protoc --encode failed"
	status=$(curl -s -o "$work/resp.out" -w '%{http_code}' -H 'Content-Type: application/proto' \
		--data-binary "@$work/outage.bin" "http://$addr_a/push.v1.PusherService/Push")
	[ "$status" = 200 ] || fail "push to A during the outage answered $status"
done
sleep 20
a_metrics() {
	curl -sf "http://$api_a/metrics" | sed -n "s/^$1{[^}]*} //p" | head -n 1
}
retries=$(a_metrics pyroscope_write_retries_total)
[ "${retries:-0}" -gt 0 ] || fail "A did not retry while B was down (retries: '$retries')"
sed "s/listen_port    = 0/listen_port    = ${addr_b##*:}/" "$work/b.alloy" >"$work/b2.alloy"
pj_run "$work/b2.alloy" "$work/b2.log"
pid_b=$pj_pid
for n in 1 2 3; do
	wait_files "$work/store/outage-$n/process_cpu/*.pb.gz"
done
dropped=$(a_metrics pyroscope_write_dropped_profiles_total)
[ "${dropped:-0}" = 0 ] || fail "A dropped $dropped profiles during the outage"

# Bad requests get clear answers.
status=$(curl -s -o "$work/bad.out" -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary 'x' \
	"http://$addr_a/push.v1.PusherService/Push")
[ "$status" = 415 ] || fail "wrong content type answered $status"

kill -TERM "$pid_a" "$pid_b"
wait "$pid_a" || fail "A exited $? on SIGTERM"
wait "$pid_b" || fail "B exited $? on SIGTERM"
echo "ok"
