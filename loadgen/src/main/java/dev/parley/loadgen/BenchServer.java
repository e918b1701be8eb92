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

    /** Starts a server with this message store and any further settings. */
    public static BenchServer start(String store, Map<String, String> settings) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("parley-bench-");
        Map<String, String> all = new HashMap<>(Map.of(
            "server.host", "127.0.0.1", "server.port", "0", "dataDir", dir.toString(), "messages.type", store,
            "accounts.argon2.memoryKib", "1024", "accounts.argon2.iterations", "1",
            "accounts.loginAttemptsPerIpPerMinute", "10000000"));
        all.putAll(settings);
        return new BenchServer(ParleyServer.start(ParleyConfig.of(all)), dir);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
