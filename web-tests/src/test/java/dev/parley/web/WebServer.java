package dev.parley.web;

import dev.parley.app.ParleyConfig;
import dev.parley.app.ParleyServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Parley server in this JVM on a free loopback port, with fast (test-only) password hashing and generous
 * login limits. Restarts keep the data directory and the port, so a page loaded from it reconnects by itself.
 */
final class WebServer implements AutoCloseable {
    private final Map<String, String> settings;
    private ParleyServer server;
    private int port;

    WebServer(Path dataDir) throws InterruptedException {
        settings = new HashMap<>(Map.of(
            "server.host", "127.0.0.1",
            "server.port", "0",
            "dataDir", dataDir.toString(),
            "accounts.argon2.memoryKib", "1024",
            "accounts.argon2.iterations", "1",
            "accounts.loginAttemptsPerIpPerMinute", "100000",
            "accounts.maxDevices", "50",
            "presence.graceSeconds", "1",
            "sync.cursorFlushMillis", "50"));
        start();
    }

    private void start() throws InterruptedException {
        server = ParleyServer.start(ParleyConfig.of(settings));
        port = server.port();
        settings.put("server.port", Integer.toString(port));
    }

    /** Stops the server (every WebSocket gets 1001) and does not start it again until {@link #start()}. */
    void stop() {
        server.close();
        server = null;
    }

    /** Starts it again on the same port and data. */
    void restart() throws InterruptedException {
        if (server != null) {
            stop();
        }
        start();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
