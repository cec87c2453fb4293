#!/bin/sh
# fmt: every shipped configuration is already formatted (fmt --test passes and
# formatting it again changes nothing), and fmt's failures behave as
# documented: positions on parse errors, flag conflicts, non-zero exit.
set -u
: "${PYROJAVA:?PYROJAVA must point at the built binary}"
: "${PJ_SOURCE_DIR:?}"
cd "$PJ_SOURCE_DIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

files=$(find examples tests/data -name '*.alloy' -type f | sort)
[ -n "$files" ] || fail "no .alloy files found under examples/ and tests/data/"
for f in $files; do
	if ! "$PYROJAVA" fmt --test "$f"; then
		fail "$f is not formatted"
		continue
	fi
	"$PYROJAVA" fmt "$f" >"$work/once" || fail "fmt $f failed"
	"$PYROJAVA" fmt - <"$work/once" >"$work/twice" || fail "fmt - on formatted $f failed"
	cmp -s "$f" "$work/once" || fail "fmt $f changed it"
	cmp -s "$work/once" "$work/twice" || fail "fmt is not a fixed point on $f"
done

# A broken file: every error as file:line:col, then the summary, exit 1.
printf 'a = [1 2]\nb {\n\tc = \n}\n' >"$work/broken.alloy"
if "$PYROJAVA" fmt "$work/broken.alloy" >"$work/out" 2>"$work/err"; then
	fail "fmt accepted a broken file"
fi
cat >"$work/want" <<EOT
$work/broken.alloy:1:8: missing ',' in expression list
$work/broken.alloy:4:1: expected expression, got }
Error: encountered errors during formatting
EOT
cmp -s "$work/err" "$work/want" || { fail "unexpected error output:"; cat "$work/err" >&2; }
[ -s "$work/out" ] && fail "fmt wrote output for a broken file"

# Standard input is named <stdin> in messages.
printf 'x = \n' | "$PYROJAVA" fmt 2>"$work/err" >/dev/null && fail "fmt accepted broken stdin"
grep -q '^<stdin>:2:1: expected expression, got EOF$' "$work/err" || fail "stdin position missing"

# --test on an unformatted file names it and fails; -w rewrites it in place.
printf 'x=1\n' >"$work/messy.alloy"
"$PYROJAVA" fmt -t "$work/messy.alloy" 2>"$work/err" && fail "--test passed an unformatted file"
grep -q "^Error: file $work/messy.alloy is not formatted correctly$" "$work/err" || fail "--test message"
"$PYROJAVA" fmt -w "$work/messy.alloy" || fail "-w failed"
[ "$(cat "$work/messy.alloy")" = "x = 1" ] || fail "-w did not rewrite the file"
"$PYROJAVA" fmt --test "$work/messy.alloy" || fail "file not formatted after -w"

# Flag conflicts and bad arguments.
"$PYROJAVA" fmt -w -t "$work/messy.alloy" 2>"$work/err" && fail "-w -t accepted"
grep -q '^Error: cannot use -w/--write and -t/--test at the same time$' "$work/err" || fail "-w -t message"
"$PYROJAVA" fmt -w - </dev/null 2>"$work/err" && fail "-w with stdin accepted"
grep -q '^Error: cannot use -w with standard input$' "$work/err" || fail "-w stdin message"
"$PYROJAVA" fmt "$work" 2>"$work/err" && fail "directory accepted"
grep -q '^Error: cannot format a directory$' "$work/err" || fail "directory message"
"$PYROJAVA" fmt "$work/missing.alloy" 2>"$work/err" && fail "missing file accepted"
grep -q "^Error: stat $work/missing.alloy: no such file or directory$" "$work/err" || fail "missing file message"

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "fmt: all checks passed"
