package dev.parley.loadgen.bench;

import dev.parley.client.ConnectOptions;
import dev.parley.client.Credentials;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ServerFrame;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code catch-up} scenario: a device is offline while K messages arrive over C conversations (C senders, one
 * 1:1 conversation each), then connects: the time from opening the connection to {@code synced}, with every
 * message of the round checked to arrive once and in order per conversation. The reader is the Java SDK
 * (it parses every frame and acknowledges what it got, as an app does), so the time includes a real client's work.
 * Several rounds: each reconnects after a new batch, its cursor carried from the round before.
 */
public final class CatchUpScenario {
    /** One reconnection: how long it took and what arrived. */
    public record Round(int round, double readyMs, double syncedMs, long received, long duplicates,
                        long outOfOrder, long older) {
        public boolean clean(int expected) {
            return received == expected && duplicates == 0 && outOfOrder == 0;
        }
    }

    /** Every round of one run. */
    public record Result(String target, int messages, int conversations, List<Round> rounds, double serverCpuPercent) {
        public boolean clean() {
            return rounds.stream().allMatch(r -> r.clean(messages - messages % conversations));
        }
    }

    private static final String PADDING = "x".repeat(60);

    private CatchUpScenario() {
    }

    public static Result run(Target target, int messages, int conversations, int rounds, String prefix,
                             PrintStream progress) throws Exception {
        int perConversation = messages / conversations;
        try (ParleyClient client = ParleyClient.create(target.url())) {
            progress.printf("catch-up (%s): setting up 1 reader and %d senders...%n", target.name(), conversations);
            List<Credentials> users = target.accounts(client, prefix, conversations + 1);
            Credentials reader = users.get(0);
            List<ParleyConnection> senders = new ArrayList<>();
            List<Round> done = new ArrayList<>();
            double cpu0 = target.cpuSeconds();
            long wall0 = System.nanoTime();
            try {
                for (int i = 1; i <= conversations; i++) {
                    ParleyConnection s = client.connect(users.get(i).token(), ConnectOptions.defaults()
                        .withRecordInbox(false)).join();
                    s.awaitSynced(Duration.ofSeconds(30));
                    senders.add(s);
                }
                // The reader's device connects once, so that the server knows it and keeps its cursor.
                readOnce(client, reader, 0, conversations, perConversation);
                for (int round = 1; round <= rounds; round++) {
                    send(senders, reader.userId(), round, perConversation);
                    Round r = readOnce(client, reader, round, conversations, perConversation);
                    done.add(r);
                    progress.printf("  round %d: %d messages in %.0f ms to synced (ready after %.0f ms); %d "
                        + "duplicates, %d out of order, %d from earlier rounds%n", round, r.received(),
                        r.syncedMs(), r.readyMs(), r.duplicates(), r.outOfOrder(), r.older());
                }
            } finally {
                senders.forEach(ParleyConnection::abort);
            }
            double wall = (System.nanoTime() - wall0) / 1e9;
            double cpu1 = target.cpuSeconds();
            return new Result(target.name(), perConversation * conversations, conversations, done,
                ProcessStats.percent(cpu0, cpu1, wall));
        }
    }

    /** Every sender sends its share to the reader; returns once all are stored. */
    private static void send(List<ParleyConnection> senders, String to, int round, int perConversation)
        throws InterruptedException {
        Semaphore window = new Semaphore(512);
        AtomicLong failed = new AtomicLong();
        for (int k = 1; k <= perConversation; k++) {
            for (int c = 0; c < senders.size(); c++) {
                window.acquire();
                senders.get(c).sendToUser(to, "c|" + round + "|" + c + "|" + k + "|" + PADDING)
                    .whenComplete((ok, err) -> {
                        if (err != null) {
                            failed.incrementAndGet();
                        }
                        window.release();
                    });
            }
        }
        window.acquire(512);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " messages were not stored");
        }
    }

    /** Connects the reader, counts this round's messages until {@code synced}, and disconnects cleanly. */
    private static Round readOnce(ParleyClient client, Credentials reader, int round, int conversations,
                                  int perConversation) throws Exception {
        int[] last = new int[conversations];
        long[] counts = new long[4]; // received, duplicates, out of order, older
        CompletableFuture<Long> synced = new CompletableFuture<>();
        long t0 = System.nanoTime();
        ParleyConnection conn = client.connect(reader.token(), ConnectOptions.defaults().withAutoAck(true)
            .withRecordInbox(false).withListener(f -> {
                switch (f) {
                    case ServerFrame.Synced s -> synced.complete(System.nanoTime());
                    case ServerFrame.Message m when m.body() != null && m.body().startsWith("c|") -> {
                        String[] p = m.body().split("\\|", 5);
                        if (Integer.parseInt(p[1]) != round) {
                            counts[3]++;
                            return;
                        }
                        int c = Integer.parseInt(p[2]);
                        int k = Integer.parseInt(p[3]);
                        if (k <= last[c]) {
                            counts[1]++;
                            return;
                        }
                        if (k != last[c] + 1) {
                            counts[2]++;
                        }
                        last[c] = k;
                        counts[0]++;
                    }
                    default -> {
                    }
                }
            })).join();
        long readyAt = System.nanoTime(); // the connection completes with the server's ready
        try {
            long end = synced.get(60, TimeUnit.SECONDS);
            // The acks queued before this ping are handled before its pong (one ordered queue per connection), so
            // the next round starts from this one's cursor.
            conn.ping().get(10, TimeUnit.SECONDS);
            conn.closeAsync(1000, "caught up").get(10, TimeUnit.SECONDS);
            return new Round(round, (readyAt - t0) / 1e6, (end - t0) / 1e6, counts[0], counts[1], counts[2],
                counts[3]);
        } finally {
            conn.abort();
        }
    }
}
