package dev.parley.loadgen;

import dev.parley.client.ConnectOptions;
import dev.parley.client.Credentials;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ServerFrame;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A first throughput measurement of durable 1:1 messaging through the real gateway: P sender/receiver pairs over
 * loopback, each sender keeping W messages in flight, for D seconds after a warm-up. Runs the same load twice in
 * one process, against the volatile baseline store (no storage cost) and against SQLite (fsync'd group commit), and
 * prints both and their ratio. Closed-loop (a window, not a fixed rate): it finds the saturated rate, not latency
 * under a given load; the open-loop suite comes with the benchmark module.
 *
 * <p>Usage: {@code DirectThroughput [pairs=100] [seconds=10] [window=32] [warmup=3]}
 */
public final class DirectThroughput {

    record Result(String store, double sentPerSec, double deliveredPerSec, Histogram ackLatency,
                  Histogram deliveryLatency, MeasuredWindow window) {
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        List<Result> results = new ArrayList<>();
        System.out.println("warm-up run (JIT), not reported:");
        run("volatile-bench", pairs, Math.max(5, seconds), window, warmup);
        for (String store : List.of("volatile-bench", "sqlite")) {
            results.add(run(store, pairs, seconds, window, warmup));
        }
        Result base = results.get(0);
        System.out.printf("%n| store | sent/s (durable acks) | delivered/s | ratio to baseline | ack p50 / p99 ms"
            + " | delivery p50 / p99 ms | CPU %% server / generator / JVM |%n|---|---|---|---|---|---|---|%n");
        for (Result r : results) {
            System.out.printf("| %s | %.0f | %.0f | %.2f | %.2f / %.2f | %.2f / %.2f | %s |%n", r.store(),
                r.sentPerSec(), r.deliveredPerSec(), r.sentPerSec() / base.sentPerSec(),
                ms(r.ackLatency(), 50), ms(r.ackLatency(), 99), ms(r.deliveryLatency(), 50),
                ms(r.deliveryLatency(), 99), r.window().split());
        }
        System.out.printf("%npairs=%d window=%d seconds=%d warmup=%d cores=%d java=%s%n", pairs, window, seconds,
            warmup, Runtime.getRuntime().availableProcessors(), Runtime.version());
        System.exit(0);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e6;
    }

    static Result run(String store, int pairs, int seconds, int window, int warmup) throws Exception {
        AtomicLong delivered = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        Recorder ackRec = new Recorder(3);
        Recorder deliveryRec = new Recorder(3);
        AtomicBoolean stop = new AtomicBoolean();
        List<ParleyConnection> conns = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        try (BenchServer server = BenchServer.start(store, Map.of());
             ParleyClient client = ParleyClient.create(URI.create("http://127.0.0.1:" + server.port()))) {
            String padding = "x".repeat(80);
            for (int p = 0; p < pairs; p++) {
                String s = "sender" + p;
                String r = "receiver" + p;
                client.register(s, "benchmark-password", null);
                String rId = client.register(r, "benchmark-password", null).userId();
                Credentials sc = client.login(s, "benchmark-password", "bench");
                Credentials rc = client.login(r, "benchmark-password", "bench");
                ParleyConnection receiver = client.connect(rc.token(), ConnectOptions.defaults().withAutoAck(true)
                    .withRecordInbox(false).withListener(f -> {
                        if (f instanceof ServerFrame.Message m) {
                            delivered.incrementAndGet();
                            int sp = m.body().indexOf(' ');
                            deliveryRec.recordValue(Math.max(0, System.nanoTime()
                                - Long.parseLong(m.body().substring(0, sp))));
                        }
                    })).join();
                ParleyConnection sender = client.connect(sc.token(), ConnectOptions.defaults()
                    .withRecordInbox(false)).join();
                conns.add(receiver);
                conns.add(sender);
                Semaphore inFlight = new Semaphore(window);
                // platform threads, so that their CPU is told apart from the server's virtual threads
                senders.add(Thread.ofPlatform().name("direct-sender-" + p).unstarted(() -> {
                    while (!stop.get()) {
                        try {
                            if (!inFlight.tryAcquire(1, TimeUnit.SECONDS)) {
                                continue;
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                        long t0 = System.nanoTime();
                        sender.sendToUser(rId, t0 + " " + padding).whenComplete((ok, err) -> {
                            if (ok != null) {
                                acked.incrementAndGet();
                                ackRec.recordValue(System.nanoTime() - t0);
                            }
                            inFlight.release();
                        });
                    }
                }));
            }
            senders.forEach(Thread::start);
            MeasuredWindow w = MeasuredWindow.measure(warmup, seconds, () -> {
                ackRec.getIntervalHistogram();
                deliveryRec.getIntervalHistogram();
            }, acked::get, delivered::get);
            Histogram ack = ackRec.getIntervalHistogram();
            Histogram del = deliveryRec.getIntervalHistogram();
            stop.set(true);
            for (Thread t : senders) {
                t.join(5_000);
            }
            System.out.printf("%s: %.0f sent/s, %.0f delivered/s%n", store, w.perSecond()[0], w.perSecond()[1]);
            conns.forEach(ParleyConnection::abort);
            return new Result(store, w.perSecond()[0], w.perSecond()[1], ack, del, w);
        }
    }

    private DirectThroughput() {
    }

}
