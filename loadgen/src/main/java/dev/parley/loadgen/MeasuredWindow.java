package dev.parley.loadgen;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * The measured part of a run: after a warm-up (then {@code afterWarmup} resets interval histograms), the rate per
 * second of each counter over {@code seconds}, and the process CPU over the same time (100 = one core busy).
 *
 * @param perSecond one rate per counter, in the order given
 */
record MeasuredWindow(double[] perSecond, double cpuPercent) {

    static MeasuredWindow measure(int warmupSeconds, int seconds, Runnable afterWarmup, LongSupplier... counters)
        throws InterruptedException {
        Thread.sleep(warmupSeconds * 1000L);
        afterWarmup.run();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
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
        return new MeasuredWindow(rates, (os.getProcessCpuTime() - cpu0) / 1e9 / elapsed * 100);
    }
}
