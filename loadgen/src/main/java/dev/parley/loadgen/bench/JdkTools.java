package dev.parley.loadgen.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The JDK's own tools ({@code jcmd}, {@code jfr}) run against the server under test or its recordings. */
final class JdkTools {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private JdkTools() {
    }

    /** Runs a tool of this JDK; returns its output (stdout and stderr), or throws if it fails. */
    static String run(String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", tool)
            .toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    /** {@code jcmd <pid> <command...>}; a failure is printed, not thrown (a profile is a bonus, not the run). */
    static void jcmd(long pid, String... command) {
        List<String> args = new ArrayList<>(List.of(Long.toString(pid)));
        args.addAll(List.of(command));
        try {
            run("jcmd", args.toArray(String[]::new));
        } catch (IOException e) {
            System.err.println(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The used heap of a JVM right after a full GC; -1 when it cannot be read. */
    static long heapAfterGc(long pid) {
        try {
            run("jcmd", Long.toString(pid), "GC.run");
            Matcher m = HEAP_USED.matcher(run("jcmd", Long.toString(pid), "GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The first {@code lines} lines of {@code jfr view hot-methods}, or why there are none. */
    static String hotMethods(Path recording, int lines) {
        try {
            StringBuilder b = new StringBuilder();
            run("jfr", "view", "--width", "160", "hot-methods", recording.toString()).lines()
                .filter(l -> !l.isBlank()).limit(lines).forEach(l -> b.append(l.stripTrailing()).append('\n'));
            return b.toString();
        } catch (IOException e) {
            return "(" + e.getMessage() + ")\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)\n";
        }
    }
}
