package dev.parley.loadgen.bench;

import dev.parley.client.Credentials;
import dev.parley.client.ParleyClient;
import dev.parley.loadgen.LeanReceiver;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code connections} scenario: ramps N authenticated WebSocket connections (each a user of its own, each
 * waiting for {@code synced}), holds them for a while with heartbeats, and measures the ramp's connections per
 * second, the server's memory per connection (resident set and, after a full GC, heap), its CPU while the
 * connections idle, and whether any connection dropped. The clients are lean Netty clients on one event loop, so
 * that one generator process holds many thousands of them.
 */
public final class ConnectionsScenario {
    /** What one run measured; memory figures are -1 when the server's pid is unknown. */
    public record Result(String target, int connections, double rampSeconds, double connectionsPerSecond,
                         long rssBefore, long rssAfter, long heapBefore, long heapAfter, double holdSeconds,
                         double idleServerCpuPercent, long dropped, long failed) {
        public double rssPerConnection() {
            return rssBefore < 0 || rssAfter < 0 ? Double.NaN : (double) (rssAfter - rssBefore) / connections;
        }

        public double heapPerConnection() {
            return heapBefore < 0 || heapAfter < 0 ? Double.NaN : (double) (heapAfter - heapBefore) / connections;
        }

        public boolean clean() {
            return dropped == 0 && failed == 0;
        }
    }

    private static final int CONCURRENT_HANDSHAKES = 256;

    private ConnectionsScenario() {
    }

    /**
     * Runs the scenario once against {@code target}.
     *
     * @param pingEvery seconds between one connection's heartbeats (spread evenly over the connections)
     */
    public static Result run(Target target, int n, int holdSeconds, int pingEvery, String prefix, PrintStream progress)
        throws Exception {
        try (ParleyClient client = ParleyClient.create(target.url())) {
            progress.printf("connections (%s): setting up %d users...%n", target.name(), n);
            List<Credentials> users = target.accounts(client, prefix, n);
            long heapBefore = target.heapAfterGc();
            long rssBefore = target.rssBytes();
            EventLoopGroup loop = LeanReceiver.newGroup(1);
            List<Channel> channels = new ArrayList<>();
            AtomicLong dropped = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            try {
                URI ws = URI.create("ws://" + target.url().getHost() + ":" + target.url().getPort() + "/v1/ws");
                Semaphore window = new Semaphore(CONCURRENT_HANDSHAKES);
                long t0 = System.nanoTime();
                long nextReport = t0 + 1_000_000_000L;
                List<CompletableFuture<Channel>> pending = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    window.acquire();
                    CompletableFuture<Channel> f = LeanReceiver.connect(loop, ws, users.get(i).token(), "-", 0,
                        (seq, sent) -> { });
                    f.whenComplete((ch, err) -> window.release());
                    pending.add(f);
                    if (System.nanoTime() >= nextReport) {
                        progress.printf("  %6d connecting or connected%n", i + 1);
                        nextReport += 1_000_000_000L;
                    }
                }
                for (CompletableFuture<Channel> f : pending) {
                    try {
                        Channel ch = f.get(60, TimeUnit.SECONDS);
                        channels.add(ch);
                        ch.closeFuture().addListener(x -> dropped.incrementAndGet());
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
                double ramp = (System.nanoTime() - t0) / 1e9;
                progress.printf("connections (%s): %d connected in %.1f s (%.0f/s), %d failed; holding %d s%n",
                    target.name(), channels.size(), ramp, channels.size() / ramp, failed.get(), holdSeconds);
                long period = TimeUnit.SECONDS.toNanos(pingEvery);
                for (Channel ch : channels) {
                    ch.eventLoop().scheduleAtFixedRate(() -> ch.writeAndFlush(new TextWebSocketFrame(
                        "{\"type\":\"ping\"}")), ThreadLocalRandom.current().nextLong(period), period,
                        TimeUnit.NANOSECONDS);
                }
                double cpu0 = target.cpuSeconds();
                long h0 = System.nanoTime();
                Thread.sleep(holdSeconds * 1000L);
                double hold = (System.nanoTime() - h0) / 1e9;
                double cpu1 = target.cpuSeconds();
                long heapAfter = target.heapAfterGc();
                long rssAfter = target.rssBytes();
                progress.printf("connections (%s): %d dropped while holding%n", target.name(), dropped.get());
                return new Result(target.name(), channels.size(), ramp, channels.size() / ramp, rssBefore, rssAfter,
                    heapBefore, heapAfter, hold, ProcessStats.percent(cpu0, cpu1, hold), dropped.get(),
                    failed.get());
            } finally {
                channels.forEach(Channel::close);
                loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }
}
