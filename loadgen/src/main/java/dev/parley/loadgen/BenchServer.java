package dev.parley.loadgen;

import dev.parley.app.ParleyConfig;
import dev.parley.app.ParleyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * A server for one benchmark run: in-process on 127.0.0.1, a free port, data in a fresh temporary directory that
 * {@link #close} deletes, cheap password hashing and no login throttle (registration is setup, not the measured
 * load).
 */
public final class BenchServer implements AutoCloseable {
    private final ParleyServer server;
    private final Path dir;

    private BenchServer(ParleyServer server, Path dir) {
        this.server = server;
        this.dir = dir;
    }

    /**
     * What every benchmark server runs with, in process or as a child: cheap password hashing and no login
     * throttle, since registering and logging in thousands of users is setup, not the measured load.
     */
    public static final Map<String, String> SETUP_SETTINGS = Map.of(
        "accounts.argon2.memoryKib", "1024", "accounts.argon2.iterations", "1",
        "accounts.loginAttemptsPerIpPerMinute", "10000000");

    /** Starts a server on the embedded backends with any further settings. */
    public static BenchServer start(Map<String, String> settings) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("parley-bench-");
        Map<String, String> all = new HashMap<>(SETUP_SETTINGS);
        all.putAll(Map.of("server.host", "127.0.0.1", "server.port", "0", "dataDir", dir.toString()));
        all.putAll(settings);
        return new BenchServer(ParleyServer.start(ParleyConfig.of(all)), dir);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        deleteTree(dir);
    }

    /** Deletes a benchmark's data directory and everything in it. */
    public static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
