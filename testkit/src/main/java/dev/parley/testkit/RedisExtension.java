package dev.parley.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Redis server, started once per test run and stopped when the run ends: the {@code redis-server} binary
 * that the {@code embedded-redis} jar ships (Redis 6.2, Linux x86-64), or {@code redis-server} from the PATH on
 * other platforms, as a child process on a free loopback port without persistence.
 *
 * <pre>{@code
 * @ExtendWith(RedisExtension.class)
 * class SomeTest {
 *     URI uri = RedisExtension.server().uri();
 * }
 * }</pre>
 *
 * Tests share the server, so each keeps its keys apart (a key prefix of its own). {@link Server#restart} stops and
 * starts it on the same port, losing every key, as a crashed Redis without persistence does.
 */
public final class RedisExtension implements BeforeAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RedisExtension.class);
    private static final String BUNDLED = "/redis-server-6.2.6-v5-linux-amd64";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
    private static volatile Server current;

    /** The run's server; only valid in a test class that uses this extension. */
    public static Server server() {
        Server s = current;
        if (s == null) {
            throw new IllegalStateException("Redis is not running (annotate the test class with "
                + "@ExtendWith(RedisExtension.class))");
        }
        return s;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        current = context.getRoot().getStore(NS).computeIfAbsent(Server.class, k -> Server.start(), Server.class);
    }

    /** A running Redis; closed (stopped, its files deleted) with the root extension context. */
    public static final class Server implements AutoCloseable {
        private final Path dir;
        private final Path binary;
        private final int port;
        private Process process;
        private Thread reaper;
        /** How long the first start took, for reports. */
        public final Duration startTime;

        private Server(Path dir, Path binary, int port) {
            this.dir = dir;
            this.binary = binary;
            this.port = port;
            long t0 = System.nanoTime();
            launch();
            this.startTime = Duration.ofNanos(System.nanoTime() - t0);
        }

        static Server start() {
            try {
                Path dir = Files.createTempDirectory("parley-redis");
                return new Server(dir, binary(dir), ServerFiles.freePort());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public URI uri() {
            return URI.create("redis://127.0.0.1:" + port);
        }

        public int port() {
            return port;
        }

        /** Stops the server (SIGTERM, no save): clients see connection refused until {@link #launch}. */
        public synchronized void stop() {
            if (process != null) {
                process.destroy();
                try {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Runtime.getRuntime().removeShutdownHook(reaper);
                process = null;
            }
        }

        /** Starts the server again on the same port, empty. */
        public synchronized void launch() {
            if (process != null) {
                return;
            }
            try {
                Path log = dir.resolve("redis.log");
                process = new ProcessBuilder(List.of(binary.toString(), "--port", String.valueOf(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                    "--daemonize", "no", "--protected-mode", "yes"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
                Process started = process;
                reaper = new Thread(started::destroyForcibly, "redis-reaper");
                Runtime.getRuntime().addShutdownHook(reaper);
                long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
                while (!ping()) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        String out = Files.exists(log) ? Files.readString(log) : "";
                        stop();
                        throw new IllegalStateException("redis-server did not start on port " + port + ":\n" + out);
                    }
                    Thread.sleep(20);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting redis-server", e);
            }
        }

        /** Stops and starts the server on the same port: every key is gone, as after a crash. */
        public void restart() {
            stop();
            launch();
        }

        private boolean ping() {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(1000);
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] answer = s.getInputStream().readNBytes(7);
                return new String(answer, StandardCharsets.US_ASCII).equals("+PONG\r\n");
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() throws IOException {
            stop();
            ServerFiles.deleteTree(dir);
        }

        private static Path binary(Path dir) throws IOException {
            boolean linuxX64 = System.getProperty("os.name").toLowerCase().contains("linux")
                && List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
            if (!linuxX64) {
                return Path.of("redis-server"); // from the PATH
            }
            Path target = dir.resolve("redis-server");
            try (InputStream in = RedisExtension.class.getResourceAsStream(BUNDLED)) {
                if (in == null) {
                    throw new IllegalStateException(BUNDLED + " not on the class path (expected: the embedded-redis "
                        + "jar, a dependency of parley-testkit)");
                }
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            if (!target.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + target + " executable");
            }
            return target;
        }
    }
}
