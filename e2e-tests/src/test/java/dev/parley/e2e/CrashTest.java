package dev.parley.e2e;

import static dev.parley.e2e.TestServer.PASSWORD;
import static dev.parley.e2e.TestServer.T;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.CloseStatus;
import dev.parley.client.ConnectOptions;
import dev.parley.client.Credentials;
import dev.parley.client.HistoryPage;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server process is killed with SIGKILL mid-stream: every message that got {@code sent} survives, once, in order. */
class CrashTest {
    @TempDir
    Path dir;

    @Test
    void kill9LosesNothingAcknowledged() throws Exception {
        try (ChildServer child = new ChildServer(dir.resolve("data"))) {
            child.start();
            Credentials alice;
            Credentials bob;
            String bobId;
            Map<String, ServerFrame.Sent> acked = new ConcurrentHashMap<>();
            List<String> attempted = new ArrayList<>();
            try (ParleyClient c = ParleyClient.create(child.uri())) {
                String aliceName = TestServer.uniqueName("alice"); // unique: the scaled run shares one directory
                String bobName = TestServer.uniqueName("bob");
                c.register(aliceName, PASSWORD, "Alice");
                bobId = c.register(bobName, PASSWORD, "Bob").userId();
                alice = c.login(aliceName, PASSWORD, "phone");
                bob = c.login(bobName, PASSWORD, "phone");
                ParleyConnection a = c.connect(alice.token()).join();
                // A continuous, pipelined stream (up to 64 in flight), killed in the middle.
                Semaphore window = new Semaphore(64);
                AtomicBoolean stop = new AtomicBoolean();
                Thread sender = Thread.ofVirtual().start(() -> {
                    for (int i = 0; !stop.get() && i < 1_000_000; i++) {
                        String id = "crash-" + i;
                        try {
                            if (!window.tryAcquire(5, TimeUnit.SECONDS)) {
                                return;
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                        synchronized (attempted) {
                            attempted.add(id);
                        }
                        a.send(new ClientFrame.Send(id, ClientFrame.Target.user(bobId), "msg " + i, null))
                            .whenComplete((s, err) -> {
                                if (s != null) {
                                    acked.put(id, s);
                                }
                                window.release();
                            });
                        if (a.closeFuture().isDone()) {
                            return;
                        }
                    }
                });
                while (acked.size() < 500) {
                    Thread.sleep(10);
                }
                child.kill9();
                stop.set(true);
                sender.join(10_000);
                assertThat(a.closeFuture().get(10, TimeUnit.SECONDS).code()).isEqualTo(CloseStatus.ABNORMAL);
            }
            assertThat(acked).hasSizeGreaterThanOrEqualTo(500);

            child.start(); // same data directory, same port
            try (ParleyClient c = ParleyClient.create(child.uri())) {
                String conv = acked.values().iterator().next().conversationId();
                List<ServerFrame.Message> stored = new ArrayList<>();
                long after = 0;
                while (true) {
                    HistoryPage p = c.history(bob.token(), conv, null, after, 200);
                    stored.addAll(p.messages());
                    if (!p.hasMore()) {
                        break;
                    }
                    after = p.lastSeq();
                }
                // Dense seqs from 1, no duplicates.
                assertThat(stored).extracting(ServerFrame.Message::seq)
                    .containsExactlyElementsOf(WalkthroughTest.range(1, stored.size()));
                Map<String, ServerFrame.Message> byId = new HashMap<>();
                for (ServerFrame.Message m : stored) {
                    assertThat(byId.put(m.clientMsgId(), m)).as("duplicate %s", m.clientMsgId()).isNull();
                }
                // Every acknowledged message is there, with the seq it was acknowledged with.
                acked.forEach((id, s) -> {
                    assertThat(byId).containsKey(id);
                    assertThat(byId.get(id).seq()).isEqualTo(s.seq());
                    assertThat(byId.get(id).messageId()).isEqualTo(s.messageId());
                });
                // In the order they were sent.
                List<Long> seqsInSendOrder = new ArrayList<>();
                synchronized (attempted) {
                    for (String id : attempted) {
                        if (byId.containsKey(id)) {
                            seqsInSendOrder.add(byId.get(id).seq());
                        }
                    }
                }
                assertThat(seqsInSendOrder).isSorted();

                // Resending what was in flight is idempotent across the crash.
                ParleyConnection a = c.connect(alice.token()).join();
                String lastAttempt;
                synchronized (attempted) {
                    lastAttempt = attempted.getLast();
                }
                ServerFrame.Sent resent = a.send(new ClientFrame.Send(lastAttempt, ClientFrame.Target.user(bobId),
                    "resend", null)).join();
                if (byId.containsKey(lastAttempt)) {
                    assertThat(resent.seq()).isEqualTo(byId.get(lastAttempt).seq());
                } else {
                    assertThat(resent.seq()).isEqualTo(stored.size() + 1);
                }

                // Delivery resumes: Bob gets the whole backlog, then live traffic.
                ParleyConnection b = c.connect(bob.token(), ConnectOptions.defaults().withAutoAck(true)).join();
                long total = Math.max(stored.size(), resent.seq());
                b.awaitMessages((int) total, T);
                b.awaitSynced(T);
                ServerFrame.Sent live = a.sendToUser(bobId, "after the crash").join();
                assertThat(b.awaitFrame(ServerFrame.Message.class, T).seq()).isEqualTo(live.seq());
                assertThat(b.tracker().problems()).isEmpty();

                // SIGTERM: a clean stop closes sockets with 1001; the JVM exits with 128 + 15 after its shutdown hook.
                assertThat(child.terminate()).isEqualTo(143);
                assertThat(b.closeFuture().get(10, TimeUnit.SECONDS).code()).isEqualTo(CloseCodes.GOING_AWAY);
                assertThat(child.log()).contains("ready on http://127.0.0.1:" + child.port).contains("stopped");
            }
        }
    }
}
