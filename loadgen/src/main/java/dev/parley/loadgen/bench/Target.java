package dev.parley.loadgen.bench;

import dev.parley.client.Credentials;
import dev.parley.client.ParleyApiException;
import dev.parley.client.ParleyClient;
import dev.parley.loadgen.BenchServer;
import dev.parley.protocol.FrameCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The server a scenario runs against, Parley or the {@link Relay} baseline, with how to set users up on it and how
 * to stop it. A server is a child process (so its CPU and memory are its own in the report), or in the generator's
 * process (for the harness test), or one already running at a URL.
 */
public final class Target implements AutoCloseable {
    private static final String PASSWORD = "benchmark-password";

    private final boolean relay;
    private final URI url;
    private final ProcessStats stats;
    private final AutoCloseable stop;
    private final String description;
    private final HttpClient http = HttpClient.newHttpClient();
    private long readyMillis = -1;
    private Path profileDir;
    private final List<Path> recordings = new ArrayList<>();
    private volatile Thread starting;
    private String label;

    private Target(boolean relay, URI url, ProcessStats stats, AutoCloseable stop, String description) {
        this.relay = relay;
        this.url = url;
        this.stats = stats;
        this.stop = stop;
        this.description = description;
        this.label = relay ? "relay" : "Parley";
    }

    /** Names this server {@code Parley-<variant>} in tables and files (a run of {@code --variant}). */
    Target variant(String name) {
        this.label = "Parley-" + name;
        return this;
    }

    /** Which storage a server with these settings uses, for the report. */
    static String storage(Map<String, String> settings) {
        List<String> scaled = new ArrayList<>();
        for (String section : List.of("directory", "messages", "sessions", "media")) {
            String type = settings.get(section + ".type");
            if (type != null) {
                scaled.add(section + ": " + type);
            }
        }
        return scaled.isEmpty() ? "SQLite" : "embedded backends but " + String.join(", ", scaled);
    }

    /** A Parley server that is already running; {@code pid} (nullable) lets the report show its CPU. */
    static Target parleyAt(URI url, Long pid) {
        return new Target(false, url, pid == null ? null : new ProcessStats(pid), () -> { }, "the server at " + url);
    }

    /** Parley in the generator's own process, on a fresh data directory. */
    static Target parleyInProcess(Map<String, String> settings) throws IOException, InterruptedException {
        BenchServer in = BenchServer.start(settings);
        return new Target(false, URI.create("http://127.0.0.1:" + in.port()), null, in,
            "Parley in the generator's own process (" + storage(settings) + ", fresh data directory)");
    }

    /** The relay in the generator's own process. */
    static Target relayInProcess() throws InterruptedException {
        Relay r = Relay.start("127.0.0.1", 0);
        return new Target(true, URI.create("http://127.0.0.1:" + r.port()), null, r,
            "the relay baseline in the generator's own process");
    }

    /** Starts {@code ./parley serve} from the server jar on a free loopback port and a fresh data directory. */
    static Target parleyChild(Path jar, Map<String, String> settings, List<String> javaOptions) throws Exception {
        Path data = Files.createTempDirectory("parley-bench-data-");
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(java(), "-XX:+ExitOnOutOfMemoryError"));
        command.addAll(javaOptions);
        command.addAll(List.of("-jar", jar.toString(), "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
            "--data-dir", data.toString()));
        Map<String, String> all = new HashMap<>(BenchServer.SETUP_SETTINGS);
        all.putAll(settings);
        all.forEach((k, v) -> command.addAll(List.of("--set", k + "=" + v)));
        return child(false, command, data, port, "Parley started from " + jar.getFileName()
            + " as a child process (" + storage(settings) + ", fresh data directory)");
    }

    /** Starts the relay as a child process from the generator's own class path. */
    static Target relayChild() throws Exception {
        Path dir = Files.createTempDirectory("parley-bench-relay-");
        int port = freePort();
        return child(true, List.of(java(), "-cp", System.getProperty("java.class.path"), Relay.class.getName(),
            "--host", "127.0.0.1", "--port", Integer.toString(port)), dir, port,
            "the relay baseline as a child process");
    }

    private static Target child(boolean relay, List<String> command, Path dir, int port, String what)
        throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile()).start();
        Thread hook = new Thread(p::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(hook);
        URI url = URI.create("http://127.0.0.1:" + port);
        AutoCloseable stop = () -> {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            Runtime.getRuntime().removeShutdownHook(hook);
            BenchServer.deleteTree(dir);
        };
        Target t = new Target(relay, url, new ProcessStats(p.pid()), stop, what + " (pid " + p.pid() + ")");
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                String log = Files.readString(dir.resolve("server.log"));
                stop.close();
                throw new IllegalStateException(what + " exited with " + p.exitValue() + " while starting:\n" + log);
            }
            if (t.healthy()) {
                t.readyMillis = (System.nanoTime() - start) / 1_000_000;
                return t;
            }
            Thread.sleep(20);
        }
        stop.close();
        throw new IllegalStateException(what + " did not answer /v1/health within 30 s");
    }

    /** Milliseconds from starting the child process to its first healthy answer; -1 when not started here. */
    public long readyMillis() {
        return readyMillis;
    }

    /**
     * Profiles the server's measured windows with JDK Flight Recorder into this folder (through {@code jcmd}, so
     * only for a server whose pid is known).
     */
    void profileInto(Path dir) {
        this.profileDir = dir;
    }

    /**
     * Called by a scenario when its measured window starts: starts a recording, if asked for. {@code jcmd} takes
     * a few hundred milliseconds, so it runs beside the scenario and the recording starts a little late.
     */
    void measurementStarted() {
        if (profileDir != null && stats != null) {
            Path file = profileDir.resolve(name().toLowerCase(Locale.ROOT) + "-" + (recordings.size() + 1) + ".jfr")
                .toAbsolutePath();
            recordings.add(file);
            starting = Thread.ofVirtual().start(() -> JdkTools.jcmd(stats.pid(), "JFR.start", "name=bench", "settings=profile",
                "filename=" + file));
        }
    }

    /** Called by a scenario when its measured window ends: stops and writes the recording. */
    void measurementEnded() {
        Thread t = starting;
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            starting = null;
            JdkTools.jcmd(stats.pid(), "JFR.stop", "name=bench");
        }
    }

    /** The flight recordings of the measured windows, one per window, if asked for. */
    List<Path> recordings() {
        return List.copyOf(recordings);
    }

    /** Whether the server answers {@code GET /v1/health} with 200. */
    public boolean healthy() {
        try {
            return http.send(HttpRequest.newBuilder(url.resolve("/v1/health")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public boolean isRelay() {
        return relay;
    }

    /** "Parley", "relay" or "Parley-VARIANT", for tables. */
    public String name() {
        return label;
    }

    public URI url() {
        return url;
    }

    /** The server's CPU seconds so far; -1 when its process is unknown (or it runs in the generator's). */
    public double cpuSeconds() {
        return stats == null ? -1 : stats.cpuSeconds();
    }

    /** The server's resident memory in bytes; -1 when unknown. */
    public long rssBytes() {
        return stats == null ? -1 : stats.rssBytes().orElse(-1);
    }

    /** The server's used heap right after a full GC (through {@code jcmd}); -1 when unknown. */
    public long heapAfterGc() {
        return stats == null ? -1 : JdkTools.heapAfterGc(stats.pid());
    }

    public String description() {
        return description;
    }

    /**
     * Registers (if new) and logs in {@code n} users named {@code <prefix>_<i>}, a few at a time. On the relay a
     * user is just its name, which is also its token.
     */
    public List<Credentials> accounts(ParleyClient client, String prefix, int n) throws Exception {
        List<Credentials> result = new ArrayList<>();
        if (relay) {
            for (int i = 0; i < n; i++) {
                result.add(new Credentials(prefix + "_" + i, prefix + "_" + i, "relay"));
            }
            return result;
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Credentials>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = prefix + "_" + i;
                futures.add(pool.submit(() -> account(client, name)));
            }
            for (Future<Credentials> f : futures) {
                result.add(f.get());
            }
        }
        return result;
    }

    private static Credentials account(ParleyClient client, String name) {
        try {
            client.register(name, PASSWORD, null);
        } catch (ParleyApiException e) {
            if (e.status() != 409) {
                throw e;
            }
        }
        return client.login(name, PASSWORD, "bench");
    }

    /** Creates a group of the owner and the members; returns its conversation id. */
    public String createGroup(ParleyClient client, Credentials owner, List<Credentials> members) {
        List<String> ids = members.stream().map(Credentials::userId).toList();
        if (!relay) {
            return client.createGroup(owner.token(), "bench", ids).conversationId();
        }
        String id = "g-" + UUID.randomUUID();
        List<String> roster = new ArrayList<>(ids);
        roster.add(owner.userId());
        try {
            int status = http.send(HttpRequest.newBuilder(url.resolve("/relay/groups/" + id))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(FrameCodec.INSTANCE.mapper().writeValueAsBytes(roster)))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 204) {
                throw new IllegalStateException("the relay answered " + status + " to a group");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return id;
    }

    @Override
    public void close() throws Exception {
        http.close();
        stop.close();
    }
}
