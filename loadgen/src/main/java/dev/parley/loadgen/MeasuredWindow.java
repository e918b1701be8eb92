package dev.parley.loadgen;

import dev.parley.loadgen.ThreadCpu.Share;
import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The measured part of a run: after a warm-up (then {@code afterWarmup} resets interval histograms), the rate per
 * second of each counter over {@code seconds}, and the CPU used over the same time (100 = one core busy): by the whole
 * process and split into the server's, the generator's and the JVM's own threads (see {@link ThreadCpu}).
 *
 * @param perSecond  one rate per counter, in the order given
 * @param cpuPercent the whole process
 * @param cpuShares  the same time by who spent it
 */
record MeasuredWindow(double[] perSecond, double cpuPercent, Map<Share, Double> cpuShares) {

    static MeasuredWindow measure(int warmupSeconds, int seconds, Runnable afterWarmup, LongSupplier... counters)
        throws InterruptedException {
        Thread.sleep(warmupSeconds * 1000L);
        afterWarmup.run();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        Map<Share, Double> shares0 = ThreadCpu.snapshot();
        long[] start = new long[counters.length];
        for (int i = 0; i < counters.length; i++) {
            start[i] = counters[i].getAsLong();
        }
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double[] rates = new double[counters.length];
        double elapsed = (System.nanoTime() - t0) / 1e9;
        for (int i = 0; i < counters.length; i++) {
            rates[i] = (counters[i].getAsLong() - start[i]) / elapsed;
        }
        Map<Share, Double> shares1 = ThreadCpu.snapshot();
        Map<Share, Double> shares = new EnumMap<>(Share.class);
        for (Share s : Share.values()) {
            shares.put(s, Math.max(0, shares1.get(s) - shares0.get(s)) / elapsed * 100);
        }
        return new MeasuredWindow(rates, (os.getProcessCpuTime() - cpu0) / 1e9 / elapsed * 100, shares);
    }

    double server() {
        return cpuShares.get(Share.SERVER);
    }

    double generator() {
        return cpuShares.get(Share.GENERATOR);
    }

    double jvm() {
        return cpuShares.get(Share.JVM);
    }

    /** The CPU split as the report prints it: "server / generator / JVM". */
    String split() {
        return String.format("%.0f / %.0f / %.0f", server(), generator(), jvm());
    }
}
