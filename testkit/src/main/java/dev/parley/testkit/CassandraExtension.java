package dev.parley.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Apache Cassandra 5.0 per test run, shared by every test class that registers this extension
 * ({@code @ExtendWith(CassandraExtension.class)}) and reached through {@link #server()}.
 *
 * <p>Cassandra runs as a child JVM on JDK 17 (Cassandra 5.0 does not run on newer JDKs; the system property
 * {@code cassandra.java} names another {@code java} binary) from the jars of {@code org.apache.cassandra:cassandra-all},
 * whose class path the {@code cassandra-server} module writes to {@code cassandra-server/target/cassandra.classpath}
 * (found by walking up from the working directory, or named by the system property {@code cassandra.classpath}). Its
 * Netty and Guava thus never meet ours. It gets a generated {@code cassandra.yaml}: a temporary directory, 127.0.0.1,
 * free ports, SimpleSnitch (data center {@value #DATACENTER}), no authentication, a heap of 1 GB (a keyspace of the
 * message store costs it ~6 MB until the run ends: a run can make about a hundred). The server is stopped and its
 * directory deleted when the run ends (kept when the system property {@code cassandra.keep} is set), and destroyed
 * by a shutdown hook if the test JVM exits another way. A server that died during the run has its log tail printed.
 *
 * <p>In a test of a class so annotated:
 * <pre>{@code
 * CassandraExtension.Server cassandra = CassandraExtension.server();
 * String keyspace = cassandra.newKeyspace();   // unique in this run, not created yet
 * ... cassandra.contactPoint() (or contactPointString()), cassandra.datacenter() ...
 * }</pre>
 * A module using it declares, for the build order only (so that the class path file exists before its tests run):
 * {@code <dependency><groupId>dev.parley</groupId><artifactId>parley-cassandra-server</artifactId><type>pom</type>
 * <scope>test</scope>} with an exclusion of {@code *:*}.
 */
public final class CassandraExtension implements BeforeAllCallback {
    /** The data center SimpleSnitch puts the node in. */
    public static final String DATACENTER = "datacenter1";
    /** Cassandra 5.0 needs JDK 11 or 17; the test machines have 17 here. */
    public static final String DEFAULT_JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
        CassandraExtension.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int ATTEMPTS = 3;
    private static final AtomicInteger KEYSPACES = new AtomicInteger();
    private static volatile Server server;

    /**
     * The server of this run.
     *
     * @throws IllegalStateException when no test class registered the extension (it starts the server)
     */
    public static Server server() {
        Server s = server;
        if (s == null) {
            throw new IllegalStateException("Cassandra is not running (expected: the test class is annotated with "
                + "@ExtendWith(CassandraExtension.class))");
        }
        if (!s.process.isAlive()) {
            throw new IllegalStateException("Cassandra (pid " + s.process.pid() + ") exited with "
                + s.process.exitValue() + " during the run; its log ends with:\n" + ServerFiles.tail(s.dir.resolve("system.log")));
        }
        return s;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // In the root store: started once for the whole run, closed (stopped) when the run ends.
        server = context.getRoot().getStore(NAMESPACE).computeIfAbsent(Server.class, k -> start(), Server.class);
    }

    /** A running Cassandra node. */
    public static final class Server implements AutoCloseable {
        private final Path dir;
        private final Process process;
        private final int port;
        private final Duration startTime;
        private final Thread reaper;

        private Server(Path dir, Process process, int port, Duration startTime) {
            this.dir = dir;
            this.process = process;
            this.port = port;
            this.startTime = startTime;
            // If the test JVM ends without closing the store (killed by a timeout, System.exit), do not leave a
            // Cassandra behind.
            this.reaper = new Thread(process::destroyForcibly, "cassandra-reaper");
            Runtime.getRuntime().addShutdownHook(reaper);
        }

        /** Where CQL clients connect (127.0.0.1 and the native transport port). */
        public InetSocketAddress contactPoint() {
            return new InetSocketAddress("127.0.0.1", port);
        }

        /** {@link #contactPoint()} as {@code host:port}, as configuration files write it. */
        public String contactPointString() {
            return "127.0.0.1:" + port;
        }

        /** The data center to give the driver ({@code withLocalDatacenter}). */
        public String datacenter() {
            return DATACENTER;
        }

        /** A keyspace name no one used before in this run (the keyspace itself is not created). */
        public String newKeyspace() {
            return "t" + ProcessHandle.current().pid() + "_" + KEYSPACES.incrementAndGet();
        }

        /** How long the server took from launch to accepting CQL connections. */
        public Duration startTime() {
            return startTime;
        }

        /** The child process id. */
        public long pid() {
            return process.pid();
        }

        /** Freezes the server ({@code SIGSTOP}): connections stay open but nothing answers, as with a hung node. */
        public void pause() {
            signal("STOP");
        }

        /** Lets a {@link #pause paused} server run again ({@code SIGCONT}). */
        public void resume() {
            signal("CONT");
        }

        private void signal(String name) {
            try {
                Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
                if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                    throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while signalling Cassandra", e);
            }
        }

        @Override
        public void close() {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs anyway
            }
            if (!process.isAlive()) {
                // it died during the run: what it said last is the only clue left once the directory is gone
                System.err.println("CassandraExtension: Cassandra (pid " + process.pid() + ") had exited with "
                    + process.exitValue() + "; its logs end with:\n" + ServerFiles.tail(dir.resolve("system.log"))
                    + "\n--- stdout:\n" + ServerFiles.tail(dir.resolve("stdout.log")));
            } else {
                resume(); // a paused JVM does not handle SIGTERM
                ServerFiles.stop(process, STOP_TIMEOUT);
            }
            if (System.getProperty("cassandra.keep") == null) {
                ServerFiles.deleteTree(dir);
            }
        }
    }

    /**
     * Runs the same test server outside JUnit, for benchmarks by hand: prints its contact point, runs until this
     * process is stopped (Ctrl-C, SIGTERM), then stops it. Run from the project root with testkit's class path:
     * {@code java -cp "$(cat testkit/target/classpath)" dev.parley.testkit.CassandraExtension}.
     */
    public static void main(String[] args) throws InterruptedException {
        Server s = start();
        System.out.println("cassandra: " + s.contactPointString() + " datacenter " + DATACENTER + " (pid " + s.pid()
            + ", started in " + s.startTime().toMillis() + " ms); Ctrl-C stops it");
        Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        Thread.currentThread().join();
    }

    private static Server start() {
        Path classpath = ServerFiles.classpathFile("cassandra");
        String java = System.getProperty("cassandra.java", DEFAULT_JAVA);
        if (!Files.isExecutable(Path.of(java))) {
            throw new IllegalStateException("cassandra.java: " + java + " is not an executable (expected: a JDK 17 "
                + "java binary; Cassandra 5.0 does not run on later JDKs)");
        }
        Path dir;
        String cp;
        try {
            cp = Files.readString(classpath).trim();
            dir = Files.createTempDirectory("parley-cassandra");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = dir.resolve("system.log");
        long started = System.nanoTime();
        try {
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                int nativePort = ServerFiles.freePort();
                int storagePort = ServerFiles.freePort();
                Path yaml = writeConfig(dir, nativePort, storagePort);
                Path logback = writeLogback(dir, log);
                // Each keyspace of a message store holds ~6 MB of heap (table metadata and metrics) until the server stops:
                // 1 GB leaves room for well over a hundred keyspaces on top of Cassandra's own needs.
                List<String> command = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx1g", "-Xss512k",
                    "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError"));
                command.addAll(JVM17_OPTIONS);
                command.addAll(List.of(
                    "-Dcassandra.config=" + yaml.toUri(),
                    "-Dcassandra-foreground=yes",
                    "-Dcassandra.storagedir=" + dir,
                    "-Dcassandra.logdir=" + dir,
                    "-Dlogback.configurationFile=" + logback,
                    // test speed: no fsync of the system tables (schema changes), no gossip settling of a lone node
                    "-Dcassandra.unsafesystem=true",
                    "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                    "-Dcassandra.superuser_setup_delay_ms=0",
                    "-cp", cp, "org.apache.cassandra.service.CassandraDaemon"));
                Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
                    .start();
                if (awaitReady(process, nativePort, log)) {
                    Duration startTime = Duration.ofNanos(System.nanoTime() - started);
                    System.out.printf("CassandraExtension: Cassandra 5.0 (pid %d) accepts CQL on 127.0.0.1:%d after "
                        + "%d ms (attempt %d)%n", process.pid(), nativePort, startTime.toMillis(), attempt);
                    return new Server(dir, process, nativePort, startTime);
                }
                // most likely a port was taken between our probe and its bind: try others
                ServerFiles.stop(process, STOP_TIMEOUT);
            }
        } catch (IOException e) {
            ServerFiles.deleteTree(dir);
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ServerFiles.deleteTree(dir);
            throw new IllegalStateException("interrupted while starting Cassandra", e);
        }
        String tail = ServerFiles.tail(log) + "\n--- stdout:\n" + ServerFiles.tail(dir.resolve("stdout.log"));
        ServerFiles.deleteTree(dir);
        throw new IllegalStateException("Cassandra did not start in " + ATTEMPTS + " attempts; its logs end with:\n"
            + tail);
    }

    /** The {@code --add-exports}/{@code --add-opens} flags of Cassandra's own {@code jvm17-server.options}. */
    private static final List<String> JVM17_OPTIONS = List.of(
        "-Djdk.attach.allowAttachSelf=true",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
        "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
        "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
        "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
        "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
        "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
        "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
        "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
        "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
        "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
        "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.base/java.io=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/java.util=ALL-UNNAMED",
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dio.netty.allocator.useCacheForAllThreads=true",
        "-Dio.netty.allocator.maxOrder=11");

    private static Path writeConfig(Path dir, int nativePort, int storagePort) throws IOException {
        Path yaml = dir.resolve("cassandra.yaml");
        Files.writeString(yaml, String.join("\n",
            "cluster_name: parley-test",
            "num_tokens: 1",
            "initial_token: 0",
            "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
            "endpoint_snitch: SimpleSnitch",
            "authenticator: AllowAllAuthenticator",
            "authorizer: AllowAllAuthorizer",
            "data_file_directories:",
            "  - " + dir.resolve("data"),
            "commitlog_directory: " + dir.resolve("commitlog"),
            "saved_caches_directory: " + dir.resolve("saved_caches"),
            "hints_directory: " + dir.resolve("hints"),
            "cdc_raw_directory: " + dir.resolve("cdc_raw"),
            "commitlog_sync: periodic",
            "commitlog_sync_period: 10000ms",
            "seed_provider:",
            "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
            "    parameters:",
            "      - seeds: \"127.0.0.1:" + storagePort + "\"",
            "listen_address: 127.0.0.1",
            "rpc_address: 127.0.0.1",
            "storage_port: " + storagePort,
            "native_transport_port: " + nativePort,
            "start_native_transport: true",
            // Paxos v2: fewer round trips per lightweight transaction, linearizable SERIAL reads
            "paxos_variant: v2",
            // messages are written in conditional batches of up to ~32 KiB
            "batch_size_warn_threshold: 64KiB",
            "batch_size_fail_threshold: 256KiB",
            // tests make and drop many keyspaces: no snapshots of dropped or truncated tables
            "auto_snapshot: false",
            "concurrent_compactors: 1",
            ""));
        return yaml;
    }

    private static Path writeLogback(Path dir, Path log) throws IOException {
        Path file = dir.resolve("logback.xml");
        Files.writeString(file, """
            <configuration>
              <appender name="FILE" class="ch.qos.logback.core.FileAppender">
                <file>%s</file>
                <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level [%%thread] %%logger{25} - %%msg%%n</pattern></encoder>
              </appender>
              <root level="INFO"><appender-ref ref="FILE"/></root>
            </configuration>
            """.formatted(log));
        return file;
    }

    /** Ready once the native transport accepts connections and the log says startup completed. */
    private static boolean awaitReady(Process process, int port, Path log) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            if (logSays(log, "Startup complete") && ServerFiles.accepts(port)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static boolean logSays(Path log, String text) {
        try {
            return Files.exists(log) && Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }
}
