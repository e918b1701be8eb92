package dev.parley.loadgen.bench;

import java.io.PrintStream;
import org.HdrHistogram.Histogram;

/**
 * One second of a measured window: how many deliveries it saw and the latency percentiles of the messages that
 * completed in it.
 */
public record Second(int second, long delivered, double p50Ms, double p99Ms, double p999Ms, double maxMs) {
    /** The second {@code n} from the latencies recorded in it; prints a progress line. */
    static Second of(int n, long delivered, Histogram h, PrintStream progress) {
        Second s = new Second(n, delivered, ms(h, 50), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6);
        progress.printf("  %3d s  %9d delivered  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms%n", n, delivered,
            s.p50Ms(), s.p99Ms(), s.maxMs());
        return s;
    }

    /** A percentile in milliseconds; 0 when nothing was recorded. */
    static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e6;
    }
}
