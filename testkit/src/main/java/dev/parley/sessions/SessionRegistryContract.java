package dev.parley.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import dev.parley.testkit.Race;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link SessionRegistry}. Every implementation subclasses this and only says how to build a fresh,
 * empty registry:
 *
 * <pre>{@code
 * class InMemorySessionRegistryTest extends SessionRegistryContract {
 *     protected SessionRegistry newRegistry() { return new InMemorySessionRegistry(); }
 * }
 * }</pre>
 */
public abstract class SessionRegistryContract {
    private SessionRegistry registry;

    /** A new registry that holds no entry (and sees no entry of a registry made for another test). */
    protected abstract SessionRegistry newRegistry();

    @BeforeEach
    void openRegistry() {
        registry = newRegistry();
    }

    @AfterEach
    void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    /** The registry under test. */
    protected SessionRegistry registry() {
        return registry;
    }

    @Test
    void registeredEntryIsListed() {
        SessionEntry e = new SessionEntry(1, 11, 101, 0);

        registry.register(e);

        assertThat(registry.sessionsOf(1)).containsExactly(e);
        assertThat(registry.isOnline(1)).isTrue();
    }

    @Test
    void userWithoutEntriesHasNoSessionsAndIsOffline() {
        assertThat(registry.sessionsOf(42)).isEmpty();
        assertThat(registry.isOnline(42)).isFalse();
    }

    @Test
    void registerIsIdempotent() {
        SessionEntry e = new SessionEntry(1, 11, 101, 3);

        registry.register(e);
        registry.register(e);
        registry.register(new SessionEntry(1, 11, 101, 3)); // an equal record

        assertThat(registry.sessionsOf(1)).containsExactly(e);
    }

    @Test
    void unregisterIsIdempotent() {
        SessionEntry e = new SessionEntry(1, 11, 101, 0);
        registry.register(e);

        registry.unregister(e);
        registry.unregister(e);

        assertThat(registry.sessionsOf(1)).isEmpty();
        assertThat(registry.isOnline(1)).isFalse();
    }

    @Test
    void unregisterOfAnUnknownEntryIsHarmless() {
        SessionEntry kept = new SessionEntry(1, 11, 101, 0);
        registry.register(kept);

        registry.unregister(new SessionEntry(1, 11, 999, 0));
        registry.unregister(new SessionEntry(2, 21, 201, 0));

        assertThat(registry.sessionsOf(1)).containsExactly(kept);
        assertThat(registry.sessionsOf(2)).isEmpty();
    }

    @Test
    void userMayHaveManyEntries() {
        SessionEntry phone = new SessionEntry(1, 11, 101, 0);
        SessionEntry phoneReconnecting = new SessionEntry(1, 11, 102, 1); // same device, second connection
        SessionEntry laptop = new SessionEntry(1, 12, 103, 0);

        registry.register(phone);
        registry.register(phoneReconnecting);
        registry.register(laptop);

        assertThat(registry.sessionsOf(1)).containsExactlyInAnyOrder(phone, phoneReconnecting, laptop);

        registry.unregister(phone);

        assertThat(registry.sessionsOf(1)).containsExactlyInAnyOrder(phoneReconnecting, laptop);
        assertThat(registry.isOnline(1)).isTrue();

        registry.unregister(phoneReconnecting);
        registry.unregister(laptop);

        assertThat(registry.isOnline(1)).isFalse();
    }

    @Test
    void entriesOfOtherUsersAreNotListed() {
        SessionEntry alice = new SessionEntry(1, 11, 101, 0);
        SessionEntry bob = new SessionEntry(2, 21, 201, 0);
        registry.register(alice);
        registry.register(bob);

        registry.unregister(alice);

        assertThat(registry.sessionsOf(1)).isEmpty();
        assertThat(registry.sessionsOf(2)).containsExactly(bob);
    }

    @Test
    void registerAndUnregisterAreThreadSafe() {
        int threads = 8;
        int perThread = 500;
        int users = 7; // odd, so that each user has both even and odd connections
        // Every thread registers its own entries, spread over a few users so that threads share users.
        Race.run(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                long conn = (long) t * perThread + i;
                registry.register(new SessionEntry(conn % users, 1000 + conn, conn, t));
            }
            return null;
        }).forEach(o -> assertThat(o.error()).isNull());
        // Then every thread unregisters its odd connections while registering them again and again (idempotent).
        Race.run(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                long conn = (long) t * perThread + i;
                SessionEntry e = new SessionEntry(conn % users, 1000 + conn, conn, t);
                if (conn % 2 == 1) {
                    registry.unregister(e);
                } else {
                    registry.register(e);
                }
            }
            return null;
        }).forEach(o -> assertThat(o.error()).isNull());

        for (long user = 0; user < users; user++) {
            List<SessionEntry> expected = new ArrayList<>();
            for (long conn = user; conn < (long) threads * perThread; conn += users) {
                if (conn % 2 == 0) {
                    expected.add(new SessionEntry(user, 1000 + conn, conn, (int) (conn / perThread)));
                }
            }
            assertThat(registry.sessionsOf(user)).as("sessions of user %d", user)
                .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void sessionsOfManyUsersAtOnce() {
        SessionEntry a1 = new SessionEntry(1, 11, 101, 0);
        SessionEntry a2 = new SessionEntry(1, 12, 102, 1);
        SessionEntry b = new SessionEntry(2, 21, 201, 0);
        registry.register(a1);
        registry.register(a2);
        registry.register(b);

        Map<Long, List<SessionEntry>> found = registry.sessionsOf(List.of(1L, 2L, 3L));

        assertThat(found.get(1L)).containsExactlyInAnyOrder(a1, a2);
        assertThat(found.get(2L)).containsExactly(b);
        assertThat(found.getOrDefault(3L, List.of())).isEmpty();
        assertThat(registry.sessionsOf(List.of())).isEmpty();
    }

    @Test
    void publishedPresenceReachesEveryListenerInOrder() throws Exception {
        List<PresenceChange> first = new CopyOnWriteArrayList<>();
        List<PresenceChange> second = new CopyOnWriteArrayList<>();
        AutoCloseable one = registry.onPresence(first::add);
        AutoCloseable two = registry.onPresence(second::add);
        PresenceChange on = new PresenceChange(7, true, 0, 1);
        PresenceChange off = new PresenceChange(7, false, 1_700_000_000_000L, 1);

        registry.publishPresence(on);
        registry.publishPresence(off);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(first).containsExactly(on, off);
            assertThat(second).containsExactly(on, off);
        });
        one.close();
        PresenceChange again = new PresenceChange(8, true, 0, 2);
        registry.publishPresence(again);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(second).endsWith(again));
        assertThat(first).containsExactly(on, off);
        two.close();
    }
}
