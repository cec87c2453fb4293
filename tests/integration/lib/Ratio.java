import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ThreadLocalRandom;

/*
 * CPU workload of the agent's accuracy tests (issue 6): threads busy-0 ..
 * busy-(N-1) each call one(), two() and four(), whose CPU costs are 1:2:4,
 * in rounds of random length so the sampling cannot lock onto the loop's
 * period (run with -XX:CompileCommand=dontinline,Ratio::* to keep the
 * methods apart in the stacks).
 *
 *   java Ratio MILLIS [THREADS [MIN_CPU_MILLIS]]
 *
 * Each thread runs MILLIS of wall time, and on a busy machine longer (at
 * most 4 x MILLIS) until it has had MIN_CPU_MILLIS of CPU, so the samples
 * are enough to judge. At the end each prints its own measurements:
 *   thread busy-0 cpu_ns <its CPU time> wall_ns <its lifetime>
 */
public class Ratio {
    static volatile long sink;
    static long spin(long n) { long x = 0; for (long i = 0; i < n; i++) x += i * 31L ^ (x >>> 3); return x; }
    static void one(int k) { sink += spin(10_000L * k); }
    static void two(int k) { sink += spin(20_000L * k); }
    static void four(int k) { sink += spin(40_000L * k); }

    public static void main(String[] a) throws Exception {
        long millis = Long.parseLong(a[0]);
        int threads = a.length > 1 ? Integer.parseInt(a[1]) : 1;
        long minCpu = a.length > 2 ? Long.parseLong(a[2]) * 1_000_000L : 0;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        String[] lines = new String[threads];
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            int id = i;
            ts[i] = new Thread(() -> {
                long start = System.nanoTime();
                long end = start + millis * 1_000_000L, limit = start + 4 * millis * 1_000_000L;
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (;;) {
                    long now = System.nanoTime();
                    if (now >= limit || (now >= end && mx.getCurrentThreadCpuTime() >= minCpu))
                        break;
                    int k = 1 + r.nextInt(20);
                    one(k);
                    two(k);
                    four(k);
                }
                long wall = System.nanoTime() - start;
                lines[id] = "thread " + Thread.currentThread().getName() + " cpu_ns "
                    + mx.getCurrentThreadCpuTime() + " wall_ns " + wall;
            }, "busy-" + i);
        }
        for (Thread t : ts) t.start();
        for (Thread t : ts) t.join();
        for (String l : lines) System.out.println(l);
    }
}
