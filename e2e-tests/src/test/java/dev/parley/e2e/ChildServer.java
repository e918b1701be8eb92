package dev.parley.e2e;

import dev.parley.client.ParleyClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real server program ({@code dev.parley.app.Main serve}) as a child process, for crash and signal tests. */
final class ChildServer implements AutoCloseable {
    final Path dataDir;
    final int port;
    private final Path log;
    private final java.util.Map<String, String> extra;
    private Process process;

    ChildServer(Path dataDir) throws IOException {
        this(dataDir, java.util.Map.of());
    }

    /** A child server with these settings on top of the usual ones. */
    ChildServer(Path dataDir, java.util.Map<String, String> extra) throws IOException {
        this.dataDir = dataDir;
        this.extra = extra;
        this.log = dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    void start() throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            "dev.parley.app.Main", "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
            "--data-dir", dataDir.toString(),
            "--set", "accounts.argon2.memoryKib=1024", "--set", "accounts.argon2.iterations=1",
            "--set", "accounts.loginAttemptsPerIpPerMinute=100000"));
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>(ScaledBackends.settingsFor(dataDir));
        settings.putAll(extra);
        settings.forEach((k, v) -> {
            cmd.add("--set");
            cmd.add(k + "=" + v);
        });
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try (ParleyClient probe = ParleyClient.create(uri())) {
            probe.awaitHealthy(Duration.ofSeconds(30));
        }
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** SIGKILL: no shutdown hook, no flush. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM: the clean shutdown path. Returns the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("server did not stop within 20 s of SIGTERM");
        }
        return process.exitValue();
    }

    String log() throws IOException {
        return java.nio.file.Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill9();
        }
    }
}
