package dev.parley.e2e;

import dev.parley.app.ParleyConfig;
import dev.parley.app.ParleyServer;
import dev.parley.client.ClientOptions;
import dev.parley.client.Credentials;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real server in this JVM on a free loopback port, with fast (test-only) password hashing and generous login
 * limits, plus an SDK client pointed at it. Restartable on the same data directory.
 */
final class TestServer implements AutoCloseable {
    static final Duration T = Duration.ofSeconds(15);
    static final String PASSWORD = "correct horse battery";
    private static final AtomicInteger NAMES = new AtomicInteger();

    final Path dataDir;
    private final Map<String, String> settings;
    private ParleyServer server;
    private ParleyClient client;

    TestServer(Path dataDir, Map<String, String> extra) throws InterruptedException {
        this.dataDir = dataDir;
        this.settings = new HashMap<>(Map.of(
            "server.host", "127.0.0.1",
            "server.port", "0",
            "dataDir", dataDir.toString(),
            "accounts.argon2.memoryKib", "1024",
            "accounts.argon2.iterations", "1",
            "accounts.loginAttemptsPerIpPerMinute", "100000",
            "sync.cursorFlushMillis", "50",
            "accounts.maxDevices", "50"));
        this.settings.putAll(ScaledBackends.settingsFor(dataDir));
        this.settings.putAll(extra);
        start();
    }

    TestServer(Path dataDir) throws InterruptedException {
        this(dataDir, Map.of());
    }

    private void start() throws InterruptedException {
        server = ParleyServer.start(ParleyConfig.of(settings));
        client = ParleyClient.create(URI.create("http://127.0.0.1:" + server.port()), ClientOptions.defaults());
    }

    /** Stops the server cleanly and starts it again on the same data (and a new port). */
    void restart() throws InterruptedException {
        close();
        start();
    }

    ParleyClient client() {
        return client;
    }

    int port() {
        return server.port();
    }

    /** A unique username for this JVM. */
    static String uniqueName(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + NAMES.incrementAndGet();
    }

    /** A registered user and one logged-in device. */
    record User(String username, Credentials device) {
        String id() {
            return device.userId();
        }

        String token() {
            return device.token();
        }
    }

    /** Registers a new user and logs in one device. */
    User newUser(String prefix) {
        String name = uniqueName(prefix);
        client.register(name, PASSWORD, prefix);
        return new User(name, client.login(name, PASSWORD, "test-device"));
    }

    /** Logs in another device of a user. */
    Credentials anotherDevice(User user) {
        return client.login(user.username(), PASSWORD, "another-device");
    }

    ParleyConnection connect(Credentials c) {
        return client.connect(c.token()).join();
    }

    ParleyConnection connect(User u) {
        return connect(u.device());
    }

    /** Connects and waits for {@code synced}: the connection's backlog is in, live traffic comes next. */
    ParleyConnection connectSynced(Credentials c) throws InterruptedException {
        ParleyConnection conn = connect(c);
        conn.awaitSynced(T);
        return conn;
    }

    ParleyConnection connectSynced(User u) throws InterruptedException {
        return connectSynced(u.device());
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
