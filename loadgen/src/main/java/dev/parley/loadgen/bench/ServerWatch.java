package dev.parley.loadgen.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watches a server while a scenario runs: polls {@code /v1/health} twice a second (a failure is no answer within
 * two seconds, or not 200) and samples its resident memory. Also reads the frames it shed from {@code /metrics}.
 */
final class ServerWatch implements AutoCloseable {
    private static final Pattern SHED = Pattern.compile("^parley_frames_shed_total\\{[^}]*type=\"([a-z]+)\"[^}]*} "
        + "([0-9.eE+]+)$", Pattern.MULTILINE);

    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong maxRss = new AtomicLong(-1);
    private final Thread poller;
    private volatile boolean stop;

    ServerWatch(Target target) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(target.url().resolve("/v1/health"))
            .timeout(Duration.ofSeconds(2)).build();
        poller = Thread.ofPlatform().daemon().name("server-watch").start(() -> {
            try (http) {
                while (!stop) {
                    try {
                        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                            failures.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    }
                    maxRss.accumulateAndGet(target.rssBytes(), Math::max);
                    Thread.sleep(500);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    long healthFailures() {
        return failures.get();
    }

    /** The highest resident memory seen; -1 when unknown. */
    long maxRss() {
        return maxRss.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        poller.join(5_000);
    }

    /** Frames the server has shed so far, by type, from its Prometheus metrics (empty for the relay). */
    static Map<String, Double> shed(Target target) {
        Map<String, Double> byType = new TreeMap<>();
        if (target.isRelay()) {
            return byType;
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            String text = http.send(HttpRequest.newBuilder(target.url().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = SHED.matcher(text);
            while (m.find()) {
                byType.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        } catch (IOException e) {
            // no metrics: nothing known to be shed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return byType;
    }
}
