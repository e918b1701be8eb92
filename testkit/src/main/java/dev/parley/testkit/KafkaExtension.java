package dev.parley.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Apache Kafka 4.3 broker per test run, shared by every test class that registers this extension
 * ({@code @ExtendWith(KafkaExtension.class)}) and reached through {@link #broker()}.
 *
 * <p>Kafka runs as a child JVM in KRaft combined mode (broker and controller in one process, no ZooKeeper), from the
 * jars of {@code org.apache.kafka:kafka_2.13}, whose class path the {@code kafka-server} module writes to
 * {@code kafka-server/target/kafka.classpath} (found by walking up from the working directory, or named by the system
 * property {@code kafka.classpath}); its Scala, Jackson and log4j thus never meet ours. The JVM is JDK 17 when
 * installed (it starts the broker fastest), else the one running the tests; the system property {@code kafka.java}
 * names another {@code java} binary. The broker listens on 127.0.0.1 only, on two ports below the ephemeral range
 * (so that they are still free when it {@linkplain Broker#restart restarts}), keeps its data in a temporary directory
 * (deleted when the run ends, kept when the system property {@code kafka.keep} is set), has a heap of at most 512 MB,
 * logs to {@code server.log} there, and does not create topics by itself. A shutdown hook destroys it if the test JVM
 * exits without closing it. A broker that died during the run has its log tail shown.
 *
 * <p>In a test of a class so annotated:
 * <pre>{@code
 * KafkaExtension.Broker kafka = KafkaExtension.broker();
 * String topic = kafka.newTopic();           // unique in this run, not created yet
 * ... kafka.bootstrapServers() ...
 * kafka.stop(); ... kafka.start();            // an outage: same ports, same data
 * }</pre>
 * A module using it declares, for the build order only (so that the class path file exists before its tests run):
 * {@code <dependency><groupId>dev.parley</groupId><artifactId>parley-kafka-server</artifactId><type>pom</type>
 * <scope>test</scope>} with an exclusion of {@code *:*}.
 */
public final class KafkaExtension implements BeforeAllCallback {
    /** Starts the broker fastest here; Kafka 4 needs Java 17 or later. */
    public static final String DEFAULT_JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
        KafkaExtension.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String READY = "Kafka Server started";
    private static final int ATTEMPTS = 3;
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static volatile Broker broker;

    /**
     * The broker of this run.
     *
     * @throws IllegalStateException when no test class registered the extension (it starts the broker)
     */
    public static Broker broker() {
        Broker b = broker;
        if (b == null) {
            throw new IllegalStateException("Kafka is not running (expected: the test class is annotated with "
                + "@ExtendWith(KafkaExtension.class))");
        }
        b.checkAlive();
        return b;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // In the root store: started once for the whole run, closed (stopped) when the run ends.
        broker = context.getRoot().getStore(NAMESPACE).computeIfAbsent(Broker.class, k -> Broker.create(),
            Broker.class);
    }

    /** A Kafka broker (and its own controller) in a child JVM; {@link #stop} and {@link #start} keep ports and data. */
    public static final class Broker implements AutoCloseable {
        private final Path dir;
        private final List<String> command;
        private final int port;
        private final Duration startTime;
        private Process process;
        private Thread reaper;

        private Broker(Path dir, List<String> command, int port, long startedNanos) {
            this.dir = dir;
            this.command = command;
            this.port = port;
            launch();
            this.startTime = Duration.ofNanos(System.nanoTime() - startedNanos);
        }

        /** Fails with the log tail when the broker died on its own (a stopped broker is fine). */
        private synchronized void checkAlive() {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("Kafka (pid " + process.pid() + ") exited with "
                    + process.exitValue() + " during the run; its log ends with:\n" + logTail());
            }
        }

        /** {@code host:port} for the clients' {@code bootstrap.servers}. */
        public String bootstrapServers() {
            return "127.0.0.1:" + port;
        }

        /** The port clients connect to. */
        public int port() {
            return port;
        }

        /** A topic name no one used before in this run (the topic itself is not created). */
        public String newTopic() {
            return "test-" + ProcessHandle.current().pid() + "-" + TOPICS.incrementAndGet();
        }

        /** How long the first start took, from formatting the storage to ready (failed attempts included). */
        public Duration startTime() {
            return startTime;
        }

        /** The child process id, while it runs. */
        public synchronized long pid() {
            if (process == null) {
                throw new IllegalStateException("the broker is stopped");
            }
            return process.pid();
        }

        public synchronized boolean isRunning() {
            return process != null && process.isAlive();
        }

        /**
         * Stops the broker as an operator would (SIGTERM, a controlled shutdown, its data kept): clients see refused
         * connections until {@link #start}. Does nothing when it is stopped.
         */
        public synchronized void stop() {
            if (process == null) {
                return;
            }
            if (!process.isAlive()) {
                System.err.println("KafkaExtension: the broker (pid " + process.pid() + ") had exited with "
                    + process.exitValue() + "; its log ends with:\n" + logTail());
            }
            ServerFiles.stop(process, STOP_TIMEOUT);
            removeReaper();
            process = null;
        }

        /** Starts a {@link #stop stopped} broker again, same ports and data; waits until it is ready. */
        public synchronized void start() {
            if (process == null) {
                launch();
            }
        }

        /** {@link #stop} then {@link #start}. */
        public void restart() {
            stop();
            start();
        }

        @Override
        public void close() {
            stop();
            if (System.getProperty("kafka.keep") == null) {
                ServerFiles.deleteTree(dir);
            }
        }

        /** Runs the broker and waits until it says it started and accepts connections. */
        private synchronized void launch() {
            Path log = dir.resolve("server.log");
            try {
                long logStart = Files.exists(log) ? Files.size(log) : 0;
                Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
                    .start();
                process = p;
                reaper = new Thread(p::destroyForcibly, "kafka-reaper");
                Runtime.getRuntime().addShutdownHook(reaper);
                if (!awaitReady(p, log, logStart)) {
                    ServerFiles.stop(p, STOP_TIMEOUT);
                    removeReaper();
                    process = null;
                    throw new IllegalStateException("Kafka did not start on 127.0.0.1:" + port + " within "
                        + STARTUP_TIMEOUT.toSeconds() + " s; its log ends with:\n" + logTail());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting Kafka", e);
            }
        }

        private boolean awaitReady(Process p, Path log, long logStart) throws InterruptedException, IOException {
            long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    return false;
                }
                if (logSaysSince(log, logStart, READY) && ServerFiles.accepts(port)) {
                    return true;
                }
                Thread.sleep(50);
            }
            return false;
        }

        private void removeReaper() {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs anyway
            }
        }

        private String logTail() {
            return ServerFiles.tail(dir.resolve("server.log")) + "\n--- stdout:\n"
                + ServerFiles.tail(dir.resolve("stdout.log"));
        }

        /** Formats the storage and starts a broker; tries other ports when the first ones were taken meanwhile. */
        static Broker create() {
            Path classpath = ServerFiles.classpathFile("kafka");
            String java = java();
            Path dir;
            String cp;
            try {
                cp = Files.readString(classpath).trim();
                dir = Files.createTempDirectory("parley-kafka");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long started = System.nanoTime();
            IllegalStateException last = null;
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                try {
                    int port = ServerFiles.freeFixedPort();
                    int controllerPort = ServerFiles.freeFixedPort();
                    Path data = dir.resolve("data");
                    ServerFiles.deleteTree(data);
                    Path properties = writeProperties(dir, data, port, controllerPort);
                    Path log4j = writeLog4j(dir);
                    format(java, cp, properties, log4j, dir);
                    Broker b = new Broker(dir, List.of(java, "-Xms128m", "-Xmx512m", "-XX:+UseG1GC",
                        "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
                        "-Dlog4j2.configurationFile=" + log4j, "-cp", cp, "kafka.Kafka", properties.toString()),
                        port, started);
                    System.out.printf("KafkaExtension: Kafka 4.3 (pid %d) ready on %s after %d ms (attempt %d)%n",
                        b.pid(), b.bootstrapServers(), b.startTime().toMillis(), attempt);
                    return b;
                } catch (IOException e) {
                    ServerFiles.deleteTree(dir);
                    throw new UncheckedIOException(e);
                } catch (IllegalStateException e) {
                    last = e; // most likely a port was taken between our probe and the broker's bind
                }
            }
            ServerFiles.deleteTree(dir);
            throw new IllegalStateException("Kafka did not start in " + ATTEMPTS + " attempts", last);
        }
    }

    /**
     * Runs the same test broker outside JUnit, for benchmarks by hand: prints its bootstrap servers, runs until this
     * process is stopped (Ctrl-C, SIGTERM), then stops it. Run from the project root with testkit's class path:
     * {@code java -cp "$(cat testkit/target/classpath)" dev.parley.testkit.KafkaExtension}.
     */
    public static void main(String[] args) throws InterruptedException {
        Broker b = Broker.create();
        System.out.println("kafka: bootstrap.servers " + b.bootstrapServers() + " (pid " + b.pid() + ", started in "
            + b.startTime().toMillis() + " ms); Ctrl-C stops it");
        Runtime.getRuntime().addShutdownHook(new Thread(b::close));
        Thread.currentThread().join();
    }

    private static String java() {
        String configured = System.getProperty("kafka.java");
        String java = configured != null ? configured
            : Files.isExecutable(Path.of(DEFAULT_JAVA)) ? DEFAULT_JAVA
            : Path.of(System.getProperty("java.home"), "bin", "java").toString();
        if (!Files.isExecutable(Path.of(java))) {
            throw new IllegalStateException("kafka.java: " + java + " is not an executable (expected: the java "
                + "binary of a JDK 17 or later)");
        }
        return java;
    }

    /** {@code kafka-storage format}: the storage directory gets the cluster id and the bootstrap metadata. */
    private static void format(String java, String cp, Path properties, Path log4j, Path dir)
        throws IOException {
        Path out = dir.resolve("format.log");
        Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
            "-Dlog4j2.configurationFile=" + log4j, "-cp", cp, "kafka.tools.StorageTool", "format",
            "--cluster-id", clusterId(), "--config", properties.toString(), "--ignore-formatted")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kafka-storage format did not end within 60 s:\n"
                    + ServerFiles.tail(out));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting Kafka's storage", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("kafka-storage format failed (exit " + p.exitValue() + "):\n"
                + ServerFiles.tail(out));
        }
    }

    /** A random cluster id as Kafka writes one: 16 bytes in URL-safe Base64 without padding, not starting with '-'. */
    private static String clusterId() {
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[16];
        String id;
        do {
            random.nextBytes(bytes);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (id.startsWith("-"));
        return id;
    }

    private static Path writeProperties(Path dir, Path data, int port, int controllerPort) throws IOException {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, String.join("\n",
            "process.roles=broker,controller",
            "node.id=1",
            // a static quorum of one: the storage does not record the controller's address, so a restart only
            // needs the same ports
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + data,
            // tests create their topics, as Parley does: a misspelt name fails instead of making a topic
            "auto.create.topics.enable=false",
            // one broker: every internal topic has one replica, and few partitions
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "share.coordinator.state.topic.num.partitions=1",
            "group.initial.rebalance.delay.ms=0",
            "num.network.threads=2",
            "num.io.threads=4",
            ""));
        return file;
    }

    private static Path writeLog4j(Path dir) throws IOException {
        Path file = dir.resolve("log4j2.properties");
        Files.writeString(file, String.join("\n",
            "status = warn",
            "appender.file.type = File",
            "appender.file.name = FILE",
            "appender.file.fileName = " + dir.resolve("server.log"),
            "appender.file.append = true",
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %m%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = FILE",
            // the state change log is as long as the rest together and says nothing a test needs
            "logger.stateChange.name = state.change.logger",
            "logger.stateChange.level = WARN",
            ""));
        return file;
    }

    private static boolean logSaysSince(Path log, long offset, String text) throws IOException {
        if (!Files.exists(log)) {
            return false;
        }
        try (SeekableByteChannel channel = Files.newByteChannel(log)) {
            long size = channel.size();
            if (size <= offset) {
                return false;
            }
            channel.position(offset);
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - offset, 64 << 20));
            while (buf.hasRemaining() && channel.read(buf) > 0) {
                // read what there is
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8)
                .contains(text);
        }
    }
}
