package dev.parley.loadgen;

import dev.parley.loadgen.bench.ProcessStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of this process split by who spent it, read from {@code /proc/self/task/}{@code *}{@code /stat} (Linux):
 * the server under test, the load generator sharing the process, and the JVM itself (JIT compilers, GC). Threads are
 * told apart by name: the server's are {@code parley-*} and the carriers of its virtual threads
 * ({@code ForkJoinPool-1-*}, where it handles inbound frames and REST calls); the generator's are {@code bench-*},
 * the SDK's ({@code parley-client-*}, {@code HttpClient-*}) and the senders. Where {@code /proc} cannot be read every
 * share is reported as 0.
 */
final class ThreadCpu {
    /** Who spent the CPU time. */
    enum Share { SERVER, GENERATOR, JVM }

    private ThreadCpu() {
    }

    /** CPU seconds spent so far by each share's threads that are alive now. */
    static Map<Share, Double> snapshot() {
        Map<Share, Double> result = new EnumMap<>(Share.class);
        for (Share s : Share.values()) {
            result.put(s, 0.0);
        }
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    result.merge(classify(name), ProcessStats.cpuSeconds(stat), Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between listing and reading
                }
            });
        } catch (IOException e) {
            // not Linux: no split
        }
        return result;
    }

    /** The share a thread's (kernel-truncated, 15 character) name belongs to. */
    static Share classify(String name) {
        if (name.startsWith("parley-client") || name.startsWith("bench-") || name.startsWith("HttpClient")
            || name.startsWith("group-sender") || name.startsWith("direct-") || name.equals("java")
            || name.startsWith("main")) {
            return Share.GENERATOR;
        }
        if (name.startsWith("parley-") || name.startsWith("ForkJoinPool-1")) {
            return Share.SERVER;
        }
        return Share.JVM;
    }
}
