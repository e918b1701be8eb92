package dev.parley.loadgen.bench;

import dev.parley.client.ConnectOptions;
import dev.parley.client.Credentials;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import dev.parley.loadgen.LeanReceiver;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The {@code group} scenario: one group of M members (default 1024, WhatsApp's limit), every member connected, one
 * member sending in a loop with W messages in flight, where a message is in flight until the last member got it.
 * This closed loop finds the fan-out capacity (deliveries per second: message frames received by all members
 * together) with bounded queues; the latency reported is from the send to the <em>last</em> member's delivery, at
 * that capacity. Receivers are lean Netty clients (no JSON parsing) that acknowledge cumulatively every K messages,
 * so the generator takes little of the machine. Every receiver checks that it gets every message once, in one
 * increasing {@code seq} order.
 */
public final class GroupScenario implements AutoCloseable {
    /** What one run measured. */
    public record Result(String target, int members, int window, int seconds, double messagesPerSecond,
                         double deliveriesPerSecond, Histogram lastDelivery, List<Second> timeline, long sent,
                         long lost, long outOfOrder, long closed, double generatorCpuPercent,
                         double serverCpuPercent) {
        public boolean clean() {
            return lost == 0 && outOfOrder == 0 && closed == 0;
        }
    }

    private static final int SLOTS = 1 << 16;
    private static final String PADDING = "x".repeat(60);
    private static final Duration DRAIN = Duration.ofSeconds(20);

    private final Target target;
    private final int members;
    private final int receivers;
    private final PrintStream progress;
    private final ParleyClient client;
    private final EventLoopGroup loop = LeanReceiver.newGroup(1);
    private final List<Channel> channels = new ArrayList<>();
    private final ParleyConnection sender;
    private String conversation;
    /** Per receiver, the highest seq it got; only the receivers' single event loop thread touches it. */
    private final long[] lastSeq;
    private final LongAdder deliveries = new LongAdder();
    private final AtomicLong outOfOrder = new AtomicLong();
    private final AtomicLong closed = new AtomicLong();
    private final AtomicIntegerArray counts = new AtomicIntegerArray(SLOTS);
    private final Recorder lastDelivery = new Recorder(3);
    private volatile Semaphore inFlight = new Semaphore(0);

    public GroupScenario(Target target, int members, int ackEvery, String prefix, PrintStream progress)
        throws Exception {
        if (members < 2) {
            throw new IllegalArgumentException("members: " + members + " (expected: at least 2)");
        }
        this.target = target;
        this.members = members;
        this.receivers = members - 1;
        this.progress = progress;
        this.lastSeq = new long[receivers];
        this.client = ParleyClient.create(target.url());
        progress.printf("group (%s): setting up %d members...%n", target.name(), members);
        try {
            sender = setUp(prefix, ackEvery);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private ParleyConnection setUp(String prefix, int ackEvery) throws Exception {
        List<Credentials> creds = target.accounts(client, prefix, members);
        conversation = target.createGroup(client, creds.get(0), creds.subList(1, members));
        URI ws = URI.create("ws://" + target.url().getHost() + ":" + target.url().getPort() + "/v1/ws");
        List<CompletableFuture<Channel>> pending = new ArrayList<>();
        for (int i = 0; i < receivers; i++) {
            int me = i;
            pending.add(LeanReceiver.connect(loop, ws, creds.get(i + 1).token(), conversation, ackEvery,
                (seq, sentNanos) -> received(me, seq, sentNanos)));
            if (pending.size() % 100 == 0) {
                CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            }
        }
        for (CompletableFuture<Channel> f : pending) {
            Channel ch = f.get(60, TimeUnit.SECONDS);
            ch.closeFuture().addListener(x -> closed.incrementAndGet());
            channels.add(ch);
        }
        ParleyConnection s = client.connect(creds.get(0).token(), ConnectOptions.defaults().withRecordInbox(false))
            .join();
        s.awaitSynced(Duration.ofSeconds(30));
        return s;
    }

    /** On the receivers' event loop: one message frame reached receiver {@code me}. */
    private void received(int me, long seq, long sentNanos) {
        if (sentNanos < 0) {
            return; // a system message (the group's creation), not one of ours
        }
        if (seq <= lastSeq[me]) {
            outOfOrder.incrementAndGet();
        }
        lastSeq[me] = Math.max(lastSeq[me], seq);
        deliveries.increment();
        int slot = (int) (seq & (SLOTS - 1));
        if (counts.incrementAndGet(slot) == receivers) {
            counts.set(slot, 0);
            lastDelivery.recordValue(Math.max(0, System.nanoTime() - sentNanos));
            inFlight.release(); // every member has it: the next may go
        }
    }

    /** Sends with {@code window} messages in flight for {@code warmup + seconds}, measuring the last seconds. */
    public Result run(int window, int warmup, int seconds) throws InterruptedException {
        long deliveriesBefore = deliveries.sum();
        long outOfOrderBefore = outOfOrder.get();
        inFlight = new Semaphore(window);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong sent = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Semaphore permits = inFlight;
        Thread loopThread = Thread.ofPlatform().name("group-sender").start(() -> {
            while (!stop.get()) {
                try {
                    if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                sent.incrementAndGet();
                sender.sendToConversation(conversation, System.nanoTime() + " " + PADDING).whenComplete((ok, err) -> {
                    if (ok != null) {
                        acked.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        permits.release(); // not stored: nobody will get it
                    }
                });
            }
        });
        Thread.sleep(warmup * 1000L);
        target.measurementStarted();
        lastDelivery.reset();
        ProcessStats self = ProcessStats.self();
        double gen0 = self.cpuSeconds();
        double srv0 = target.cpuSeconds();
        long t0 = System.nanoTime();
        long msgs0 = acked.get();
        long del0 = deliveries.sum();
        Histogram total = new Histogram(3);
        List<Second> timeline = new ArrayList<>();
        long previous = del0;
        for (int s = 1; s <= seconds; s++) {
            Thread.sleep(Math.max(0, (t0 + s * 1_000_000_000L - System.nanoTime()) / 1_000_000));
            Histogram h = lastDelivery.getIntervalHistogram();
            total.add(h);
            long now = deliveries.sum();
            timeline.add(Second.of(s, now - previous, h, progress));
            previous = now;
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double messages = (acked.get() - msgs0) / wall;
        double perSecond = (deliveries.sum() - del0) / wall;
        double gen1 = self.cpuSeconds();
        double srv1 = target.cpuSeconds();
        target.measurementEnded();
        stop.set(true);
        loopThread.join(5_000);
        // drain: every answer comes, and every stored message reaches every receiver
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (acked.get() + failed.get() < sent.get() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long expected = acked.get() * receivers;
        while (deliveries.sum() - deliveriesBefore < expected && System.nanoTime() < deadline && closed.get() == 0) {
            Thread.sleep(20);
        }
        long lost = Math.max(0, acked.get() * receivers - (deliveries.sum() - deliveriesBefore));
        return new Result(target.name(), members, window, seconds, messages, perSecond, total, timeline,
            acked.get(), lost + failed.get() * receivers, outOfOrder.get() - outOfOrderBefore, closed.get(),
            ProcessStats.percent(gen0, gen1, wall), ProcessStats.percent(srv0, srv1, wall));
    }

    @Override
    public void close() {
        if (sender != null) { // null when setting up failed
            sender.abort();
        }
        channels.forEach(Channel::close);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        client.close();
    }
}
