#!/bin/sh
# A recording made by the JDK's own Flight Recorder (settings=profile) converts:
# CPU samples of a busy Java method show up with the JDK's class/method names,
# their total equals the number of jdk.ExecutionSample events the JDK's `jfr`
# tool counts (x 10 ms at the default 100 Hz), allocation samples and park
# events land in their profiles, and a copy cut short fails with an offset.
set -eu

: "${PYROJAVA:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

for tool in java javac jfr; do
	command -v "$tool" >/dev/null || fail "$tool not found (scripts/install-deps installs openjdk-17)"
done

cat >"$tmp/Burn.java" <<'END'
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

public class Burn {
    static volatile long sink;

    static long spin(long n) {
        long acc = 0;
        for (long i = 0; i < n; i++) {
            acc += i * 31 ^ (acc >>> 3);
        }
        return acc;
    }

    static List<byte[]> allocate() {
        List<byte[]> keep = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            keep.add(new byte[1024 + i]);
        }
        return keep;
    }

    public static void main(String[] args) throws Exception {
        Thread parker = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(50_000_000L);
            }
        }, "parker");
        parker.setDaemon(true);
        parker.start();
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) {
            sink += spin(2_000_000);
            sink += allocate().size();
        }
    }
}
END

javac -d "$tmp" "$tmp/Burn.java" || fail "javac failed"
java -XX:StartFlightRecording=filename="$tmp/rec.jfr",settings=profile -cp "$tmp" Burn \
	>"$tmp/java.log" 2>&1 || fail "java failed: $(cat "$tmp/java.log")"
[ -s "$tmp/rec.jfr" ] || fail "no recording written"

"$PYROJAVA" convert --format collapsed "$tmp/rec.jfr" >"$tmp/out.txt" 2>"$tmp/err" ||
	fail "convert failed: $(cat "$tmp/err")"

# Prints the body of the profile whose header line is "# $1".
section() {
	awk -v h="# $1" '/^# / { on = ($0 == h); next } on { print }' "$tmp/out.txt"
}

section "process_cpu cpu/nanoseconds" >"$tmp/cpu.txt"
grep -q 'Burn\.spin:[0-9]' "$tmp/cpu.txt" || fail "no Burn.spin frame in the CPU profile: $(head -5 "$tmp/cpu.txt")"
grep -q '^java/lang/Thread\.run:[0-9]*;\|Burn\.main:[0-9]' "$tmp/cpu.txt" || fail "CPU stacks lack the JDK's root frames"

# Every JDK ExecutionSample is RUNNABLE with a stack: 10 ms each at 100 Hz.
samples=$(jfr summary "$tmp/rec.jfr" | awk '$1 == "jdk.ExecutionSample" { print $2 }')
[ -n "$samples" ] && [ "$samples" -gt 0 ] || fail "jfr summary shows no jdk.ExecutionSample"
total=$(awk '{ s = $NF; gsub(/[][]/, "", s); t += s } END { printf "%.0f", t }' "$tmp/cpu.txt")
[ "$total" = "$((samples * 10000000))" ] || fail "CPU total $total ns, want $samples samples x 10 ms"

section "memory alloc_sample_objects/count alloc_sample_bytes/bytes" | grep -q 'Burn\.allocate:[0-9]' ||
	fail "no Burn.allocate frame in the allocation-sample profile"
section "block contentions/count delay/nanoseconds" | grep -q 'LockSupport\.parkNanos' ||
	fail "no LockSupport.parkNanos frame in the block profile"

# A copy cut inside its last chunk: with one chunk an error naming the offset,
# with more the complete chunks convert and a warning names the cut one.
chunks=$(jfr summary "$tmp/rec.jfr" | awk '$1 == "Chunks:" { print $2 }')
size=$(wc -c <"$tmp/rec.jfr")
head -c $((size - 100)) "$tmp/rec.jfr" >"$tmp/cut.jfr"
if [ "$chunks" = 1 ]; then
	if "$PYROJAVA" convert --format collapsed "$tmp/cut.jfr" >/dev/null 2>"$tmp/cut.err"; then
		fail "a recording cut inside its only chunk converted"
	fi
	grep -q 'offset 0: incomplete chunk' "$tmp/cut.err" || fail "unexpected error: $(cat "$tmp/cut.err")"
else
	"$PYROJAVA" convert --format collapsed "$tmp/cut.jfr" >/dev/null 2>"$tmp/cut.err" ||
		fail "complete chunks of a cut recording did not convert: $(cat "$tmp/cut.err")"
	grep -q 'warning: jfr: offset [0-9]*: incomplete chunk' "$tmp/cut.err" || fail "no warning for the cut chunk"
fi
echo "ok: $chunks chunk(s), $samples CPU samples, $(grep -c . "$tmp/cpu.txt") CPU stacks"
