package dev.parley.loadgen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Keeps the benchmark harness working: every scenario for a few seconds at tiny scale. It checks correctness (no
 * loss, no duplicates, order, a report with its plots), never speed.
 */
class BenchHarnessTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void directDeliversEveryMessageOnceInOrderAndMeasuresIt() throws Exception {
        try (Target server = Target.parleyInProcess(Map.of());
             DirectScenario direct = new DirectScenario(server, 10, 3, "t", QUIET)) {
            DirectScenario.Result r = direct.run(200, 1, 2);

            assertThat(r.sent()).isBetween(550L, 650L); // 3 s at 200/s, open loop
            assertThat(r.delivered()).isEqualTo(r.sent());
            assertThat(r.acked()).isEqualTo(r.sent());
            assertThat(r.clean()).isTrue();
            assertThat(r.delivery().getTotalCount()).isBetween(300L, 450L); // the 2 measured seconds
            assertThat(r.ack().getTotalCount()).isPositive();
            assertThat(r.timeline()).hasSizeBetween(2, 3);
            assertThat(r.deliveredPerSecond()).isBetween(100.0, 300.0);

            // a second run on the same connections continues the per-pair counters
            assertThat(direct.run(300, 0, 1).clean()).isTrue();
        }
    }

    @Test
    void groupDeliversEveryMessageToEveryMemberInOneOrder() throws Exception {
        for (Target server : List.of(Target.relayInProcess(), Target.parleyInProcess(Map.of()))) {
            try (server; GroupScenario group = new GroupScenario(server, 12, 5, "g", QUIET)) {
                GroupScenario.Result r = group.run(4, 1, 2);

                assertThat(r.sent()).as(server.name()).isPositive();
                assertThat(r.clean()).as(server.name() + ": " + r).isTrue();
                assertThat(r.deliveriesPerSecond()).isPositive();
                assertThat(r.lastDelivery().getTotalCount()).isPositive();
            }
        }
    }

    @Test
    void connectionsAreHeldWithHeartbeatsAndNoneDrops() throws Exception {
        for (Target server : List.of(Target.relayInProcess(), Target.parleyInProcess(Map.of(
            "websocket.idleTimeoutSeconds", "5")))) {
            try (server) {
                ConnectionsScenario.Result r = ConnectionsScenario.run(server, 40, 7, 1, "c", QUIET);

                assertThat(r.connections()).as(server.name()).isEqualTo(40);
                assertThat(r.clean()).as(server.name() + ": " + r).isTrue(); // pings kept them past the idle timeout
                assertThat(r.connectionsPerSecond()).isPositive();
            }
        }
    }

    @Test
    void catchUpDeliversEveryMissedMessageOnceInOrderBeforeSynced() throws Exception {
        try (Target server = Target.parleyInProcess(Map.of())) {
            CatchUpScenario.Result r = CatchUpScenario.run(server, 300, 6, 2, "u", QUIET);

            assertThat(r.rounds()).hasSize(2);
            assertThat(r.clean()).as(r.toString()).isTrue();
            assertThat(r.rounds()).allSatisfy(x -> {
                assertThat(x.received()).isEqualTo(300);
                assertThat(x.older()).isZero(); // the cursor carried over: nothing from the round before
                assertThat(x.syncedMs()).isPositive();
            });
        }
    }

    @Test
    void allQuickRunsEveryScenarioAgainstParleyAndTheBaselineWithReportsAndPlots() throws Exception {
        int exit = new CommandLine(new BenchMain()).execute("--all", "--quick", "--out", dir.toString());

        assertThat(exit).isZero();
        Map<String, String> reports = new java.util.HashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path run : s.toList()) {
                String name = run.getFileName().toString();
                reports.put(name.substring(name.indexOf('-', 9) + 1), Files.readString(run.resolve("report.md")));
            }
        }
        assertThat(reports).containsOnlyKeys(BenchMain.SCENARIOS);
        assertThat(reports.get("direct")).contains("| relay | 500 |").contains("| Parley | 500 |")
            .contains("Parley / relay at 500 msg/s").contains("latency-over-time-parley.png")
            .contains("latency-percentiles.png");
        assertThat(reports.get("group")).contains("| relay | 20 |").contains("| Parley | 20 |");
        assertThat(reports.get("connections")).contains("| relay | 200 |").contains("| Parley | 200 |");
        assertThat(reports.get("catch-up")).contains("| Parley | 1 | 500 | 10 |");
        assertThat(reports.get("overload")).contains("| relay | 3000 |").contains("| Parley | 3000 |");
        try (Stream<Path> s = Files.walk(dir)) {
            assertThat(s.filter(f -> f.toString().endsWith(".png")).toList()).allSatisfy(png ->
                assertThat(Files.size(png)).isPositive()).hasSizeGreaterThanOrEqualTo(5);
        }
    }
}
