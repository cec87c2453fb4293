# Set-up, waiting and tear-down shared by the integration scripts that run
# pyrojava and real JVMs.
# Sourced, not run: it lives in a subdirectory so tests/CMakeLists.txt's
# tests/integration/*.sh glob does not register it as a test.
#
# Knobs a script may set before calling these:
#   PJ_FAIL_TAIL  lines of each $work/*.log shown on failure (default 40)
#   PJ_WAIT_SECS  default wait_for timeout in seconds (default 30)

# Runs the calling script again ($0 "$@") as PID 1 of a private PID namespace
# with its own /proc, so discovery sees only the processes the script starts.
pj_enter_pidns() {
	[ -n "${PJ_IN_PIDNS:-}" ] && return
	exec unshare --pid --fork --mount-proc env PJ_IN_PIDNS=1 sh "$@"
}

# Sets JDK to the installed JDK 17, or exits failing.
pj_find_jdk() {
	JDK=$(ls -d /usr/lib/jvm/java-17-openjdk-* 2>/dev/null | head -n 1)
	[ -x "$JDK/bin/java" ] || { echo "FAIL: no JDK 17 under /usr/lib/jvm"; exit 1; }
}

# Sets JDK and JDK17 to the installed JDK 17 (or exits failing) and JDKS to
# it followed by Temurin 25 when that is installed: the JDKs the agent
# scripts run their workloads under.
pj_find_jdks() {
	pj_find_jdk
	JDK17=$JDK
	JDKS="$JDK17 $(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -n 1)"
}

# Sets build to the directory of $PYROJAVA and LIB to the glibc agent built
# there, or exits failing.
pj_find_agent() {
	build=$(cd "$(dirname "$PYROJAVA")" && pwd)
	LIB=$build/agent/glibc/libasyncProfiler.so
	[ -f "$LIB" ] || { echo "FAIL: agent not built at $LIB"; exit 1; }
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
	# A killed JVM leaves its attach socket behind.
	for p in $pids; do
		kill -9 "$p" 2>/dev/null
		rm -f "/tmp/.java_pid$p"
	done
	rm -rf "$work"
}

# Trap for the agent scripts, which run one JVM at a time with its PID in
# $jvm: kills it and removes the attach files it left in /tmp, then what
# pj_cleanup removes.
pj_jvm_cleanup() {
	if [ -n "${jvm:-}" ]; then
		kill -9 "$jvm" 2>/dev/null
		rm -f "/tmp/.java_pid$jvm" /tmp/asprof-log.*."$jvm" /tmp/asprof.*."$jvm"
	fi
	pj_cleanup
}

# Kills the JVM $jvm (if any), reaps it and removes its attach socket.
pj_stop_jvm() {
	[ -n "${jvm:-}" ] || return 0
	kill -9 "$jvm" 2>/dev/null
	wait "$jvm" 2>/dev/null
	rm -f "/tmp/.java_pid$jvm"
	jvm=""
}

# Waits until process $1 has used $2 more centiseconds of CPU (user +
# system), so that a sampling window holds samples however busy the machine
# is; gives up after $3 s (default 30) and returns at once when the process
# is gone.
wait_cpu() {
	start=$(awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null) || return 0
	for _ in $(seq $((${3:-30} * 10))); do
		now=$(awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null) || return 0
		[ $((now - start)) -ge "$2" ] && return 0
		sleep 0.1
	done
}

# Counting checks, for scripts that run every check and report at the end:
# after `pj_counting_fail N FILE...`, pass() prints an ok line and fail()
# prints a FAIL line followed by the first N lines of the FILEs (paths
# without spaces), counts the failure and returns; pj_report WHAT then exits
# failing if any check failed.
pass() { echo "ok   - $1"; }
pj_counting_fail() {
	failures=0
	pj_fail_lines=$1
	shift
	pj_fail_files=$*
	fail() {
		echo "FAIL - $1"
		failures=$((failures + 1))
		# shellcheck disable=SC2086 # a list of paths
		sed 's/^/     | /' $pj_fail_files 2>/dev/null | head -n "$pj_fail_lines"
	}
}
pj_report() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures $1 checks failed"
		exit 1
	fi
	echo "all $1 checks passed"
}

fail() {
	echo "FAIL: $*"
	for f in "$work"/*.log "$work"/*.out; do
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

# Waits (up to $4 s, default $PJ_WAIT_SECS) until file $1 has at least $3
# lines containing the fixed string $2.
wait_lines() {
	i=0
	while n=$(grep -cF -- "$2" "$1" 2>/dev/null); [ "${n:-0}" -lt "$3" ]; do
		i=$((i + 1))
		[ "$i" -gt $((${4:-${PJ_WAIT_SECS:-30}} * 10)) ] && fail "timed out waiting for $3 x '$2' in $1"
		sleep 0.1
	done
}

# Prints the addr= of the first log line of file $1 whose msg is $2, waiting
# for it: where a server of that pyrojava listens.
pj_log_addr() {
	wait_for "$1" "msg=\"$2\""
	sed -n "s/.*msg=\"$2\".* addr=\([^ ]*\).*/\1/p" "$1" | head -n 1
}

# Starts `pyrojava run` on config $1 with its log appended to $2, and waits
# until it serves HTTP. Sets $pj_pid to its PID (also added to $pids) and $api
# to the address of its HTTP server.
pj_run() {
	set -- "$1" "$2" 'msg="now listening for http traffic"'
	before=$(grep -cF -- "$3" "$2" 2>/dev/null)
	"$PYROJAVA" run --server.http.listen-addr=127.0.0.1:0 "$1" >>"$2" 2>&1 &
	pj_pid=$!
	pids="$pids $pj_pid"
	wait_lines "$2" "$3" $((${before:-0} + 1))
	api=$(sed -n 's/.*msg="now listening for http traffic".* addr=\([^ ]*\).*/\1/p' "$2" | tail -n 1)
}

# Prints a pyroscope.receive_http "in" on a free loopback port (its address is
# logged as msg="receiving profiles" addr=...) forwarding to receiver $1.
pj_receive_http() {
	cat <<EOT
pyroscope.receive_http "in" {
	http {
		listen_address = "127.0.0.1"
		listen_port    = 0
	}
	forward_to = [$1]
}
EOT
}

# Prints the profiling pipeline the pyroscope.java scripts share: every
# java executable (discovery refreshed each second), service_name taken from
# -Dservice=NAME on its command line, only those whose service_name matches
# the regex $1 kept, 2 s windows, profiles written as files under
# $work/out/<service_name>/. $2 is added to the pyroscope.java block.
pj_profiler_config() {
	cat <<EOT
discovery.process "local" {
	refresh_interval = "1s"
}

discovery.relabel "java" {
	targets = discovery.process.local.targets

	rule {
		source_labels = ["__meta_process_exe"]
		regex         = ".*/java"
		action        = "keep"
	}

	rule {
		source_labels = ["__meta_process_commandline"]
		regex         = ".*-Dservice=([A-Za-z0-9_-]+).*"
		target_label  = "service_name"
	}

	rule {
		source_labels = ["service_name"]
		regex         = "$1"
		action        = "keep"
	}
}

pyroscope.file "out" {
	directory = "$work/out"
}

pyroscope.java "jvms" {
	targets    = discovery.relabel.java.output
	forward_to = [pyroscope.file.out.receiver]
	${2:-}

	profiling_config {
		interval = "2s"
	}
}
EOT
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
