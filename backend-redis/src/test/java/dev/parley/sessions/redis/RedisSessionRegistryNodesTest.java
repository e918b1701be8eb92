package dev.parley.sessions.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.core.StorageException;
import dev.parley.protocol.ErrorCode;
import dev.parley.sessions.PresenceChange;
import dev.parley.sessions.SessionEntry;
import dev.parley.testkit.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Several nodes on one Redis: what they see of each other, and what happens when a node or Redis goes away. */
@ExtendWith(RedisExtension.class)
class RedisSessionRegistryNodesTest {
    private String prefix;
    private final List<RedisSessionRegistry> open = new CopyOnWriteArrayList<>();

    @BeforeEach
    void prefix() {
        prefix = "n" + UUID.randomUUID() + ":";
    }

    @AfterEach
    void closeAll() {
        RedisExtension.server().launch(); // in case a test left it stopped
        open.forEach(RedisSessionRegistry::close);
    }

    private RedisSessionRegistry node(int ttlSeconds, int refreshSeconds) {
        RedisSessionRegistry r = new RedisSessionRegistry(
            RedisSessionRegistryTest.config(prefix, ttlSeconds, refreshSeconds));
        open.add(r);
        return r;
    }

    @Test
    void nodesSeeEachOthersConnectionsAndPresence() throws Exception {
        RedisSessionRegistry a = node(30, 10);
        RedisSessionRegistry b = node(30, 10);
        List<PresenceChange> seenByA = new CopyOnWriteArrayList<>();
        a.onPresence(seenByA::add);
        SessionEntry onB = new SessionEntry(5, 51, 501, 2);

        b.register(onB);
        b.publishPresence(new PresenceChange(5, true, 0, 2));

        await().atMost(Duration.ofSeconds(5)).until(() -> a.sessionsOf(5).equals(List.of(onB)));
        await().atMost(Duration.ofSeconds(5)).until(() -> seenByA.equals(List.of(new PresenceChange(5, true, 0, 2))));
        b.unregister(onB);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.sessionsOf(5).isEmpty());
    }

    @Test
    void closingANodeRemovesItsEntries() {
        RedisSessionRegistry a = node(30, 10);
        RedisSessionRegistry b = node(30, 10);
        b.register(new SessionEntry(6, 61, 601, 2));
        b.register(new SessionEntry(7, 71, 701, 2));
        SessionEntry kept = new SessionEntry(6, 62, 602, 1);
        a.register(kept);

        b.close();

        assertThat(a.sessionsOf(6)).containsExactly(kept);
        assertThat(a.sessionsOf(7)).isEmpty();
    }

    @Test
    void entriesOfADeadNodeFadeWithinTheTtlWhileLiveOnesStay() {
        RedisSessionRegistry live = node(2, 1);
        RedisSessionRegistry dying = node(2, 1);
        SessionEntry kept = new SessionEntry(8, 81, 801, 1);
        SessionEntry lost = new SessionEntry(8, 82, 802, 2);
        live.register(kept);
        dying.register(lost);
        // another node's write is asynchronous: it shows up shortly, not necessarily by the next read here
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(live.sessionsOf(8)).containsExactlyInAnyOrder(kept, lost));

        dying.crash();
        open.remove(dying);

        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> live.sessionsOf(8).equals(List.of(kept)));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(500));
        // and it stays: the live node keeps refreshing its own entry past several TTLs
        await().during(Duration.ofMillis(4500)).atMost(Duration.ofSeconds(6))
            .until(() -> live.sessionsOf(8).equals(List.of(kept)));
    }

    @Test
    void afterARedisRestartEntriesComeBackWithinARefresh() {
        RedisSessionRegistry a = node(10, 2);
        RedisSessionRegistry b = node(10, 2);
        SessionEntry onA = new SessionEntry(9, 91, 901, 1);
        SessionEntry onB = new SessionEntry(9, 92, 902, 2);
        a.register(onA);
        b.register(onB);
        List<PresenceChange> seenByA = new CopyOnWriteArrayList<>();
        a.onPresence(seenByA::add);

        RedisExtension.server().restart(); // every key is gone

        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(8)).ignoreExceptions()
            .until(() -> a.sessionsOf(9).size() == 2);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
        assertThat(b.sessionsOf(9)).containsExactlyInAnyOrder(onA, onB);
        // the pub/sub connection subscribed again
        await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
            b.publishPresence(new PresenceChange(9, false, 123, 2));
            assertThat(seenByA).contains(new PresenceChange(9, false, 123, 2));
        });
    }

    @Test
    void whileRedisIsDownReadsFailClearlyAndWritesDoNotBlock() {
        RedisSessionRegistry a = node(10, 1);
        SessionEntry before = new SessionEntry(10, 101, 1001, 1);
        a.register(before);

        RedisExtension.server().stop();
        try {
            await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() ->
                assertThatThrownBy(() -> a.sessionsOf(10))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("sessions:")
                    .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE)));
            SessionEntry during = new SessionEntry(10, 102, 1002, 1);
            long t0 = System.nanoTime();
            a.register(during);
            a.publishPresence(new PresenceChange(10, true, 0, 1));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(200));

            RedisExtension.server().launch();

            await().atMost(Duration.ofSeconds(8)).ignoreExceptions()
                .until(() -> a.sessionsOf(10).size() == 2);
            assertThat(a.sessionsOf(10)).containsExactlyInAnyOrder(before, during);
        } finally {
            RedisExtension.server().launch();
        }
    }

    @Test
    void badConfigurationIsRefusedWithTheKeyNamed() {
        assertThatThrownBy(() -> new RedisSessionRegistryConfig(RedisExtension.server().uri(), "p:",
            Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1)))
            .hasMessageContaining("sessions.refreshSeconds");
    }
}
