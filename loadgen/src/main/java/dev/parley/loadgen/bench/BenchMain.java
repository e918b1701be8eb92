package dev.parley.loadgen.bench;

import dev.parley.loadgen.BenchServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./parley bench SCENARIO}: runs a scenario against a server and writes a Markdown report with PNG plots
 * into a results folder. The server is the one at {@code --url}, or one this command starts as a child process from
 * {@code --server-jar} (a separate JVM, so the report can tell its CPU and memory from the generator's), or, without
 * either, one in this process.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = BenchMain.Direct.class,
    description = "Load generator and benchmarks over the real wire protocol (loopback only).")
public final class BenchMain {
    @Option(names = "--url", description = "A running server (default: start one).")
    URI url;

    @Option(names = "--server-pid", description = "The pid of the server at --url, to report its CPU use.")
    Long serverPid;

    @Option(names = "--server-jar", description = "Start the server from this jar as a child process.")
    Path serverJar;

    @Option(names = "--out", description = "Where results folders go (default: ${DEFAULT-VALUE}).",
        defaultValue = "bench-results")
    Path out;

    @Option(names = "--quick", description = "A few seconds at small scale (checks the harness, not speed).")
    boolean quick;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    /** The server a scenario runs against, and how to stop it. */
    record Target(URI url, ProcessStats stats, AutoCloseable stop, String description) {
    }

    Target target() throws Exception {
        if (url != null) {
            return new Target(url, serverPid == null ? null : new ProcessStats(serverPid), () -> { },
                "the server at " + url);
        }
        if (serverJar != null) {
            return child(serverJar);
        }
        BenchServer in = BenchServer.start("sqlite", Map.of());
        return new Target(URI.create("http://127.0.0.1:" + in.port()), null, in,
            "a server in the generator's own process (SQLite, fresh data directory)");
    }

    /** Starts the server jar on a free loopback port with a fresh data directory and bench settings. */
    private static Target child(Path jar) throws Exception {
        Path data = Files.createTempDirectory("parley-bench-data-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+ExitOnOutOfMemoryError",
            "-jar", jar.toString(), "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
            "--data-dir", data.toString()));
        BenchServer.SETUP_SETTINGS.forEach((k, v) -> command.addAll(List.of("--set", k + "=" + v)));
        Process p = new ProcessBuilder(command)
            .redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
        URI url = URI.create("http://127.0.0.1:" + port);
        AutoCloseable stop = () -> {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            BenchServer.deleteTree(data);
        };
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                String log = Files.readString(data.resolve("server.log"));
                stop.close();
                throw new IllegalStateException("the server exited with " + p.exitValue() + " while starting:\n"
                    + log);
            }
            try {
                if (http.send(HttpRequest.newBuilder(url.resolve("/v1/health")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return new Target(url, new ProcessStats(p.pid()), stop,
                        "a server started from " + jar.getFileName() + " as a child process (pid " + p.pid()
                            + ", SQLite, fresh data directory)");
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        stop.close();
        throw new IllegalStateException("the server did not answer /v1/health within 30 s");
    }

    Path resultsDir(String scenario) {
        return out.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
            + scenario);
    }

    @Command(name = "direct", mixinStandardHelpOptions = true,
        description = "1:1 messages to random peers at a fixed offered rate (open loop); loss/order checked.")
    static final class Direct implements Callable<Integer> {
        @ParentCommand
        BenchMain bench;

        @Option(names = "--users", defaultValue = "1000", description = "Users, one connection each.")
        int users;

        @Option(names = "--peers", defaultValue = "10",
            description = "Contacts per user; their conversations are created before measuring.")
        int peers;

        @Option(names = "--rate", defaultValue = "2000", description = "Offered messages per second.")
        double rate;

        @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per run.")
        int seconds;

        @Option(names = "--warmup", defaultValue = "10",
            description = "Unmeasured seconds before each run (JIT warm-up of a fresh server takes several).")
        int warmup;

        @Option(names = "--find-max", description = "Step the rate up (x1.5) until p99 > 100 ms or any loss; "
            + "report the highest rate that held.")
        boolean findMax;

        @Option(names = "--max-steps", defaultValue = "8", description = "Most steps of --find-max.")
        int maxSteps;

        @Override
        public Integer call() throws Exception {
            if (bench.quick) {
                users = Math.min(users, 50);
                rate = Math.min(rate, 500);
                seconds = Math.min(seconds, 3);
                warmup = Math.min(warmup, 1);
                maxSteps = Math.min(maxSteps, 2);
            }
            List<DirectScenario.Result> runs = new ArrayList<>();
            DirectScenario.Result best = null;
            Target t = bench.target();
            try (AutoCloseable stop = t.stop();
                 DirectScenario s = new DirectScenario(t.url(), users, Math.min(peers, users - 1), "bench" + ProcessHandle.current().pid(),
                     t.stats(), System.out)) {
                double r = rate;
                for (int step = 0; step < (findMax ? maxSteps : 1); step++) {
                    System.out.printf("direct: %d users, %.0f msg/s offered, %d s (+%d s warm-up)%n", users, r,
                        seconds, warmup);
                    DirectScenario.Result res = s.run(r, warmup, seconds);
                    runs.add(res);
                    boolean held = res.clean() && res.ms(res.delivery(), 99) <= 100;
                    System.out.printf("direct: %.0f delivered/s, p99 %.2f ms, lost %d, dup %d, out of order %d%n",
                        res.deliveredPerSecond(), res.ms(res.delivery(), 99), res.lost(), res.duplicates(),
                        res.outOfOrder());
                    if (!held) {
                        break;
                    }
                    best = res;
                    r *= 1.5;
                }
                Path dir = bench.resultsDir("direct");
                Report report = new Report(dir, "Parley benchmark: direct (1:1 messages)",
                    "./parley bench" + (bench.quick ? " --quick" : "") + " direct --users " + users + " --peers "
                        + peers + " --rate "
                        + rate + " --seconds " + seconds + " --warmup " + warmup + (findMax ? " --find-max" : ""));
                report.line("Server: " + t.description() + ".\n")
                    .line("Open loop: each message is due at a fixed rate and its latency counts from that due "
                        + "time (corrected for coordinated omission). End-to-end = due time to the recipient's "
                        + "`message`; sent-ack = due time to the sender's `sent` (stored durably). Every message "
                        + "is checked: lost, duplicated, or out of order per (sender, recipient).\n")
                    .directTable(runs);
                if (findMax) {
                    report.line(best == null ? "**No rate held** (p99 <= 100 ms and no loss) from " + rate
                        + " msg/s.\n" : String.format(Locale.ROOT, "**Highest sustained rate: %.0f msg/s** "
                        + "(p99 %.2f ms, no loss).%n", best.offeredRate(), best.ms(best.delivery(), 99)));
                }
                DirectScenario.Result last = runs.get(runs.size() - 1);
                report.latencyOverTime("latency-over-time", String.format(Locale.ROOT,
                    "direct, %.0f msg/s offered: end-to-end latency per second", last.offeredRate()),
                    last.timeline());
                report.percentiles("latency-percentiles", "direct: end-to-end latency by percentile",
                    runs.stream().map(x -> String.format(Locale.ROOT, "%.0f msg/s", x.offeredRate()))
                        .toList(), runs.stream().map(DirectScenario.Result::delivery).toList());
                System.out.println("report: " + report.write().toAbsolutePath());
                return runs.stream().allMatch(DirectScenario.Result::clean) || findMax && best != null ? 0 : 1;
            }
        }
    }
}
