package dev.parley.loadgen.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./parley bench SCENARIO}: runs a scenario against Parley and against the {@link Relay} baseline, one after
 * the other, and writes a Markdown report with PNG plots into a results folder. Parley is the server at
 * {@code --url}, or one this command starts as a child process from {@code --server-jar} (a separate JVM, so the
 * report can tell its CPU and memory from the generator's), or, without either, one in this process. The relay runs
 * the same way: a child process unless the servers run in this process.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    subcommands = {BenchMain.Connections.class, BenchMain.Direct.class, BenchMain.Group.class,
        BenchMain.CatchUp.class, BenchMain.Overload.class},
    description = "Load generator and benchmarks over the real wire protocol (loopback only).")
public final class BenchMain implements Callable<Integer> {
    /** The scenarios {@code --all} runs, in this order. */
    static final List<String> SCENARIOS = List.of("connections", "direct", "group", "catch-up", "overload");

    @Option(names = "--all", description = "Run every scenario (connections, direct, group, catch-up, overload) "
        + "with its defaults, one report each.")
    boolean all;

    @Option(names = "--url", description = "A running Parley server (default: start one).")
    URI url;

    @Option(names = "--server-pid", description = "The pid of the server at --url, to report its CPU use.")
    Long serverPid;

    @Option(names = "--server-jar", description = "Start the server from this jar as a child process.")
    Path serverJar;

    @Option(names = "--server-java-option", paramLabel = "OPTION",
        description = "A JVM option for the child server, e.g. -XX:StartFlightRecording=filename=s.jfr (repeatable).")
    List<String> serverJavaOptions = new ArrayList<>();

    @Option(names = "--out", description = "Where results folders go (default: ${DEFAULT-VALUE}).",
        defaultValue = "bench-results")
    Path out;

    @Option(names = "--quick", description = "A few seconds at small scale (checks the harness, not speed).")
    boolean quick;

    @Option(names = "--profile", description = "Record each measured window of the child server with JDK Flight "
        + "Recorder (a .jfr per window in the results folder) and put its hottest methods in the report.")
    boolean profile;

    @Option(names = "--variant", paramLabel = "NAME:KEY=VALUE[,KEY=VALUE...]",
        description = "After Parley, run the scenario again against a Parley started with these settings too, "
            + "named Parley-NAME (repeatable), e.g. --variant cassandra:messages.type=cassandra,"
            + "messages.contactPoints=127.0.0.1:9042. Ignored with --url.")
    List<String> variants = new ArrayList<>();

    @Option(names = "--no-baseline", negatable = false,
        description = "Skip the relay baseline (by default every scenario runs against it too).")
    boolean noBaseline;

    /** Each server a scenario ran against, by name, as the report describes it. */
    final Map<String, String> described = new LinkedHashMap<>();
    /** The hottest methods of each profiled server's last measured window, by server name. */
    final Map<String, String> hotMethods = new LinkedHashMap<>();
    private Path resultsDir;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    /** {@code --all}: every scenario in turn, each as if run alone with the same common options. */
    @Override
    public Integer call() {
        if (!all) {
            new CommandLine(this).usage(System.out);
            return 2;
        }
        List<String> common = new ArrayList<>(List.of("--out", out.toString()));
        if (url != null) {
            common.addAll(List.of("--url", url.toString()));
        }
        if (serverPid != null) {
            common.addAll(List.of("--server-pid", serverPid.toString()));
        }
        if (serverJar != null) {
            common.addAll(List.of("--server-jar", serverJar.toString()));
        }
        serverJavaOptions.forEach(o -> common.add("--server-java-option=" + o));
        variants.forEach(v -> common.add("--variant=" + v));
        for (String flag : new String[] {quick ? "--quick" : null, profile ? "--profile" : null,
            noBaseline ? "--no-baseline" : null}) {
            if (flag != null) {
                common.add(flag);
            }
        }
        Map<String, Integer> exits = new LinkedHashMap<>();
        for (String scenario : SCENARIOS) {
            List<String> args = new ArrayList<>(common);
            args.add(scenario);
            System.out.println("== " + scenario);
            exits.put(scenario, new CommandLine(new BenchMain()).execute(args.toArray(String[]::new)));
        }
        exits.forEach((s, code) -> System.out.println(s + ": " + (code == 0 ? "ok" : "FAILED (exit " + code + ")")));
        return exits.values().stream().allMatch(c -> c == 0) ? 0 : 1;
    }

    /** A scenario's run against one server. */
    interface OnTarget<R> {
        R run(Target target) throws Exception;
    }

    /**
     * Runs {@code body} against the relay (unless {@code --no-baseline}), then against Parley with these settings;
     * each server is started for its turn and stopped after it, so they never compete for the machine.
     */
    <R> List<R> each(String scenario, Map<String, String> settings, OnTarget<R> body) throws Exception {
        return each(scenario, settings, !noBaseline, body);
    }

    private <R> List<R> each(String scenario, Map<String, String> settings, boolean baseline, OnTarget<R> body)
        throws Exception {
        List<R> results = new ArrayList<>();
        if (baseline) {
            try (Target t = url == null && serverJar == null ? Target.relayInProcess() : Target.relayChild()) {
                results.add(runOn(t, scenario, body));
            }
        }
        try (Target t = parley(settings)) {
            results.add(runOn(t, scenario, body));
        }
        if (url == null) {
            for (String v : variants) {
                int colon = v.indexOf(':');
                Map<String, String> all = new LinkedHashMap<>(settings);
                all.putAll(variantSettings(v));
                try (Target t = parley(all).variant(v.substring(0, colon))) {
                    results.add(runOn(t, scenario, body));
                }
            }
        }
        return results;
    }

    /** The settings of {@code NAME:KEY=VALUE,KEY=VALUE}. */
    static Map<String, String> variantSettings(String variant) {
        int colon = variant.indexOf(':');
        if (colon < 1 || !variant.substring(0, colon).matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("--variant: \"" + variant + "\" (expected: NAME:KEY=VALUE[,KEY=VALUE...] "
                + "with NAME of letters, digits, _ and -)");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (String kv : variant.substring(colon + 1).split(",")) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--variant: \"" + kv + "\" in \"" + variant
                    + "\" (expected: KEY=VALUE)");
            }
            settings.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return settings;
    }

    private <R> R runOn(Target t, String scenario, OnTarget<R> body) throws Exception {
        described.put(t.name(), t.description() + (t.readyMillis() < 0 ? ""
            : "; answered /v1/health " + t.readyMillis() + " ms after its process started"));
        if (profile) {
            t.profileInto(Files.createDirectories(resultsDir(scenario)));
        }
        R result = body.run(t);
        List<Path> recordings = t.recordings();
        if (!recordings.isEmpty()) {
            hotMethods.put(t.name(), JdkTools.hotMethods(recordings.get(recordings.size() - 1), 25));
        }
        return result;
    }

    /** The Parley server under test, started with these settings (when this command starts it). */
    Target parley(Map<String, String> settings) throws Exception {
        if (url != null) {
            return Target.parleyAt(url, serverPid);
        }
        if (serverJar != null) {
            return Target.parleyChild(serverJar, settings, serverJavaOptions);
        }
        return Target.parleyInProcess(settings);
    }

    /** Distinct user names per run, so that a run against a long-lived server (--url) starts fresh. */
    static String prefix(String scenario) {
        return scenario + ProcessHandle.current().pid() + "t" + (System.currentTimeMillis() % 100_000);
    }

    /** This command's results folder (one per command, named by its start time). */
    Path resultsDir(String scenario) {
        if (resultsDir == null) {
            resultsDir = out.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + "-" + scenario);
        }
        return resultsDir;
    }

    /**
     * A scenario's report: its folder, title, the command that reproduces it ({@code args} after the scenario's
     * name) and the servers that ran, in order.
     */
    Report report(String scenario, String title, String args) throws IOException {
        Report r = new Report(resultsDir(scenario), title, "./parley bench" + (quick ? " --quick" : "")
            + (noBaseline ? " --no-baseline" : "") + " " + scenario + " " + args);
        return r.servers(described);
    }

    /** Adds the profiles, writes the report and says where; the exit code is 0 when the run was {@code ok}. */
    int finish(Report report, boolean ok) throws IOException {
        report.hotMethods(hotMethods);
        System.out.println("report: " + report.write().toAbsolutePath());
        return ok ? 0 : 1;
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
            Map<String, DirectScenario.Result> best = new LinkedHashMap<>();
            List<DirectScenario.Result> runs = bench.each("direct", Map.of(), t -> {
                List<DirectScenario.Result> mine = new ArrayList<>();
                try (DirectScenario s = new DirectScenario(t, users, Math.min(peers, users - 1), prefix("direct"),
                    System.out)) {
                    double r = rate;
                    for (int step = 0; step < (findMax ? maxSteps : 1); step++) {
                        System.out.printf("direct (%s): %d users, %.0f msg/s offered, %d s (+%d s warm-up)%n",
                            t.name(), users, r, seconds, warmup);
                        DirectScenario.Result res = s.run(r, warmup, seconds);
                        mine.add(res);
                        System.out.printf("direct (%s): %.0f delivered/s, p99 %.2f ms, lost %d, dup %d, out of "
                            + "order %d%n", t.name(), res.deliveredPerSecond(), res.ms(res.delivery(), 99),
                            res.lost(), res.duplicates(), res.outOfOrder());
                        if (!res.clean() || res.ms(res.delivery(), 99) > 100) {
                            break;
                        }
                        best.put(t.name(), res);
                        r *= 1.5;
                    }
                }
                return mine;
            }).stream().flatMap(List::stream).toList();
            Report report = bench.report("direct", "Parley benchmark: direct (1:1 messages)",
                "--users " + users + " --peers " + peers + " --rate " + rate + " --seconds "
                    + seconds + " --warmup " + warmup + (findMax ? " --find-max --max-steps " + maxSteps : ""))
                .line("Open loop: each message is due at a fixed rate and its latency counts from that due "
                    + "time (corrected for coordinated omission). End-to-end = due time to the recipient's "
                    + "`message`; sent-ack = due time to the sender's `sent` (stored durably by Parley; the relay "
                    + "answers at once). Every message is checked: lost, duplicated, or out of order per (sender, "
                    + "recipient). The relay is the baseline: same protocol, no storage (see `Relay`).\n")
                .directTable(runs);
            if (findMax) {
                for (String name : bench.described.keySet()) {
                    DirectScenario.Result b = best.get(name);
                    if (runs.stream().anyMatch(r -> r.target().equals(name))) {
                        report.line(b == null ? "**" + name + ": no rate held** (p99 <= 100 ms, no loss) from "
                            + rate + " msg/s.\n" : String.format(Locale.ROOT, "**%s: highest sustained rate "
                            + "%.0f msg/s** (p99 %.2f ms, no loss).%n", name, b.offeredRate(),
                            b.ms(b.delivery(), 99)));
                    }
                }
                for (String name : bench.described.keySet()) {
                    if (!name.equals("relay") && best.containsKey(name) && best.containsKey("relay")) {
                        report.line(String.format(Locale.ROOT, "%s sustains %.2f x the relay's rate.%n", name,
                            best.get(name).offeredRate() / best.get("relay").offeredRate()));
                    }
                }
                report.latencyVsRate("latency-vs-rate", "direct: end-to-end latency by offered rate", runs);
            } else if (runs.size() >= 2 && runs.get(0).target().equals("relay")) {
                DirectScenario.Result relay = runs.get(0);
                for (DirectScenario.Result r : runs.subList(1, runs.size())) {
                    report.line(String.format(Locale.ROOT, "%s / relay at %.0f msg/s offered: delivered %.2f x, "
                        + "p99 %.2f ms vs %.2f ms.%n", r.target(), rate, r.deliveredPerSecond()
                        / relay.deliveredPerSecond(), r.ms(r.delivery(), 99), relay.ms(relay.delivery(), 99)));
                }
            }
            for (DirectScenario.Result last : lastPerTarget(runs, DirectScenario.Result::target)) {
                report.latencyOverTime("latency-over-time-" + last.target().toLowerCase(Locale.ROOT),
                    String.format(Locale.ROOT, "direct, %s, %.0f msg/s offered: end-to-end latency per second",
                        last.target(), last.offeredRate()), last.timeline());
            }
            report.percentiles("latency-percentiles", "direct: end-to-end latency by percentile",
                runs.stream().map(x -> String.format(Locale.ROOT, "%s %.0f msg/s", x.target(), x.offeredRate()))
                    .toList(), runs.stream().map(DirectScenario.Result::delivery).toList());
            boolean ok = findMax ? best.size() == bench.described.size()
                : runs.stream().allMatch(DirectScenario.Result::clean);
            return bench.finish(report, ok);
        }
    }

    /** The last result of each server, in the order the servers ran. */
    static <R> List<R> lastPerTarget(List<R> runs, java.util.function.Function<R, String> target) {
        Map<String, R> last = new LinkedHashMap<>();
        runs.forEach(r -> last.put(target.apply(r), r));
        return List.copyOf(last.values());
    }

    @Command(name = "group", mixinStandardHelpOptions = true,
        description = "Fan-out in one large group, every member online; deliveries/s and send-to-last-delivery.")
    static final class Group implements Callable<Integer> {
        @ParentCommand
        BenchMain bench;

        @Option(names = "--members", defaultValue = "1024", description = "Group size, every member connected.")
        int members;

        @Option(names = "--window", defaultValue = "16",
            description = "Messages in flight (sent, not yet delivered to every member).")
        int window;

        @Option(names = "--ack-every", defaultValue = "50",
            description = "Each receiver acknowledges (delivered) every this many messages.")
        int ackEvery;

        @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds.")
        int seconds;

        @Option(names = "--warmup", defaultValue = "5", description = "Unmeasured seconds first.")
        int warmup;

        @Override
        public Integer call() throws Exception {
            if (bench.quick) {
                members = Math.min(members, 20);
                seconds = Math.min(seconds, 2);
                warmup = Math.min(warmup, 1);
            }
            List<GroupScenario.Result> runs = bench.each("group", Map.of("groups.maxMembers",
                Integer.toString(Math.max(members, 2))), t -> {
                    try (GroupScenario s = new GroupScenario(t, members, ackEvery, prefix("group"), System.out)) {
                        System.out.printf("group (%s): %d members, %d in flight, %d s (+%d s warm-up)%n", t.name(),
                            members, window, seconds, warmup);
                        GroupScenario.Result r = s.run(window, warmup, seconds);
                        System.out.printf("group (%s): %.0f deliveries/s, p99 to last delivery %.2f ms, lost %d, "
                            + "out of order %d%n", t.name(), r.deliveriesPerSecond(),
                            Second.ms(r.lastDelivery(), 99), r.lost(), r.outOfOrder());
                        return r;
                    }
                });
            Report report = bench.report("group", "Parley benchmark: group fan-out",
                "--members " + members + " --window " + window + " --ack-every " + ackEvery
                    + " --seconds " + seconds + " --warmup " + warmup)
                .line("One group, every member connected (lean receivers that acknowledge every " + ackEvery
                    + " messages); one member sends with " + window + " messages in flight, a message being in "
                    + "flight until the last member got it (a closed loop: it finds the fan-out capacity with "
                    + "bounded queues). Deliveries = message frames received by all members together. Latency = "
                    + "send to the last member's delivery, at that capacity. Every receiver checks it gets every "
                    + "message once, in increasing seq order.\n")
                .groupTable(runs);
            for (GroupScenario.Result r : runs) {
                report.latencyOverTime("latency-over-time-" + r.target().toLowerCase(Locale.ROOT),
                    String.format(Locale.ROOT, "group of %d, %s: send to last delivery per second", members,
                        r.target()), r.timeline());
            }
            report.percentiles("latency-percentiles", "group: send to last delivery by percentile",
                runs.stream().map(GroupScenario.Result::target).toList(),
                runs.stream().map(GroupScenario.Result::lastDelivery).toList());
            return bench.finish(report, runs.stream().allMatch(GroupScenario.Result::clean));
        }
    }

    @Command(name = "connections", mixinStandardHelpOptions = true,
        description = "Ramp N authenticated WebSocket connections, hold them with heartbeats; memory per connection.")
    static final class Connections implements Callable<Integer> {
        @ParentCommand
        BenchMain bench;

        @Option(names = "--connections", defaultValue = "10000",
            description = "Connections (one user each); at most ~19,000 here (20,000 open files per process).")
        int connections;

        @Option(names = "--hold", defaultValue = "30", description = "Seconds to hold them after the ramp.")
        int hold;

        @Option(names = "--ping-every", defaultValue = "20", description = "Seconds between one connection's pings.")
        int pingEvery;

        @Override
        public Integer call() throws Exception {
            if (bench.quick) {
                connections = Math.min(connections, 200);
                hold = Math.min(hold, 3);
                pingEvery = Math.min(pingEvery, 1);
            }
            List<ConnectionsScenario.Result> runs = bench.each("connections", Map.of(), t ->
                ConnectionsScenario.run(t, connections, hold, pingEvery, prefix("conn"), System.out));
            Report report = bench.report("connections", "Parley benchmark: connections",
                "--connections " + connections + " --hold " + hold + " --ping-every "
                    + pingEvery)
                .line("Each connection is a user of its own: WebSocket upgrade, `auth`, wait for `synced` (at most "
                    + "256 handshakes at once). Then every connection pings every " + pingEvery + " s while they "
                    + "are held. Memory per connection = (after - before) / connections, for the resident set and "
                    + "for the heap after a full GC (`jcmd GC.run`), so it includes each connection's session, "
                    + "buffers and socket. " + Report.fileLimit() + "\n")
                .connectionsTable(runs);
            return bench.finish(report, runs.stream().allMatch(ConnectionsScenario.Result::clean));
        }
    }

    @Command(name = "catch-up", mixinStandardHelpOptions = true,
        description = "A device offline while K messages arrive over C conversations reconnects: time to synced.")
    static final class CatchUp implements Callable<Integer> {
        @ParentCommand
        BenchMain bench;

        @Option(names = "--messages", defaultValue = "10000", description = "Messages per round.")
        int messages;

        @Option(names = "--conversations", defaultValue = "100", description = "Conversations they arrive in.")
        int conversations;

        @Option(names = "--rounds", defaultValue = "5", description = "Reconnections (the first warms up the JIT).")
        int rounds;

        @Override
        public Integer call() throws Exception {
            if (bench.quick) {
                messages = Math.min(messages, 500);
                conversations = Math.min(conversations, 10);
                rounds = Math.min(rounds, 2);
            }
            // The relay stores nothing, so it has nothing to catch up on: no baseline for this scenario.
            List<CatchUpScenario.Result> runs = bench.each("catch-up", Map.of(), false, t ->
                CatchUpScenario.run(t, messages, conversations, rounds, prefix("catchup"), System.out));
            Report report = bench.report("catch-up", "Parley benchmark: catch-up",
                "--messages " + messages + " --conversations " + conversations + " --rounds "
                    + rounds)
                .line("A reader's device is offline while " + messages + " messages arrive from "
                    + conversations + " senders (one 1:1 conversation each); then it connects. Time = opening the "
                    + "connection to `synced`, on the reader, which is the Java SDK parsing every frame and "
                    + "acknowledging as an app does. Every message of the round is checked: once, in order per "
                    + "conversation. There is no relay baseline here: the relay stores nothing to catch up on.\n")
                .catchUpTable(runs);
            return bench.finish(report, runs.stream().allMatch(CatchUpScenario.Result::clean));
        }
    }

    @Command(name = "overload", mixinStandardHelpOptions = true,
        description = "Offered load above capacity, with typing and receipts: the server stays up, loses nothing acknowledged.")
    static final class Overload implements Callable<Integer> {
        @ParentCommand
        BenchMain bench;

        @Option(names = "--users", defaultValue = "500", description = "Users, one connection each.")
        int users;

        @Option(names = "--rate", defaultValue = "30000", description = "Offered messages per second (above capacity).")
        double rate;

        @Option(names = "--typing", defaultValue = "2", description = "typing frames sent with each message.")
        int typing;

        @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds.")
        int seconds;

        @Option(names = "--warmup", defaultValue = "3", description = "Unmeasured seconds first.")
        int warmup;

        @Override
        public Integer call() throws Exception {
            if (bench.quick) {
                users = Math.min(users, 30);
                rate = Math.min(rate, 3000);
                seconds = Math.min(seconds, 2);
                warmup = Math.min(warmup, 1);
            }
            List<OverloadRun> runs = bench.each("overload", Map.of(), t -> {
                try (DirectScenario s = new DirectScenario(t, users, Math.min(10, users - 1), prefix("overload"),
                    System.out); ServerWatch watch = new ServerWatch(t)) {
                    Map<String, Double> shed0 = ServerWatch.shed(t);
                    System.out.printf("overload (%s): %d users, %.0f msg/s offered with %d typing each, %d s%n",
                        t.name(), users, rate, typing, seconds);
                    DirectScenario.Result r = s.run(rate, warmup, seconds, typing);
                    Map<String, Double> shed = ServerWatch.shed(t);
                    shed0.forEach((k, v) -> shed.merge(k, -v, Double::sum));
                    boolean alive = t.healthy();
                    System.out.printf("overload (%s): %.0f delivered/s, %d refused, %d lost, server %s%n", t.name(),
                        r.deliveredPerSecond(), r.failedSends(), r.lost(), alive ? "up" : "DOWN");
                    return new OverloadRun(r, shed, watch.healthFailures(), watch.maxRss(), alive);
                }
            });
            Report report = bench.report("overload", "Parley benchmark: overload",
                "--users " + users + " --rate " + rate + " --typing " + typing
                    + " --seconds " + seconds + " --warmup " + warmup)
                .line("Offered load above capacity: " + users + " users send 1:1 messages at " + rate
                    + " msg/s (open loop) and " + typing + " `typing` frames with each; recipients acknowledge "
                    + "every message (`delivered`, so senders get receipts). A server may refuse messages it "
                    + "cannot take (an `error` instead of `sent`), and shed typing, presence and receipts to a "
                    + "backed-up connection; it must stay up and lose nothing it acknowledged. `/v1/health` is "
                    + "polled twice a second throughout.\n")
                .overloadTable(runs);
            return bench.finish(report, runs.stream().allMatch(x -> x.alive() && x.healthFailures() == 0
                && x.result().nothingAcknowledgedLost()));
        }
    }

    /** One server's overload run: the traffic's result, frames shed by type, health and memory. */
    record OverloadRun(DirectScenario.Result result, Map<String, Double> shed, long healthFailures, long maxRss,
                       boolean alive) {
    }
}
