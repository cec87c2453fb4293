// A small workload for `make demo` and the pyroscope.java integration tests:
// a CPU-heavy method, an allocation-heavy method and two threads contending
// for one monitor, so every profile type has something to show.
//
//   java -Dservice=demo -cp <dir> Demo [seconds]
public final class Demo {
    private static final Object LOCK = new Object();
    private static volatile long sink;
    // Keeps recent allocations reachable so the JIT cannot optimise them away.
    private static final byte[][] KEEP = new byte[256][];

    static long burnCpu(long n) {
        long acc = 0;
        for (long i = 0; i < n; i++) {
            acc += (i * 31) ^ (acc >>> 3);
        }
        return acc;
    }

    static int allocate(int n) {
        int total = 0;
        for (int i = 0; i < n; i++) {
            byte[] chunk = new byte[1024 + (i & 1023)];
            KEEP[i & 255] = chunk;
            total += chunk.length;
        }
        return total;
    }

    static void contend() {
        synchronized (LOCK) {
            sink += burnCpu(200_000);
        }
    }

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 86_400;
        long end = System.currentTimeMillis() + seconds * 1000;
        Runnable locker = () -> {
            while (System.currentTimeMillis() < end) {
                contend();
            }
        };
        Thread a = new Thread(locker, "demo-lock-a");
        Thread b = new Thread(locker, "demo-lock-b");
        a.setDaemon(true);
        b.setDaemon(true);
        a.start();
        b.start();
        System.out.println("demo workload running");
        while (System.currentTimeMillis() < end) {
            sink += burnCpu(2_000_000);
            sink += allocate(2_000);
        }
    }
}
