package dev.parley.client;

import static dev.parley.client.FakeParley.message;
import static dev.parley.client.FakeParley.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ParleyConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final FakeParley fake = new FakeParley();
    private TestWebSocketServer server;
    private ParleyClient client;

    @BeforeEach
    void start() throws Exception {
        server = new TestWebSocketServer(fake);
        client = ParleyClient.create(server.baseUrl());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    private ParleyConnection connect(String userId) {
        return connect(userId, ConnectOptions.defaults());
    }

    private ParleyConnection connect(String userId, ConnectOptions options) {
        return client.connect("user:" + userId, options).orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
        }
        throw new AssertionError("expected failure, got " + f.join());
    }

    @Test
    void connectAuthenticatesOnTheWsPathAndExposesReady() throws Exception {
        try (ParleyConnection conn = connect("alice")) {
            assertThat(conn.userId()).isEqualTo("alice");
            assertThat(conn.deviceId()).isEqualTo("dev-1");
            assertThat(conn.isOpen()).isTrue();
            conn.awaitSynced(WAIT);
            assertThat(conn.isSynced()).isTrue();
            TestWebSocketServer.Peer peer = server.accepted.take();
            assertThat(peer.path).isEqualTo("/v1/ws");
            assertThat(peer.received.take()).isEqualTo("{\"type\":\"auth\",\"token\":\"user:alice\"}");
        }
    }

    @Test
    void backlogStaysInInboxInOrderAndAwaitHelpersTakeOnlyWhatTheyReturn() {
        fake.afterReady = p -> {
            send(p, message("c1", 1));
            send(p, new ServerFrame.Typing("c1", "u-bob"));
            send(p, message("c1", 2));
            send(p, message("c2", 7));
            send(p, new ServerFrame.Synced());
        };
        try (ParleyConnection conn = connect("alice")) {
            conn.awaitSynced(WAIT);
            assertThat(conn.awaitMessages("c2", 1, WAIT)).extracting(ServerFrame.Message::seq).containsExactly(7L);
            assertThat(conn.awaitMessages(2, WAIT)).extracting(ServerFrame.Message::seq).containsExactly(1L, 2L);
            assertThat(conn.inbox()).containsExactly(new ServerFrame.Typing("c1", "u-bob"));
            assertThat(conn.tracker().seqs("c1")).containsExactly(1L, 2L);
            assertThat(conn.tracker().problems()).isEmpty();
        }
    }

    @Test
    void awaitTimesOutWithTheInboxInTheMessageAndPollAnswersEmpty() {
        fake.afterReady = p -> send(p, new ServerFrame.Typing("c1", "u-bob"));
        try (ParleyConnection conn = connect("alice")) {
            assertThatThrownBy(() -> conn.awaitMessages(1, Duration.ofMillis(200)))
                .isInstanceOf(ParleyTimeoutException.class)
                .hasMessageContaining("1 message frames (0 present)")
                .hasMessageContaining("Typing[conversationId=c1");
            assertThat(conn.pollFrame(ServerFrame.Receipt.class, Duration.ofMillis(100))).isEmpty();
            assertThat(conn.pollFrame(ServerFrame.Typing.class, Duration.ofMillis(100))).isPresent();
        }
    }

    @Test
    void badTokenFailsWithTheErrorFrameAndCloseCode() {
        Throwable e = failure(client.connect("nope"));
        assertThat(e).isInstanceOf(ParleyErrorException.class);
        ParleyErrorException error = (ParleyErrorException) e;
        assertThat(error.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(error.closeStatus()).contains(new CloseStatus(4401, "unauthorized"));
        assertThat(client.openConnections()).isEmpty();
    }

    @Test
    void closeWithoutErrorFrameDuringAuthFailsWithTheCloseCode() {
        Throwable e = failure(client.connect("close4408"));
        assertThat(e).isInstanceOf(ParleyClosedException.class);
        assertThat(((ParleyClosedException) e).closeCode()).isEqualTo(4408);
    }

    @Test
    void noReadyWithinTheHandshakeTimeoutFails() {
        Throwable e = failure(client.connect("silent",
            ConnectOptions.defaults().withHandshakeTimeout(Duration.ofMillis(300))));
        assertThat(e).isInstanceOf(ParleyTimeoutException.class);
    }

    @Test
    void upgradeFailureFailsConnect() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (ParleyClient c = ParleyClient.create(java.net.URI.create("http://127.0.0.1:" + port))) {
            assertThat(failure(c.connect("user:x"))).isInstanceOf(ParleyClosedException.class)
                .hasMessageContaining("upgrade failed");
        }
    }

    @Test
    void sendsAreMatchedByClientMsgIdEvenWhenAnsweredOutOfOrder() throws Exception {
        fake.answerSends = false;
        try (ParleyConnection conn = connect("alice")) {
            TestWebSocketServer.Peer peer = server.accepted.take();
            CompletableFuture<ServerFrame.Sent> first = conn.sendToUser("bob", "one");
            CompletableFuture<ServerFrame.Sent> second = conn.sendToConversation("c9", "two");
            ClientFrame.Send s1 = (ClientFrame.Send) awaitClientFrame(ClientFrame.Send.class);
            ClientFrame.Send s2 = (ClientFrame.Send) awaitClientFrame(ClientFrame.Send.class);
            assertThat(s1.to()).isEqualTo(ClientFrame.Target.user("bob"));
            assertThat(s2.to()).isEqualTo(ClientFrame.Target.conversation("c9"));
            assertThat(s1.clientMsgId()).isNotEqualTo(s2.clientMsgId());
            assertThat(java.util.UUID.fromString(s1.clientMsgId())).isNotNull();

            send(peer, new ServerFrame.Sent(s2.clientMsgId(), "c9", 5, "m5", 1));
            send(peer, new ServerFrame.Sent(s1.clientMsgId(), "dm", 1, "m1", 1));
            assertThat(first.get(5, TimeUnit.SECONDS).seq()).isEqualTo(1);
            assertThat(second.get(5, TimeUnit.SECONDS).seq()).isEqualTo(5);
            assertThat(conn.pendingSendCount()).isZero();
        }
    }

    private ClientFrame awaitClientFrame(Class<? extends ClientFrame> type) throws InterruptedException {
        while (true) {
            ClientFrame f = fake.frames.poll(5, TimeUnit.SECONDS);
            assertThat(f).as("a client frame of type " + type.getSimpleName()).isNotNull();
            if (type.isInstance(f)) {
                return f;
            }
        }
    }

    @Test
    void errorWithRefFailsThatSendOnlyAndStaysInTheInbox() throws Exception {
        try (ParleyConnection conn = connect("alice")) {
            CompletableFuture<ServerFrame.Sent> bad = conn.sendToUser("bob", "reject");
            CompletableFuture<ServerFrame.Sent> good = conn.sendToUser("bob", "fine");
            Throwable e = failure(bad);
            assertThat(e).isInstanceOf(ParleyErrorException.class);
            assertThat(((ParleyErrorException) e).code()).isEqualTo(ErrorCode.TOO_LARGE);
            assertThat(((ParleyErrorException) e).closeStatus()).isEmpty();
            assertThat(good.get(5, TimeUnit.SECONDS).seq()).isEqualTo(1);
            assertThat(conn.awaitFrame(ServerFrame.Error.class, WAIT).ref())
                .isEqualTo(((ParleyErrorException) e).ref());
            assertThat(conn.isOpen()).isTrue();
        }
    }

    @Test
    void resendingOneClientMsgIdCompletesBothFutures() throws Exception {
        try (ParleyConnection conn = connect("alice")) {
            ClientFrame.Send frame = new ClientFrame.Send("fixed-id", ClientFrame.Target.user("bob"), "hi", null);
            CompletableFuture<ServerFrame.Sent> a = conn.send(frame);
            CompletableFuture<ServerFrame.Sent> b = conn.send(frame);
            assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo(a.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void concurrentSendsFromManyThreadsAreSerializedAndAllAnswered() throws Exception {
        int threads = 8;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (ParleyConnection conn = connect("alice")) {
            List<CompletableFuture<ServerFrame.Sent>> all = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                pool.execute(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        all.add(conn.sendToConversation("c" + thread, "m" + i));
                        if (i % 50 == 0) {
                            conn.typing("c" + thread);
                        }
                    }
                });
            }
            go.countDown();
            await().atMost(WAIT).until(() -> all.size() == threads * perThread);
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            for (int t = 0; t < threads; t++) {
                String c = "c" + t;
                assertThat(all.stream().map(CompletableFuture::join).filter(s -> s.conversationId().equals(c))
                    .map(ServerFrame.Sent::seq).sorted().toList())
                    .hasSize(perThread).startsWith(1L).endsWith((long) perThread);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fragmentedAndLargeFramesAreReassembled() throws Exception {
        String big = "x".repeat(300_000) + "\uD83D\uDE00 end";
        ServerFrame.Message large = new ServerFrame.Message("c1", 2, "m2", "u-bob", "d", "k", big, 5, null, null);
        fake.afterReady = p -> {
            try {
                p.sendFragmented(new String(FakeParley.CODEC.encode(message("c1", 1)), "UTF-8"), 7);
                p.sendFragmented(new String(FakeParley.CODEC.encode(large), "UTF-8"), 5);
                send(p, new ServerFrame.Synced());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        try (ParleyConnection conn = connect("alice", ConnectOptions.defaults().withRecordRawFrames(true))) {
            conn.awaitSynced(WAIT);
            List<ServerFrame.Message> got = conn.awaitMessages(2, WAIT);
            assertThat(got.get(0)).isEqualTo(message("c1", 1));
            assertThat(got.get(1).body()).isEqualTo(big);
            assertThat(conn.unknownFrames()).isEmpty();
            assertThat(conn.rawFrames()).hasSize(4).first().asString().startsWith("{\"type\":\"ready\"");
        }
    }

    @Test
    void autoAckFromTheOptionsAcknowledgesTheBacklogCumulatively() throws Exception {
        fake.afterReady = p -> {
            for (int i = 1; i <= 20; i++) {
                send(p, message("c1", i));
            }
            send(p, message("c2", 3));
            send(p, new ServerFrame.Synced());
        };
        try (ParleyConnection conn = connect("alice", ConnectOptions.defaults().withAutoAck(true))) {
            conn.awaitSynced(WAIT);
            List<ClientFrame.Delivered> acks = Collections.synchronizedList(new ArrayList<>());
            await().atMost(WAIT).until(() -> {
                for (ClientFrame f; (f = fake.frames.poll()) != null; ) {
                    if (f instanceof ClientFrame.Delivered d) {
                        acks.add(d);
                    }
                }
                return acks.contains(new ClientFrame.Delivered("c1", 20L))
                    && acks.contains(new ClientFrame.Delivered("c2", 3L));
            });
            List<Long> c1 = acks.stream().filter(d -> d.conversationId().equals("c1")).map(ClientFrame.Delivered::seq)
                .toList();
            assertThat(c1).isSorted().doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(20);
            assertThat(conn.awaitMessages(21, WAIT)).hasSize(21);
        }
    }

    @Test
    void enablingAutoAckLaterAcknowledgesWhatAlreadyArrived() throws Exception {
        fake.afterReady = p -> {
            send(p, message("c1", 1));
            send(p, message("c1", 2));
            send(p, new ServerFrame.Synced());
        };
        try (ParleyConnection conn = connect("alice")) {
            conn.awaitSynced(WAIT);
            conn.awaitMessages(2, WAIT);
            assertThat(fake.frames).noneMatch(f -> f instanceof ClientFrame.Delivered);
            conn.autoAck(true);
            assertThat(awaitClientFrame(ClientFrame.Delivered.class))
                .isEqualTo(new ClientFrame.Delivered("c1", 2L));
            // Enabling again has nothing new to acknowledge: the next frame out is the ping.
            conn.autoAck(true);
            conn.ping().get(5, TimeUnit.SECONDS);
            assertThat(fake.frames.poll(5, TimeUnit.SECONDS)).isInstanceOf(ClientFrame.Ping.class);
        }
    }

    @Test
    void serverCloseCompletesCloseFutureAndFailsPendingSendsAndAwaits() throws Exception {
        fake.answerSends = false;
        ParleyConnection conn = connect("alice");
        TestWebSocketServer.Peer peer = server.accepted.take();
        CompletableFuture<ServerFrame.Sent> pending = conn.sendToUser("bob", "hi");
        awaitClientFrame(ClientFrame.Send.class);
        peer.sendClose(4429, "too slow");
        assertThat(conn.closeFuture().get(5, TimeUnit.SECONDS)).isEqualTo(new CloseStatus(4429, "too slow"));
        assertThat(failure(pending)).isInstanceOf(ParleyClosedException.class);
        assertThat(conn.isOpen()).isFalse();
        long start = System.nanoTime();
        assertThatThrownBy(() -> conn.awaitFrame(ServerFrame.Message.class, Duration.ofSeconds(10)))
            .isInstanceOf(ParleyClosedException.class).hasMessageContaining("4429");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(failure(conn.sendToUser("bob", "late"))).isInstanceOf(ParleyClosedException.class);
        assertThat(client.openConnections()).isEmpty();
    }

    @Test
    void closeSendsNormalClosure() throws Exception {
        ParleyConnection conn = connect("alice");
        TestWebSocketServer.Peer peer = server.accepted.take();
        conn.close();
        assertThat(peer.clientClose.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(conn.closeFuture().get(5, TimeUnit.SECONDS).code()).isEqualTo(1000);
    }

    @Test
    void abortReportsAbnormalClosure() throws Exception {
        ParleyConnection conn = connect("alice");
        conn.abort();
        assertThat(conn.closeFuture().get(5, TimeUnit.SECONDS).code()).isEqualTo(CloseStatus.ABNORMAL);
    }

    @RepeatedTest(5)
    void droppedTcpIsReportedAsAbnormalClosureEvenWhenTheJdkMissesIt() throws Exception {
        // The JDK WebSocket misses a TCP close that lands while the listener runs: the heartbeat catches it.
        ParleyConnection conn = connect("alice", ConnectOptions.defaults()
            .withHeartbeat(Duration.ofMillis(100), Duration.ofMillis(500)));
        server.accepted.take().dropTcp();
        assertThat(conn.closeFuture().get(5, TimeUnit.SECONDS).code()).isEqualTo(CloseStatus.ABNORMAL);
    }

    @Test
    void missingPongAbortsTheConnection() throws Exception {
        fake.answerPings = false;
        ParleyConnection conn = connect("alice", ConnectOptions.defaults()
            .withHeartbeat(Duration.ofMillis(100), Duration.ofMillis(300)));
        CloseStatus status = conn.closeFuture().get(5, TimeUnit.SECONDS);
        assertThat(status.code()).isEqualTo(CloseStatus.ABNORMAL);
        assertThat(status.reason()).startsWith("no pong within");
    }

    @Test
    void heartbeatPongsStayOutOfTheInbox() throws Exception {
        try (ParleyConnection conn = connect("alice", ConnectOptions.defaults()
                .withHeartbeat(Duration.ofMillis(20), Duration.ofSeconds(5)))) {
            await().atMost(WAIT)
                .until(() -> fake.frames.stream().filter(f -> f instanceof ClientFrame.Ping).count() >= 5);
            assertThat(conn.ping().get(5, TimeUnit.SECONDS)).isEqualTo(new ServerFrame.Pong(42));
            assertThat(conn.isOpen()).isTrue();
            assertThat(conn.inbox()).filteredOn(f -> f instanceof ServerFrame.Pong).hasSize(1);
        }
    }

    @Test
    void unknownFrameTypesAreKeptAsideAndTheConnectionGoesOn() throws Exception {
        fake.afterReady = p -> {
            try {
                p.sendText("{\"type\":\"reaction\",\"emoji\":\"+1\"}");
                p.sendText("not json");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            send(p, new ServerFrame.Synced());
        };
        try (ParleyConnection conn = connect("alice")) {
            conn.awaitSynced(WAIT);
            assertThat(conn.ping().get(5, TimeUnit.SECONDS)).isEqualTo(new ServerFrame.Pong(42));
            assertThat(conn.unknownFrames()).containsExactly("{\"type\":\"reaction\",\"emoji\":\"+1\"}", "not json");
        }
    }

    @Test
    void listenerSeesEveryFrameAndInboxCanBeTurnedOff() {
        List<ServerFrame> seen = Collections.synchronizedList(new ArrayList<>());
        fake.afterReady = p -> {
            send(p, message("c1", 1));
            send(p, new ServerFrame.Synced());
        };
        ConnectOptions options = ConnectOptions.defaults().withRecordInbox(false).withListener(seen::add);
        try (ParleyConnection conn = connect("alice", options)) {
            await().atMost(WAIT).until(() -> seen.size() == 2);
            assertThat(conn.inbox()).isEmpty();
            assertThat(conn.tracker().seqs("c1")).containsExactly(1L);
            assertThatThrownBy(() -> conn.awaitMessages(1, WAIT)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void sharedTrackerSpansConnections() {
        MessageTracker shared = new MessageTracker();
        fake.afterReady = p -> {
            send(p, message("c1", 1));
            send(p, new ServerFrame.Synced());
        };
        for (int i = 0; i < 2; i++) {
            try (ParleyConnection conn = connect("alice", ConnectOptions.defaults().withTracker(shared))) {
                conn.awaitSynced(WAIT);
            }
        }
        assertThat(shared.duplicates("c1")).containsExactly(1L);
    }

    @Test
    void sendRawGoesOutVerbatim() throws Exception {
        try (ParleyConnection conn = connect("alice")) {
            conn.sendRaw("{\"type\":\"send\"}").get(5, TimeUnit.SECONDS);
            assertThat(conn.awaitFrame(ServerFrame.Error.class, WAIT).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
    }

    @Test
    void futuresDoNotCompleteOnTheIoThread() throws Exception {
        try (ParleyConnection conn = connect("alice")) {
            // A blocking continuation must not stall the connection: it runs on the callback executor.
            CompletableFuture<ServerFrame.Sent> chained = conn.sendToUser("bob", "a")
                .thenCompose(s -> CompletableFuture.completedFuture(conn.sendToUser("bob", "b").join()));
            assertThat(chained.get(5, TimeUnit.SECONDS).seq()).isEqualTo(2);
        } catch (CompletionException e) {
            throw new AssertionError(e);
        }
    }
}
