# Set-up and tear-down shared by the integration scripts that run real JVMs.
# Sourced, not run: it lives in a subdirectory so tests/CMakeLists.txt's
# tests/integration/*.sh glob does not register it as a test.
#
# Knobs a script may set before calling these:
#   PJ_FAIL_TAIL  lines of each $work/*.log shown on failure (default 40)
#   PJ_WAIT_SECS  default wait_for timeout in seconds (default 30)

# Sets JDK to the installed JDK 17, or exits failing.
pj_find_jdk() {
	JDK=$(ls -d /usr/lib/jvm/java-17-openjdk-* 2>/dev/null | head -n 1)
	[ -x "$JDK/bin/java" ] || { echo "FAIL: no JDK 17 under /usr/lib/jvm"; exit 1; }
}

# Creates the scratch directory $work and a trap that kills every PID in
# $pids and removes $work on exit. With a name prefix $1 the directory is
# made under /var/tmp and world-readable, so that a JVM with a private /tmp
# running as another user still sees its classes.
pj_workdir() {
	if [ -n "${1:-}" ]; then
		work=$(mktemp -d -p /var/tmp "$1.XXXXXX")
		chmod 755 "$work"
	else
		work=$(mktemp -d)
	fi
	pids=
	trap pj_cleanup EXIT
}

pj_cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$work"
}

fail() {
	echo "FAIL: $*"
	for f in "$work"/*.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -n "${PJ_FAIL_TAIL:-40}" "$f"; }
	done
	exit 1
}

# Waits (up to $3 s, default $PJ_WAIT_SECS) until file $1 contains the
# fixed string $2.
wait_for() {
	i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -gt $((${3:-${PJ_WAIT_SECS:-30}} * 10)) ] && fail "timed out waiting for '$2' in $1"
		sleep 0.1
	done
}

# Waits (up to 60 s) until the glob $1 matches at least $2 files (default 1).
wait_files() {
	i=0
	while [ "$(ls $1 2>/dev/null | wc -l)" -lt "${2:-1}" ]; do
		i=$((i + 1))
		[ "$i" -gt 600 ] && fail "timed out waiting for ${2:-1} files $1"
		sleep 0.1
	done
}

# Compiles the demo workload into $work/cls.
pj_compile_demo() {
	"$JDK/bin/javac" -d "$work/cls" "$PJ_SOURCE_DIR/examples/demo/Demo.java" || fail "javac"
}

# Compiles tests/integration/lib/Ratio.java (threads calling methods of CPU
# cost 1:2:4, see the file) into directory $1.
pj_compile_ratio() {
	"$JDK/bin/javac" --release 11 -d "$1" "$PJ_SOURCE_DIR/tests/integration/lib/Ratio.java" ||
		fail "javac Ratio"
}

# Shares of Ratio.one, two and four among the CPU samples of a
# `pyrojava convert --format collapsed` output $1: prints "ok O T F" when
# each is within 5 points of 1/7, 2/7 and 4/7, "off O T F" otherwise,
# "none" without samples.
pj_ratio_shares() {
	awk '/^#/ { cpu = $2 ~ /cpu/; next }
		cpu { n = $NF; gsub(/[][]/, "", n)
			if ($0 ~ /Ratio\.one/) o += n; else if ($0 ~ /Ratio\.two/) t += n; else if ($0 ~ /Ratio\.four/) f += n }
		END { s = o + t + f; if (s == 0) { print "none"; exit }
			ok = (o/s - 1/7)^2 < 0.0025 && (t/s - 2/7)^2 < 0.0025 && (f/s - 4/7)^2 < 0.0025
			printf "%s %.3f %.3f %.3f\n", ok ? "ok" : "off", o/s, t/s, f/s }' "$1"
}
