package dev.parley.e2e;

import static dev.parley.e2e.TestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.client.ConnectOptions;
import dev.parley.client.Credentials;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyClosedException;
import dev.parley.client.ParleyConnection;
import dev.parley.client.ParleySession;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK's self-reconnecting session: back after a server crash with what was sent meanwhile, once each. */
class ReconnectTest {
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aSessionComesBackAfterAServerCrashAndGetsWhatItMissedOnce() throws Exception {
        try (ChildServer child = new ChildServer(dir.resolve("data"))) {
            child.start();
            try (ParleyClient c = ParleyClient.create(child.uri())) {
                String aliceName = TestServer.uniqueName("alice"); // unique: the scaled run shares one directory
                String bobName = TestServer.uniqueName("bob");
                c.register(aliceName, PASSWORD, "Alice");
                String bobId = c.register(bobName, PASSWORD, "Bob").userId();
                Credentials alice = c.login(aliceName, PASSWORD, "phone");
                Credentials bob = c.login(bobName, PASSWORD, "phone");
                List<String> bobGot = new CopyOnWriteArrayList<>();
                java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
                ConnectOptions options = ConnectOptions.defaults().withAutoAck(true).withListener(f -> {
                    // at least once: a repeat after the crash has the same (conversation, seq) and is dropped
                    if (f instanceof ServerFrame.Message m && seen.add(m.conversationId() + "/" + m.seq())) {
                        bobGot.add(m.body());
                    }
                });
                try (ParleySession bobSession = c.session(bob.token(), options, Duration.ofMillis(100),
                    Duration.ofSeconds(1))) {
                    bobSession.awaitConnected(T);
                    try (ParleyConnection a = c.connect(alice.token()).join()) {
                        a.sendToUser(bobId, "before the crash").get();
                    }
                    await().atMost(T).until(() -> bobGot.contains("before the crash"));

                    child.kill9();
                    await().atMost(T).until(() -> bobSession.current().isEmpty());
                    child.start(); // same port and data: what was acknowledged is there
                    try (ParleyConnection a = c.connect(alice.token()).join()) {
                        a.sendToUser(bobId, "while bob was away").get();
                    }

                    ParleyConnection back = bobSession.awaitConnected(T);
                    assertThat(back.isOpen()).isTrue();
                    assertThat(bobSession.connections()).isGreaterThanOrEqualTo(2);
                    await().atMost(T).until(() -> bobGot.contains("while bob was away"));
                    try (ParleyConnection a = c.connect(alice.token()).join()) {
                        a.sendToUser(bobId, "after").get();
                    }
                    await().atMost(T).until(() -> bobGot.contains("after"));
                    assertThat(bobGot).containsExactly("before the crash", "while bob was away", "after");
                }
            }
        }
    }

    @Test
    void aRevokedTokenStopsTheSessionWithTheReason() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            ParleySession session = server.client().session(alice.token(), ConnectOptions.defaults(),
                Duration.ofMillis(50), Duration.ofMillis(200));
            session.awaitConnected(T);

            server.client().logout(alice.token());

            await().atMost(T).until(() -> session.failure().isPresent());
            assertThat(session.failure().get()).isInstanceOf(ParleyClosedException.class)
                .hasMessageContaining("4401");
            assertThatThrownBy(() -> session.awaitConnected(Duration.ofSeconds(1)))
                .isInstanceOf(ParleyClosedException.class);
            int connections = session.connections();
            Thread.sleep(500); // no reconnection attempts pile up
            assertThat(session.connections()).isEqualTo(connections);
            session.close();
        }
    }
}
