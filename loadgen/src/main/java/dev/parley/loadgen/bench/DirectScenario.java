package dev.parley.loadgen.bench;

import dev.parley.client.ConnectOptions;
import dev.parley.client.Credentials;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ServerFrame;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The {@code direct} scenario: M users, one connection each, send 1:1 messages (about 100 bytes) to random peers at a
 * fixed offered rate. Each user talks to K contacts fixed at setup, whose conversations are created before the
 * measurement (as in real use, where a new conversation is rare next to messages in existing ones). Open loop: message i is due at {@code start + i / rate}, is sent then (or at once, if the
 * generator is behind), and every latency is measured from that intended time, so a stalled server cannot hide
 * its stall by slowing the sender down (coordinated omission). Measured: end-to-end latency (intended send to the
 * recipient's {@code message}), {@code sent}-ack latency, and every message checked for loss, duplication and order
 * per (sender, recipient) pair.
 */
public final class DirectScenario implements AutoCloseable {
    /** What one run at one offered rate measured. */
    public record Result(String target, int users, double offeredRate, int seconds, long sent, long acked, long delivered,
                         long lost, long duplicates, long outOfOrder, long skipped, long failedSends,
                         double deliveredPerSecond, Histogram delivery, Histogram ack, List<Second> timeline,
                         double generatorCpuPercent, double serverCpuPercent, long typingSent,
                         long typingReceived) {
        /** Whether every message was stored and arrived once and in order. */
        public boolean clean() {
            return lost == 0 && duplicates == 0 && outOfOrder == 0 && failedSends == 0;
        }

        /**
         * Whether nothing acknowledged was lost or duplicated, where the server may refuse messages (overload): a
         * recipient then sees gaps, but never more missing messages than were refused.
         */
        public boolean nothingAcknowledgedLost() {
            return lost == 0 && duplicates == 0 && skipped <= failedSends;
        }

        public double ms(Histogram h, double percentile) {
            return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
        }
    }

    private static final String PADDING = "x".repeat(60);
    private static final Duration DRAIN = Duration.ofSeconds(60);

    private final int users;
    private final int[][] contacts;
    /** Messages sent so far from each user to each of its contacts (by index); only the sending thread uses it. */
    private final int[][] sentCount;
    private final ParleyClient client;
    private final List<ParleyConnection> connections = new ArrayList<>();
    private final List<String> userIds = new ArrayList<>();
    private final Target target;
    private final PrintStream progress;

    // per run
    private volatile Recorder deliveryRecorder = new Recorder(3);
    private volatile Recorder ackRecorder = new Recorder(3);
    private volatile boolean measuring;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong outOfOrder = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong typingReceived = new AtomicLong();
    /** The conversation of each user with each of its contacts (by index), from the introductions. */
    private final String[][] conversationIds;
    private final ConcurrentHashMap<Long, AtomicInteger> lastReceived = new ConcurrentHashMap<>();

    /**
     * Registers (or logs in) {@code users} users named {@code <prefix>_<i>} and connects each once.
     */
    public DirectScenario(Target target, int users, int peers, String prefix, PrintStream progress)
        throws Exception {
        if (users < 2 || peers < 1 || peers >= users) {
            throw new IllegalArgumentException("users: " + users + ", peers: " + peers
                + " (expected: users >= 2, 1 <= peers < users)");
        }
        this.users = users;
        this.contacts = new int[users][peers];
        this.sentCount = new int[users][peers];
        this.conversationIds = new String[users][peers];
        Random random = new Random(42);
        for (int i = 0; i < users; i++) {
            Set<Integer> chosen = new LinkedHashSet<>();
            while (chosen.size() < peers) {
                int j = random.nextInt(users);
                if (j != i) {
                    chosen.add(j);
                }
            }
            int n = 0;
            for (int j : chosen) {
                contacts[i][n++] = j;
            }
        }
        this.target = target;
        this.progress = progress;
        this.client = ParleyClient.create(target.url());
        progress.printf("direct (%s): setting up %d users and connections...%n", target.name(), users);
        List<Credentials> logins = target.accounts(client, prefix, users);
        ExecutorService pool = Executors.newFixedThreadPool(8, Thread.ofPlatform().name("bench-setup-", 0).factory());
        try {
            List<Future<ParleyConnection>> conns = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                Credentials c = logins.get(i);
                userIds.add(c.userId());
                int index = i;
                conns.add(pool.submit(() -> {
                    ParleyConnection conn = client.connect(c.token(), ConnectOptions.defaults().withAutoAck(true)
                        .withRecordInbox(false).withListener(f -> onFrame(index, f))).join();
                    conn.awaitSynced(Duration.ofSeconds(60));
                    return conn;
                }));
            }
            for (Future<ParleyConnection> f : conns) {
                connections.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        introduce(peers);
    }

    /** Creates every contact's conversation with a first message, a bounded number at a time. */
    private void introduce(int peers) throws InterruptedException {
        progress.printf("direct: creating %d conversations...%n", users * peers);
        Semaphore window = new Semaphore(256);
        AtomicLong failed = new AtomicLong();
        for (int i = 0; i < users; i++) {
            for (int n = 0; n < peers; n++) {
                window.acquire();
                int from = i;
                int contact = n;
                connections.get(i).sendToUser(userIds.get(contacts[i][n]), "i|hello").whenComplete((ok, err) -> {
                    if (err != null) {
                        failed.incrementAndGet();
                    } else {
                        conversationIds[from][contact] = ok.conversationId();
                    }
                    window.release();
                });
            }
        }
        window.acquire(256);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " introductions failed");
        }
    }

    /** Body: {@code <from>|<to>|<k>|<intendedNanos>|padding}: k counts the messages of that pair from 1. */
    private void onFrame(int me, ServerFrame f) {
        if (f instanceof ServerFrame.Typing) {
            typingReceived.incrementAndGet();
            return;
        }
        if (!(f instanceof ServerFrame.Message m) || m.body() == null || !m.body().startsWith("b|")) {
            return;
        }
        long now = System.nanoTime();
        String[] p = m.body().split("\\|", 6);
        int from = Integer.parseInt(p[1]);
        int k = Integer.parseInt(p[3]);
        long intended = Long.parseLong(p[4]);
        int last = lastReceived.computeIfAbsent(pair(from, me), x -> new AtomicInteger()).getAndAccumulate(k,
            Math::max);
        if (k <= last) {
            duplicates.incrementAndGet();
            return;
        }
        if (k != last + 1) {
            outOfOrder.incrementAndGet();
            skipped.addAndGet(k - last - 1L);
        }
        delivered.incrementAndGet();
        if (measuring) {
            deliveryRecorder.recordValue(Math.max(0, now - intended));
        }
    }

    private long pair(int from, int to) {
        return (long) from * users + to;
    }

    /** Sends at {@code rate} messages/s for {@code warmup + seconds}, measuring the last {@code seconds}. */
    public Result run(double rate, int warmup, int seconds) throws InterruptedException {
        return run(rate, warmup, seconds, 0);
    }

    /**
     * As {@link #run(double, int, int)}, and with each message the sender also sends {@code typingPerMessage}
     * {@code typing} frames to that conversation (ephemeral load, which the server may shed).
     */
    public Result run(double rate, int warmup, int seconds, int typingPerMessage) throws InterruptedException {
        delivered.set(0);
        duplicates.set(0);
        outOfOrder.set(0);
        skipped.set(0);
        typingReceived.set(0);
        long typingSent = 0;
        deliveryRecorder = new Recorder(3);
        ackRecorder = new Recorder(3);
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long sentBeforeMeasuring = -1;
        long deliveredBeforeMeasuring = 0;
        long period = (long) (1e9 / rate);
        long start = System.nanoTime();
        long warmEnd = start + warmup * 1_000_000_000L;
        long end = warmEnd + seconds * 1_000_000_000L;
        long nextSecond = warmEnd + 1_000_000_000L;
        Histogram deliveryTotal = new Histogram(3);
        Histogram ackTotal = new Histogram(3);
        List<Second> timeline = new ArrayList<>();
        double genCpu0 = 0;
        double srvCpu0 = 0;
        long sent = 0;
        ProcessStats self = ProcessStats.self();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (long i = 0; ; i++) {
            long due = start + i * period;
            if (due >= end) {
                break;
            }
            if (sentBeforeMeasuring < 0 && due >= warmEnd) {
                sentBeforeMeasuring = sent;
                deliveredBeforeMeasuring = delivered.get();
                deliveryRecorder.reset();
                ackRecorder.reset();
                measuring = true;
                target.measurementStarted();
                genCpu0 = self.cpuSeconds();
                srvCpu0 = target.cpuSeconds();
            }
            while (measuring && due >= nextSecond) {
                timeline.add(second(timeline.size() + 1, deliveryTotal, ackTotal));
                nextSecond += 1_000_000_000L;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int from = random.nextInt(users);
            int contact = random.nextInt(contacts[from].length);
            int to = contacts[from][contact];
            int k = ++sentCount[from][contact];
            boolean measured = measuring;
            connections.get(from).sendToUser(userIds.get(to), "b|" + from + "|" + to + "|" + k + "|" + due + "|"
                + PADDING).whenComplete((ok, err) -> {
                    if (err != null) {
                        failed.incrementAndGet();
                    } else {
                        acked.incrementAndGet();
                        if (measured) {
                            ackRecorder.recordValue(Math.max(0, System.nanoTime() - due));
                        }
                    }
                });
            for (int t = 0; t < typingPerMessage; t++) {
                connections.get(from).typing(conversationIds[from][contact]);
                typingSent++;
            }
            sent++;
        }
        long measuredNanos = System.nanoTime() - warmEnd;
        double genCpu1 = self.cpuSeconds();
        double srvCpu1 = target.cpuSeconds();
        target.measurementEnded();
        long deliveredInWindow = delivered.get() - deliveredBeforeMeasuring;
        // drain: what was sent must arrive
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (acked.get() + failed.get() < sent && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        while (delivered.get() < acked.get() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        measuring = false;
        if (timeline.size() < seconds) {
            timeline.add(second(timeline.size() + 1, deliveryTotal, ackTotal));
        }
        deliveryTotal.add(deliveryRecorder.getIntervalHistogram());
        ackTotal.add(ackRecorder.getIntervalHistogram());
        double wall = measuredNanos / 1e9;
        return new Result(target.name(), users, rate, seconds, sent, acked.get(), delivered.get(),
            Math.max(0, acked.get() - delivered.get()), duplicates.get(), outOfOrder.get(), skipped.get(),
            failed.get(), deliveredInWindow / wall, deliveryTotal, ackTotal, timeline,
            ProcessStats.percent(genCpu0, genCpu1, wall), ProcessStats.percent(srvCpu0, srvCpu1, wall), typingSent,
            typingReceived.get());
    }

    /** Closes one second of the timeline: its latencies join the totals. */
    private Second second(int n, Histogram deliveryTotal, Histogram ackTotal) {
        Histogram h = deliveryRecorder.getIntervalHistogram();
        ackTotal.add(ackRecorder.getIntervalHistogram());
        deliveryTotal.add(h);
        return Second.of(n, h.getTotalCount(), h, progress);
    }

    @Override
    public void close() {
        connections.forEach(ParleyConnection::abort);
        client.close();
    }
}
