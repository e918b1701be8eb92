package dev.parley.loadgen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.loadgen.BenchServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
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
    @TempDir
    Path dir;

    @Test
    void directDeliversEveryMessageOnceInOrderAndMeasuresIt() throws Exception {
        try (BenchServer server = BenchServer.start("sqlite", Map.of());
             DirectScenario direct = new DirectScenario(URI.create("http://127.0.0.1:" + server.port()), 10, 3, "t",
                 ProcessStats.self(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
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
    void benchCommandWritesAReportWithPlots() throws Exception {
        int exit = new CommandLine(new BenchMain()).execute("--quick", "--out", dir.toString(), "direct",
            "--users", "8", "--rate", "100", "--seconds", "1", "--warmup", "1");

        assertThat(exit).isZero();
        List<Path> runs;
        try (Stream<Path> s = Files.list(dir)) {
            runs = s.toList();
        }
        assertThat(runs).hasSize(1);
        String report = Files.readString(runs.get(0).resolve("report.md"));
        assertThat(report).contains("| offered msg/s |").contains("latency-over-time.png")
            .contains("latency-percentiles.png");
        assertThat(Files.size(runs.get(0).resolve("latency-over-time.png"))).isPositive();
        assertThat(Files.size(runs.get(0).resolve("latency-percentiles.png"))).isPositive();
    }
}
