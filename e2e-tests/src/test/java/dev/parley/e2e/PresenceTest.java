package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.LastSeenPrivacy;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Online, grace period, last seen that survives a restart, privacy, and typing limits. */
class PresenceTest {
    @TempDir
    Path dir;

    @Test
    void presenceWithGraceLastSeenAndPrivacy() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("presence.graceSeconds", "2"))) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var carol = server.newUser("carol");
            ParleyConnection a = server.connect(alice);
            a.sendToUser(bob.id(), "hi").join();
            ParleyConnection b = server.connect(bob);
            b.awaitSynced(T);

            a.subscribePresence(bob.id(), carol.id()); // carol shares no conversation: left out
            ServerFrame.Presence p = a.awaitFrame(ServerFrame.Presence.class, T);
            assertThat(p).isEqualTo(new ServerFrame.Presence(bob.id(), true, null));
            assertThat(a.pollFrame(ServerFrame.Presence.class, Duration.ofMillis(200))).isEmpty();

            // A blip shorter than the grace period shows nothing.
            b.abort();
            b = server.connect(bob);
            b.awaitSynced(T);
            assertThat(a.pollFrame(ServerFrame.Presence.class, Duration.ofMillis(2500))).isEmpty();

            // Gone for longer: offline with last seen.
            long before = System.currentTimeMillis();
            b.close();
            ServerFrame.Presence off = a.awaitFrame(ServerFrame.Presence.class, T);
            assertThat(off.online()).isFalse();
            assertThat(off.lastSeen()).isBetween(before - 100, System.currentTimeMillis());
            assertThat(System.currentTimeMillis() - before).isGreaterThanOrEqualTo(1900);

            // Back: online again.
            b = server.connect(bob);
            assertThat(a.awaitFrame(ServerFrame.Presence.class, T).online()).isTrue();
            b.close();
            ServerFrame.Presence off2 = a.awaitFrame(ServerFrame.Presence.class, T);
            assertThat(off2.online()).isFalse();

            // Last seen survives a restart.
            server.restart();
            a = server.connect(alice);
            a.subscribePresence(bob.id());
            assertThat(a.awaitFrame(ServerFrame.Presence.class, T).lastSeen()).isEqualTo(off2.lastSeen());

            // Bob hides his last seen: Alice sees nothing, live.
            server.client().setPrivacy(bob.token(), LastSeenPrivacy.NOBODY);
            assertThat(a.awaitFrame(ServerFrame.Presence.class, T))
                .isEqualTo(new ServerFrame.Presence(bob.id(), false, null));
            // ... and his comings and goings do not leak through presence frames.
            ParleyConnection hidden = server.connect(bob);
            hidden.awaitSynced(T);
            hidden.close();
            assertThat(a.pollFrame(ServerFrame.Presence.class, Duration.ofMillis(2500))).isEmpty();
            // Contacts: Alice has a direct conversation with Bob, so she sees it again.
            server.client().setPrivacy(bob.token(), LastSeenPrivacy.CONTACTS);
            assertThat(a.awaitFrame(ServerFrame.Presence.class, T).lastSeen()).isGreaterThan(off2.lastSeen());

            // Whoever hides their own last seen does not see others' (online still shows).
            server.client().setPrivacy(alice.token(), LastSeenPrivacy.NOBODY);
            ParleyConnection a2 = server.connect(alice);
            a2.subscribePresence(bob.id());
            assertThat(a2.awaitFrame(ServerFrame.Presence.class, T))
                .isEqualTo(new ServerFrame.Presence(bob.id(), false, null));
        }
    }

    @Test
    void typingIsRelayedToTheOtherMemberAndRateLimited() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            ParleyConnection a = server.connect(alice);
            String conv = a.sendToUser(bob.id(), "hi").join().conversationId();
            ParleyConnection b = server.connect(bob);
            b.awaitSynced(T);
            for (int i = 0; i < 10; i++) {
                a.typing(conv);
            }
            a.ping().join();
            assertThat(b.awaitFrame(ServerFrame.Typing.class, T))
                .isEqualTo(new ServerFrame.Typing(conv, alice.id()));
            Thread.sleep(300);
            long more = b.inbox().stream().filter(f -> f instanceof ServerFrame.Typing).count();
            assertThat(more).isBetween(1L, 2L); // at most 3 per second in all
            assertThat(a.pollFrame(ServerFrame.Typing.class, Duration.ofMillis(100))).isEmpty();
        }
    }
}
