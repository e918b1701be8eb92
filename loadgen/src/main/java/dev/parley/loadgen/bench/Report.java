package dev.parley.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Writes a run's results folder: {@code report.md} and its PNG plots. */
public final class Report {
    private final Path dir;
    private final StringBuilder md = new StringBuilder();

    public Report(Path dir, String title, String command) throws IOException {
        this.dir = Files.createDirectories(dir);
        md.append("# ").append(title).append("\n\n");
        md.append("Command: `").append(command).append("`\n\n");
        md.append(String.format(Locale.ROOT, "Machine: %d cores, %d MiB max heap for the generator, Java %s, %s %s%n%n",
            Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, Runtime.version(),
            System.getProperty("os.name"), System.getProperty("os.version")));
    }

    public Path dir() {
        return dir;
    }

    public Report line(String text) {
        md.append(text).append('\n');
        return this;
    }

    /** The hottest methods of each profiled server (from its flight recording), if any. */
    public Report hotMethods(Map<String, String> byServer) {
        byServer.forEach((server, text) -> md.append("Hottest methods of ").append(server)
            .append(" in its last measured window (JFR execution samples; the .jfr is in this folder):\n\n```\n")
            .append(text).append("```\n\n"));
        return this;
    }

    /** Which servers ran, in order (name to description). */
    public Report servers(Map<String, String> described) {
        md.append("Servers, one after the other:\n\n");
        described.forEach((name, what) -> md.append("- **").append(name).append("**: ").append(what).append('\n'));
        md.append('\n');
        return this;
    }

    /** p50 and p99 end-to-end latency against the offered rate, one line per server and percentile. */
    public Report latencyVsRate(String file, String title, List<DirectScenario.Result> runs) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(450).title(title).xAxisTitle("offered msg/s")
            .yAxisTitle("latency, ms").build();
        chart.getStyler().setYAxisLogarithmic(true);
        for (String target : runs.stream().map(DirectScenario.Result::target).distinct().toList()) {
            List<DirectScenario.Result> mine = runs.stream().filter(r -> r.target().equals(target)).toList();
            List<Double> x = mine.stream().map(DirectScenario.Result::offeredRate).toList();
            for (double p : new double[] {50, 99}) {
                List<Double> y = mine.stream().map(r -> Math.max(0.001, Second.ms(r.delivery(), p))).toList();
                chart.addSeries(String.format(Locale.ROOT, "%s p%.0f", target, p), x, y);
            }
        }
        return save(chart, file);
    }

    /** The results table of one or more runs of the {@code direct} scenario. */
    public Report directTable(List<DirectScenario.Result> runs) {
        md.append("| server | offered msg/s | delivered msg/s | e2e p50 / p99 / p99.9 / max ms | sent-ack p50 / p99 ms "
            + "| sent | lost | dup | out of order | generator CPU % | server CPU % |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (DirectScenario.Result r : runs) {
            md.append(String.format(Locale.ROOT,
                "| %s | %.0f | %.0f | %.2f / %.2f / %.2f / %.2f | %.2f / %.2f | %d | %d | %d | %d | %.0f | %s |%n",
                r.target(), r.offeredRate(), r.deliveredPerSecond(), r.ms(r.delivery(), 50), r.ms(r.delivery(), 99),
                r.ms(r.delivery(), 99.9), r.delivery().getMaxValue() / 1e6, r.ms(r.ack(), 50), r.ms(r.ack(), 99),
                r.sent(), r.lost(), r.duplicates(), r.outOfOrder(), r.generatorCpuPercent(),
                percent(r.serverCpuPercent())));
        }
        md.append('\n');
        return this;
    }

    /** The results table of the {@code connections} scenario, with what the memory figures project to. */
    public Report connectionsTable(List<ConnectionsScenario.Result> runs) {
        md.append("| server | connections | ramp s | connections/s | RSS before / after MiB | RSS per connection KiB "
            + "| heap per connection KiB | idle server CPU % | dropped | failed |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (ConnectionsScenario.Result r : runs) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.0f | %s / %s | %s | %s | %s | %d | %d |%n",
                r.target(), r.connections(), r.rampSeconds(), r.connectionsPerSecond(), mib(r.rssBefore()),
                mib(r.rssAfter()), kib(r.rssPerConnection()), kib(r.heapPerConnection()),
                percent(r.idleServerCpuPercent()), r.dropped(), r.failed()));
        }
        md.append('\n');
        for (ConnectionsScenario.Result r : runs) {
            if (!Double.isNaN(r.rssPerConnection()) && r.rssPerConnection() > 0) {
                md.append(String.format(Locale.ROOT, "%s: at %.1f KiB per connection, 16 GiB of memory would hold "
                    + "about %,.0f connections (memory alone; one process here is capped by open files).%n%n",
                    r.target(), r.rssPerConnection() / 1024, 16.0 * (1L << 30) / r.rssPerConnection()));
            }
        }
        return this;
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
    }

    private static String kib(double bytes) {
        return Double.isNaN(bytes) ? "n/a" : String.format(Locale.ROOT, "%.1f", bytes / 1024);
    }

    /** This process's open-file limit, as a sentence for a report. */
    static String fileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return "Open files per process on this machine: " + f[0] + " (soft), " + f[1] + " (hard); each "
                        + "connection is one on each side, so one server process here holds at most about that many.";
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "";
    }

    /** The results of the {@code overload} scenario. */
    public Report overloadTable(List<BenchMain.OverloadRun> runs) {
        md.append("| server | offered msg/s | acknowledged | refused | delivered/s | lost (acknowledged, not delivered) "
            + "| duplicates | e2e p50 / p99 ms | typing sent / received | shed (by type) | health failures "
            + "| max RSS MiB | up after |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (BenchMain.OverloadRun o : runs) {
            DirectScenario.Result r = o.result();
            StringBuilder shed = new StringBuilder();
            o.shed().forEach((type, n) -> shed.append(shed.isEmpty() ? "" : ", ").append(type).append(' ')
                .append(String.format(Locale.ROOT, "%.0f", n)));
            md.append(String.format(Locale.ROOT,
                "| %s | %.0f | %d | %d | %.0f | %d | %d | %.1f / %.1f | %d / %d | %s | %d | %s | %s |%n",
                r.target(), r.offeredRate(), r.acked(), r.failedSends(), r.deliveredPerSecond(), r.lost(),
                r.duplicates(), r.ms(r.delivery(), 50), r.ms(r.delivery(), 99), r.typingSent(), r.typingReceived(),
                shed.isEmpty() ? "none" : shed, o.healthFailures(), mib(o.maxRss()), o.alive() ? "yes" : "**no**"));
        }
        md.append('\n');
        return this;
    }

    /** The rounds of the {@code catch-up} scenario. */
    public Report catchUpTable(List<CatchUpScenario.Result> runs) {
        md.append("| server | round | messages | conversations | ready ms | synced ms | messages/s | duplicates "
            + "| out of order | from earlier rounds |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (CatchUpScenario.Result r : runs) {
            for (CatchUpScenario.Round x : r.rounds()) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.0f | %.0f | %.0f | %d | %d | %d |%n",
                    r.target(), x.round(), x.received(), r.conversations(), x.readyMs(), x.syncedMs(),
                    x.received() / (x.syncedMs() / 1000), x.duplicates(), x.outOfOrder(), x.older()));
            }
        }
        md.append('\n');
        return this;
    }

    /** The results table of the {@code group} scenario, with each run's ratio to the baseline's. */
    public Report groupTable(List<GroupScenario.Result> runs) {
        GroupScenario.Result base = runs.stream().filter(r -> r.target().equals("relay")).findFirst().orElse(null);
        md.append("| server | members | in flight | messages/s | deliveries/s | ratio to relay | send to last delivery "
            + "p50 / p99 / max ms | lost | out of order | receivers closed | generator CPU % | server CPU % |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (GroupScenario.Result r : runs) {
            Histogram h = r.lastDelivery();
            md.append(String.format(Locale.ROOT,
                "| %s | %d | %d | %.0f | %.0f | %s | %.2f / %.2f / %.2f | %d | %d | %d | %.0f | %s |%n",
                r.target(), r.members(), r.window(), r.messagesPerSecond(), r.deliveriesPerSecond(),
                base == null ? "n/a" : String.format(Locale.ROOT, "%.2f", r.deliveriesPerSecond()
                    / base.deliveriesPerSecond()), Second.ms(h, 50), Second.ms(h, 99), h.getMaxValue() / 1e6,
                r.lost(), r.outOfOrder(), r.closed(), r.generatorCpuPercent(), percent(r.serverCpuPercent())));
        }
        md.append('\n');
        return this;
    }

    static String percent(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.0f", value);
    }

    /** A plot of p50/p99/p99.9/max per second of a run. */
    public Report latencyOverTime(String file, String title, List<Second> timeline)
        throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(450).title(title).xAxisTitle("second")
            .yAxisTitle("latency, ms").build();
        chart.getStyler().setYAxisLogarithmic(true);
        List<Integer> x = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> p999 = new ArrayList<>();
        List<Double> max = new ArrayList<>();
        for (Second s : timeline) {
            x.add(s.second());
            p50.add(Math.max(0.001, s.p50Ms()));
            p99.add(Math.max(0.001, s.p99Ms()));
            p999.add(Math.max(0.001, s.p999Ms()));
            max.add(Math.max(0.001, s.maxMs()));
        }
        if (x.isEmpty()) {
            return line("(no per-second samples for " + file + ")\n");
        }
        chart.addSeries("p50", x, p50).setMarker(SeriesMarkers.NONE);
        chart.addSeries("p99", x, p99).setMarker(SeriesMarkers.NONE);
        chart.addSeries("p99.9", x, p999).setMarker(SeriesMarkers.NONE);
        chart.addSeries("max", x, max).setMarker(SeriesMarkers.NONE);
        return save(chart, file);
    }

    /** A latency-by-percentile plot (HdrHistogram's percentile distribution, log scale of 1/(1-p)). */
    public Report percentiles(String file, String title, List<String> names, List<Histogram> histograms)
        throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(450).title(title)
            .xAxisTitle("percentile (log scale of 1/(1-p): 1 = p0, 10 = p90, 100 = p99, 1000 = p99.9)")
            .yAxisTitle("latency, ms").build();
        chart.getStyler().setXAxisLogarithmic(true);
        for (int i = 0; i < names.size(); i++) {
            Histogram h = histograms.get(i);
            if (h.getTotalCount() == 0) {
                continue;
            }
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (HistogramIterationValue v : h.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo() / 100;
                if (p >= 1) {
                    break;
                }
                x.add(1 / (1 - p));
                y.add(v.getValueIteratedTo() / 1e6);
            }
            if (!x.isEmpty()) {
                XYSeries s = chart.addSeries(names.get(i), x, y);
                s.setMarker(SeriesMarkers.NONE);
            }
        }
        return save(chart, file);
    }

    private Report save(XYChart chart, String file) throws IOException {
        BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
        md.append("![").append(file).append("](").append(file).append(".png)\n\n");
        return this;
    }

    /** Writes {@code report.md}; returns its path. */
    public Path write() throws IOException {
        return Files.writeString(dir.resolve("report.md"), md);
    }
}
