package dev.parley.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * CPU time and resident memory of a process, read from Linux's {@code /proc}: for the server under test (its pid)
 * and for the generator itself, so a report shows which side used the machine.
 */
public record ProcessStats(long pid) {
    /** Kernel clock ticks per second for the times in {@code stat} (USER_HZ; 100 on every Linux build here). */
    private static final double TICKS_PER_SECOND = 100;

    public static ProcessStats self() {
        return new ProcessStats(ProcessHandle.current().pid());
    }

    /** CPU seconds (user + system) the process has used so far; -1 when unknown. */
    public double cpuSeconds() {
        try {
            return cpuSeconds(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The CPU seconds (user + system) in the text of a process's or thread's {@code stat} file. */
    public static double cpuSeconds(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    }

    /** Resident set size in bytes ({@code VmRSS}), if known. */
    public OptionalLong rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return OptionalLong.empty();
    }

    /** CPU use between two readings as a percentage of one core. */
    public static double percent(double cpuBefore, double cpuAfter, double wallSeconds) {
        return cpuBefore < 0 || cpuAfter < 0 || wallSeconds <= 0 ? Double.NaN
            : 100 * (cpuAfter - cpuBefore) / wallSeconds;
    }
}
