#!/bin/sh
# Real pprof readers accept what src/profile/pprof_encode.c writes: protoc decodes
# it against our schema (tests/data/profile.proto) to exactly the expected message,
# and `go tool pprof` (offline) reads the gzipped form and shows the same samples.
set -eu

: "${PJ_SOURCE_DIR:?}" "${PJ_TOOLS_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

"$PJ_TOOLS_DIR/pprof_sample" "$tmp/s.pb"
"$PJ_TOOLS_DIR/pprof_sample" "$tmp/s.pb.gz"

# The gzipped file is the raw one compressed: gzip magic, mtime 0, same content.
[ "$(head -c 8 "$tmp/s.pb.gz" | od -An -tx1 | tr -d ' \n')" = 1f8b080000000000 ] ||
	fail "gzip header is not 1f 8b 08 00 00000000"
gzip -dc "$tmp/s.pb.gz" | cmp -s - "$tmp/s.pb" || fail "gunzipped profile differs from the raw encoding"

protoc -I "$PJ_SOURCE_DIR/tests/data" --decode=perftools.profiles.Profile profile.proto \
	<"$tmp/s.pb" >"$tmp/decoded.txt" || fail "protoc could not decode the profile"
diff -u "$PJ_SOURCE_DIR/tests/data/pprof_sample.decoded.txt" "$tmp/decoded.txt" ||
	fail "protoc decoding differs from tests/data/pprof_sample.decoded.txt"

# go tool pprof must not touch the network or the user's Go state.
export HOME="$tmp/home" GOCACHE="$tmp/gocache" GOPATH="$tmp/gopath" GOFLAGS=-mod=mod GOPROXY=off
mkdir -p "$HOME"
go tool pprof -raw "$tmp/s.pb.gz" >"$tmp/raw.txt" 2>"$tmp/raw.err" ||
	fail "go tool pprof -raw failed: $(cat "$tmp/raw.err")"
for want in 'PeriodType: cpu nanoseconds' 'Period: 10000000' 'Duration: 10s' \
	'samples/count cpu/nanoseconds[dflt]' 'thread:[worker-1]' 'bytes:[4096 bytes]' \
	'Work.helper Work.java:40' 'Main.main Main.java:5' 'GC_active :0' '[FN]'; do
	grep -qF "$want" "$tmp/raw.txt" || fail "go tool pprof -raw lacks '$want'"
done

# Fold -traces output (one block per sample, leaf first) into "root;...;leaf value".
fold_traces() {
	awk '
		/^-+\+-+$/ { if (v != "") print s " " v; v = ""; s = ""; next }
		$1 ~ /:$/ { next }
		v == "" && NF >= 2 { v = $1; s = $2; next }
		v != "" { s = $1 ";" s }
	' | LC_ALL=C sort
}
for index in samples cpu; do
	go tool pprof -traces -sample_index=$index "$tmp/s.pb.gz" 2>"$tmp/traces.err" | fold_traces >"$tmp/traces.$index" ||
		fail "go tool pprof -traces failed: $(cat "$tmp/traces.err")"
done
cat >"$tmp/want.samples" <<'END'
GC_active 1
Main.main;Work.run 1
Main.main;Work.run 3
Main.main;Work.run;Work.helper 2
END
cat >"$tmp/want.cpu" <<'END'
GC_active 10ms
Main.main;Work.run 10ms
Main.main;Work.run 30ms
Main.main;Work.run;Work.helper 20ms
END
diff -u "$tmp/want.samples" "$tmp/traces.samples" || fail "go tool pprof shows other samples (count)"
diff -u "$tmp/want.cpu" "$tmp/traces.cpu" || fail "go tool pprof shows other samples (cpu)"
echo "pprof_readers: ok"
