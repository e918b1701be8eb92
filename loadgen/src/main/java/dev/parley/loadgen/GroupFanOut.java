package dev.parley.loadgen;

import dev.parley.client.ConnectOptions;
import dev.parley.client.Credentials;
import dev.parley.client.GroupInfo;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Group fan-out through the real gateway: one group of M members (default 1024, WhatsApp's limit), every member
 * connected over loopback, one member sending in a loop with W messages in flight, where a message counts as in
 * flight until the last member got it (so the load adapts to what the server delivers, and queues stay bounded). Measures deliveries per second
 * (message frames received by all members together) and the time from send to the <em>last</em> member's delivery.
 * Receivers are lean Netty clients (no JSON parsing) that acknowledge cumulatively every K messages, so that the
 * generator takes little of the box's two cores. Runs the same load against the volatile baseline store and against
 * SQLite in one process, after a discarded JIT warm-up run, and prints both and their ratio.
 *
 * <p>Usage: {@code GroupFanOut [members=1024] [seconds=10] [window=16] [ackEvery=50] [warmup=3]}
 */
public final class GroupFanOut {
    private static final int SLOTS = 1 << 16;

    record Result(String store, double messagesPerSec, double deliveriesPerSec, Histogram lastDelivery,
                  MeasuredWindow window, long closed) {
    }

    public static void main(String[] args) throws Exception {
        int members = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int ackEvery = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        List<Result> results = new ArrayList<>();
        System.out.println("warm-up run (JIT), not reported:");
        run("volatile-bench", members, Math.max(5, seconds), window, ackEvery, warmup);
        for (String store : List.of("volatile-bench", "sqlite")) {
            results.add(run(store, members, seconds, window, ackEvery, warmup));
        }
        Result base = results.get(0);
        System.out.printf("%n| store | messages/s | deliveries/s | ratio to baseline | send to last delivery p50 / p99"
            + " ms | CPU %% server / generator / JVM | server CPU µs per delivery | receivers closed |%n"
            + "|---|---|---|---|---|---|---|---|%n");
        for (Result r : results) {
            System.out.printf("| %s | %.0f | %.0f | %.2f | %.1f / %.1f | %s | %.2f | %d |%n", r.store(),
                r.messagesPerSec(),
                r.deliveriesPerSec(), r.deliveriesPerSec() / base.deliveriesPerSec(),
                r.lastDelivery().getValueAtPercentile(50) / 1e6, r.lastDelivery().getValueAtPercentile(99) / 1e6,
                r.window().split(), r.window().server() / 100 * 1e6 / r.deliveriesPerSec(), r.closed());
        }
        System.out.printf("%nmembers=%d window=%d ackEvery=%d seconds=%d warmup=%d cores=%d java=%s%n", members,
            window, ackEvery, seconds, warmup, Runtime.getRuntime().availableProcessors(), Runtime.version());
        System.exit(0);
    }

    static Result run(String store, int members, int seconds, int window, int ackEvery, int warmup)
        throws Exception {
        BenchServer server = BenchServer.start(store,
            Map.of("groups.maxMembers", Integer.toString(Math.max(2, members))));
        EventLoopGroup loop = LeanReceiver.newGroup(1);
        int receivers = members - 1;
        LongAdder deliveries = new LongAdder();
        AtomicIntegerArray counts = new AtomicIntegerArray(SLOTS);
        Recorder lastDelivery = new Recorder(3);
        AtomicLong acked = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Channel> channels = new ArrayList<>();
        AtomicLong closed = new AtomicLong();
        Semaphore inFlight = new Semaphore(window);
        URI http = URI.create("http://127.0.0.1:" + server.port());
        URI ws = URI.create("ws://127.0.0.1:" + server.port() + "/v1/ws");
        try (ParleyClient client = ParleyClient.create(http)) {
            List<Credentials> creds = registerAll(client, members);
            GroupInfo group = client.createGroup(creds.get(0).token(), "bench",
                creds.subList(1, members).stream().map(Credentials::userId).toList());
            String conv = group.conversationId();
            LeanReceiver.Sink sink = (seq, sentNanos) -> {
                deliveries.increment();
                int slot = (int) (seq & (SLOTS - 1));
                if (counts.incrementAndGet(slot) == receivers) {
                    counts.set(slot, 0);
                    if (sentNanos > 0) {
                        lastDelivery.recordValue(Math.max(0, System.nanoTime() - sentNanos));
                        inFlight.release(); // every member has it: the next may go
                    }
                }
            };
            List<CompletableFuture<Channel>> pending = new ArrayList<>();
            for (int i = 1; i < members; i++) {
                pending.add(LeanReceiver.connect(loop, ws, creds.get(i).token(), conv, ackEvery, sink));
                if (pending.size() % 100 == 0) {
                    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                }
            }
            for (CompletableFuture<Channel> f : pending) {
                Channel ch = f.get(60, TimeUnit.SECONDS);
                ch.closeFuture().addListener(x -> closed.incrementAndGet());
                channels.add(ch);
            }
            // The "created" message went to everyone before they connected; start counting from a clean slate.
            for (int i = 0; i < SLOTS; i++) {
                counts.set(i, 0);
            }
            ParleyConnection sender = client.connect(creds.get(0).token(), ConnectOptions.defaults()
                .withRecordInbox(false)).join();
            sender.awaitSynced(java.time.Duration.ofSeconds(30));
            String padding = "x".repeat(60);
            Thread loopThread = Thread.ofPlatform().name("group-sender").start(() -> {
                while (!stop.get()) {
                    try {
                        if (!inFlight.tryAcquire(1, TimeUnit.SECONDS)) {
                            continue;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    sender.sendToConversation(conv, System.nanoTime() + " " + padding).whenComplete((ok, err) -> {
                        if (ok != null) {
                            acked.incrementAndGet();
                        } else {
                            inFlight.release(); // not stored: nobody will get it
                        }
                    });
                }
            });
            MeasuredWindow w = MeasuredWindow.measure(warmup, seconds, lastDelivery::getIntervalHistogram,
                acked::get, deliveries::sum);
            Histogram last = lastDelivery.getIntervalHistogram();
            stop.set(true);
            loopThread.join(5_000);
            System.out.printf("%s: %.0f messages/s, %.0f deliveries/s, %d receivers closed%n", store,
                w.perSecond()[0], w.perSecond()[1], closed.get());
            sender.abort();
            return new Result(store, w.perSecond()[0], w.perSecond()[1], last, w, closed.get());
        } finally {
            channels.forEach(Channel::close);
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            server.close();
        }
    }

    /** Registers and logs in {@code n} users, a few at a time. */
    private static List<Credentials> registerAll(ParleyClient client, int n) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Credentials>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = "member" + i;
                futures.add(pool.submit(() -> {
                    client.register(name, "benchmark-password", null);
                    return client.login(name, "benchmark-password", "bench");
                }));
            }
            List<Credentials> result = new ArrayList<>();
            for (Future<Credentials> f : futures) {
                result.add(f.get());
            }
            return result;
        }
    }

    private GroupFanOut() {
    }
}
