#!/bin/sh
# The agent's C++ demangler against GNU c++filt, over every _Z symbol defined in libjvm.so of
# JDK 17 and (when installed) Temurin 25, about 118k names, plus libstdc++'s exported ones. For
# each symbol the expectation is c++filt's text cut at the '(' balancing its last ')' (computed
# here in awk, independently of the C code). Fails on any symbol ag_demangle claims but renders
# differently (both the cut and the complete text are compared), on an unclaimed symbol whose
# output is not the symbol itself, and when fewer than 99% are claimed; the unclaimed ones are
# listed, not failed. Then one random mutant of each name (a character inserted, deleted or
# replaced, fixed seed): whatever of those it claims must equal c++filt's text as well, since
# the agent must never print a wrong name for a corrupt or unusual symbol.
set -eu
: "${PJ_TOOLS_DIR:?PJ_TOOLS_DIR must point at the test tools}"
tool="$PJ_TOOLS_DIR/demangle_names"
for cmd in nm c++filt awk; do
	command -v "$cmd" >/dev/null || { echo "FAIL: $cmd (binutils) is needed"; exit 1; }
done
libs=/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so
[ -f "$libs" ] || { echo "FAIL: $libs is missing"; exit 1; }
t25=/usr/lib/jvm/temurin-25-jdk-amd64/lib/server/libjvm.so
[ -f "$t25" ] && libs="$libs $t25"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

: >"$work/syms"
for lib in $libs; do
	nm --defined-only "$lib" | awk '$3 ~ /^_Z/ { print $3 }' | sort -u >"$work/one"
	echo "$lib: $(wc -l <"$work/one") _Z symbols"
	cat "$work/one" >>"$work/syms"
done
stdcxx=$(ls /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/*/libstdc++.so.6 2>/dev/null | head -n 1)
if [ -n "$stdcxx" ]; then
	nm -D --defined-only "$stdcxx" | awk '$3 ~ /^_Z/ { sub(/@.*/, "", $3); print $3 }' | sort -u >"$work/one"
	echo "$stdcxx: $(wc -l <"$work/one") _Z symbols"
	cat "$work/one" >>"$work/syms"
fi
c++filt <"$work/syms" >"$work/filt"
"$tool" <"$work/syms" >"$work/cut"
"$tool" -f <"$work/syms" >"$work/full"
paste "$work/syms" "$work/filt" "$work/cut" "$work/full" | awk -F '\t' '
function cut(s,    i, level, c) {
	for (i = length(s); i > 0 && substr(s, i, 1) != ")"; i--)
		;
	level = 0
	for (; i > 0; i--) {
		c = substr(s, i, 1)
		if (c == ")")
			level++
		else if (c == "(" && --level == 0)
			return substr(s, 1, i - 1)
	}
	return s
}
NF != 6 { print "FAIL: malformed line " NR ": " $0; bad++; next }
{
	total++
	if ($3 == 1) {
		claimed++
		if ($4 != cut($2)) {
			if (bad++ < 20)
				print "FAIL: " $1 "\n  expected " cut($2) "\n  got      " $4
		} else if ($6 != $2) {
			if (bad++ < 20)
				print "FAIL: " $1 " (complete text)\n  expected " $2 "\n  got      " $6
		}
	} else {
		unclaimed++
		if ($4 != $1) {
			if (bad++ < 20)
				print "FAIL: unclaimed " $1 " not returned unchanged: " $4
		} else if (unclaimed <= 20) {
			print "unclaimed: " $1 (($2 == $1) ? " (c++filt does not demangle it either)" : "")
		}
	}
}
END {
	printf "%d symbols, %d claimed (%.4f%%), %d unclaimed, %d wrong\n", total, claimed,
		total ? 100.0 * claimed / total : 0, unclaimed, bad
	if (total == 0 || bad > 0 || claimed < 0.99 * total) {
		print "FAIL"
		exit 1
	}
	print "OK"
}'

# mutants: claimed ones must match c++filt exactly (complete text)
awk 'BEGIN { srand(20261126); alpha = "_0123456789NEISTZLKVrRPOFAMDpJXlbcijmvtsUaBCde." }
{
	s = $0
	p = 3 + int(rand() * (length(s) - 2))
	c = substr(alpha, 1 + int(rand() * length(alpha)), 1)
	op = rand()
	if (op < 0.34)
		s = substr(s, 1, p - 1) c substr(s, p)
	else if (op < 0.67)
		s = substr(s, 1, p - 1) substr(s, p + 1)
	else
		s = substr(s, 1, p - 1) c substr(s, p + 1)
	print s
}' "$work/syms" | sort -u >"$work/mut"
c++filt <"$work/mut" >"$work/mutfilt"
"$tool" -f <"$work/mut" >"$work/mutfull"
paste "$work/mut" "$work/mutfilt" "$work/mutfull" | awk -F '\t' '
NF != 4 { print "FAIL: malformed mutant line " NR ": " $0; bad++; next }
{
	total++
	if ($3 == 1) {
		claimed++
		if ($4 != $2 && bad++ < 20)
			print "FAIL: mutant " $1 "\n  c++filt  " $2 "\n  got      " $4
	} else if ($4 != $1 && bad++ < 20) {
		print "FAIL: unclaimed mutant " $1 " not returned unchanged"
	}
}
END {
	printf "%d mutants, %d claimed, %d wrong\n", total, claimed, bad
	if (total == 0 || bad > 0) {
		print "FAIL"
		exit 1
	}
	print "OK"
}'
