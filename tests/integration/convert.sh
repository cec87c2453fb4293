#!/bin/sh
# `pyrojava convert` end to end on a shared recording: collapsed output equals
# Grafana jfr-parser's expected files, pprof output has the documented names
# and real readers (protoc, go tool pprof) agree on its samples, options change
# what they should, and bad input fails with a clear message and non-zero exit.
set -eu

: "${PYROJAVA:?}" "${PJ_SOURCE_DIR:?}" "${PJ_TESTDATA_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data="$PJ_TESTDATA_DIR/jfr-parser"
rec="$data/async-profiler.jfr.gz"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Prints the body of the profile whose header line is "# $1" from collapsed output on stdin.
section() {
	awk -v h="# $1" '
		/^# / { on = ($0 == h); next }
		on { if (n++) printf "\n"; printf "%s", $0 }
	'
}

# Sums the bracketed values of collapsed lines: "v1 v2".
sums() {
	awk '{ s = $0; sub(/.*\[/, "", s); sub(/\]$/, "", s); n = split(s, v, " ");
		for (i = 1; i <= n; i++) t[i] += v[i] }
		END { printf "%d %d\n", t[1], t[2] }'
}

# --- collapsed text matches the jfr-parser golden files ---
"$PYROJAVA" convert --format collapsed "$rec" >"$tmp/all.txt" 2>"$tmp/err" || fail "convert failed: $(cat "$tmp/err")"
grep '^# ' "$tmp/all.txt" >"$tmp/headers"
cat >"$tmp/want_headers" <<'END'
# memory alloc_in_new_tlab_objects/count alloc_in_new_tlab_bytes/bytes
# memory alloc_outside_tlab_objects/count alloc_outside_tlab_bytes/bytes
# process_cpu cpu/nanoseconds
END
diff -u "$tmp/want_headers" "$tmp/headers" || fail "unexpected profile headers"
check_golden() { # header, expected file suffix
	section "$1" <"$tmp/all.txt" >"$tmp/got"
	gzip -dc "$data/async-profiler_$2_expected_collapsed.txt.gz" >"$tmp/want"
	cmp -s "$tmp/want" "$tmp/got" || fail "collapsed '$1' differs from async-profiler_$2 expected"
}
check_golden "memory alloc_in_new_tlab_objects/count alloc_in_new_tlab_bytes/bytes" \
	"0_memory_alloc_in_new_tlab_objects__count alloc_in_new_tlab_bytes__bytes"
check_golden "memory alloc_outside_tlab_objects/count alloc_outside_tlab_bytes/bytes" \
	"1_memory_alloc_outside_tlab_objects__count alloc_outside_tlab_bytes__bytes"
check_golden "process_cpu cpu/nanoseconds" "2_process_cpu_cpu__nanoseconds"

# An uncompressed recording is recognised by its content, not its name.
gzip -dc "$rec" >"$tmp/plain.jfr.gz"
"$PYROJAVA" convert --format collapsed "$tmp/plain.jfr.gz" >"$tmp/plain.txt" || fail "uncompressed input rejected"
cmp -s "$tmp/all.txt" "$tmp/plain.txt" || fail "uncompressed input converts differently"

# --- options ---
cpu_sum=$(section "process_cpu cpu/nanoseconds" <"$tmp/all.txt" | sums)
"$PYROJAVA" convert --format=collapsed --sample-rate 1000 "$rec" | section "process_cpu cpu/nanoseconds" | sums >"$tmp/rate"
[ "$(cat "$tmp/rate")" = "$((${cpu_sum% *} / 10)) 0" ] || fail "--sample-rate 1000 gives $(cat "$tmp/rate"), want a tenth of $cpu_sum"
"$PYROJAVA" convert --format collapsed --per-thread "$rec" | section "process_cpu cpu/nanoseconds" >"$tmp/threads"
[ "$(sums <"$tmp/threads")" = "$cpu_sum" ] || fail "--per-thread changed the cpu total"
cmp -s "$tmp/threads" "$tmp/got" && fail "--per-thread did not change the stacks"

# --- pprof files ---
"$PYROJAVA" convert -o "$tmp/out" "$rec" >"$tmp/written" || fail "pprof conversion failed"
(cd "$tmp/out" && ls) >"$tmp/names"
cat >"$tmp/want_names" <<'END'
memory.alloc_in_new_tlab_objects.pb.gz
memory.alloc_outside_tlab_objects.pb.gz
process_cpu.cpu.pb.gz
END
diff -u "$tmp/want_names" "$tmp/names" || fail "unexpected pprof file names"
[ "$(wc -l <"$tmp/written")" -eq 3 ] || fail "convert should print the 3 paths it wrote"

export HOME="$tmp/home" GOCACHE="$tmp/gocache" GOPATH="$tmp/gopath" GOFLAGS=-mod=mod GOPROXY=off
mkdir -p "$HOME"
for f in "$tmp"/out/*.pb.gz; do
	gzip -dc "$f" | protoc -I "$PJ_SOURCE_DIR/tests/data" --decode=perftools.profiles.Profile profile.proto \
		>"$tmp/decoded" || fail "protoc cannot decode $(basename "$f")"
	grep -q '^string_table: ""$' "$tmp/decoded" || fail "$(basename "$f"): string table lacks \"\" first"
	grep -q '^sample {' "$tmp/decoded" || fail "$(basename "$f"): no samples"
done
# go tool pprof sees the same totals as the golden collapsed text.
go tool pprof -raw "$tmp/out/process_cpu.cpu.pb.gz" >"$tmp/raw" 2>"$tmp/raw.err" ||
	fail "go tool pprof cannot read process_cpu.cpu.pb.gz: $(cat "$tmp/raw.err")"
grep -qx 'cpu/nanoseconds' "$tmp/raw" || fail "go tool pprof shows no cpu/nanoseconds sample type"
# -raw lists samples as "v1 [v2]: location ids" between "Samples:" and "Locations".
raw_sum=$(awk '/^Locations/{ s = 0 } s && /^ +-?[0-9]+: /{ t += $1 } /^Samples:/{ s = 1 }
	END { printf "%d 0\n", t }' "$tmp/raw")
[ "$raw_sum" = "$cpu_sum" ] || fail "go tool pprof total $raw_sum, collapsed total $cpu_sum"
go tool pprof -raw "$tmp/out/memory.alloc_in_new_tlab_objects.pb.gz" >"$tmp/raw" 2>&1 ||
	fail "go tool pprof cannot read the memory profile"
mem_raw=$(awk '/^Locations/{ s = 0 } s && /^ +-?[0-9]+ +-?[0-9]+: /{ a += $1; b += $2 } /^Samples:/{ s = 1 }
	END { printf "%d %d\n", a, b }' "$tmp/raw")
mem_sum=$(section "memory alloc_in_new_tlab_objects/count alloc_in_new_tlab_bytes/bytes" <"$tmp/all.txt" | sums)
[ "$mem_raw" = "$mem_sum" ] || fail "go tool pprof memory totals $mem_raw, collapsed $mem_sum"

# --- errors: message on stderr naming the problem, non-zero exit ---
expect_error() { # pattern, args...
	pattern=$1
	shift
	if "$PYROJAVA" convert "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"; then
		fail "convert $* succeeded"
	fi
	grep -q "$pattern" "$tmp/err.txt" || fail "convert $*: stderr lacks '$pattern': $(cat "$tmp/err.txt")"
	[ ! -s "$tmp/out.txt" ] || fail "convert $*: wrote to stdout on error"
}
expect_error "cannot read $tmp/missing.jfr: No such file or directory" "$tmp/missing.jfr"
printf 'this is not a flight recording\n' >"$tmp/garbage.jfr"
expect_error "$tmp/garbage.jfr: jfr:" --format collapsed "$tmp/garbage.jfr"
printf '\037\213garbage' >"$tmp/garbage.jfr.gz"
expect_error "$tmp/garbage.jfr.gz: gzip:" "$tmp/garbage.jfr.gz"
head -c 1000 "$rec" >"$tmp/truncated.jfr.gz"
expect_error "gzip: truncated input" "$tmp/truncated.jfr.gz"
expect_error "format must be pprof or collapsed" --format xml "$rec"
expect_error "sample-rate needs a whole number" --sample-rate 0 "$rec"
expect_error "missing RECORDING.jfr" --format collapsed
expect_error "unknown option" --bogus "$rec"
expect_error "only applies to --format pprof" --format collapsed -o "$tmp/x" "$rec"
echo "convert: ok"
