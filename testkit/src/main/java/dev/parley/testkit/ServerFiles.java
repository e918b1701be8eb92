package dev.parley.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * What every test server extension needs: a free loopback port, a probe of it, the end of its log, its directory
 * removed; for servers run as child JVMs, their class path file and a bounded stop.
 */
final class ServerFiles {
    private ServerFiles() {
    }

    /** A loopback port free right now (a server may still lose it to another process before binding). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * A loopback port free right now below the ephemeral range (32768 and up), for a server that is stopped and
     * started again on the same port: no client socket of this machine lands there meanwhile.
     */
    static int freeFixedPort() throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free loopback port in 20000..31999 after 200 attempts");
    }

    /** The last 40 lines of a log, for a failure message. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Deletes a directory tree; a leftover temporary directory is not worth failing the tests for. */
    static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // left behind
        }
    }

    /** Whether something accepts TCP connections on the loopback port. */
    static boolean accepts(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, then SIGKILL if the process has not ended within {@code grace}. */
    static void stop(Process process, java.time.Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The class path file that the pom-only module {@code <server>-server} writes ({@code target/<server>.classpath}):
     * from the system property {@code <server>.classpath}, else found above the working directory.
     */
    static Path classpathFile(String server) {
        String property = server + ".classpath";
        String configured = System.getProperty(property);
        if (configured != null) {
            Path p = Path.of(configured);
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(property + ": " + p + " does not exist (expected: the file written by "
                    + "the " + server + "-server module's build)");
            }
            return p;
        }
        String relative = server + "-server/target/" + property;
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            Path candidate = d.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(relative + " not found above " + start + " (expected: written by building the "
            + server + "-server module, e.g. mvn -pl <module> -am verify from the project root)");
    }
}
