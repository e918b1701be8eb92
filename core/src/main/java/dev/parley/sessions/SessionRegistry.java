package dev.parley.sessions;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Which node holds the connections of which devices, cluster-wide.
 *
 * <p>Contract, checked by {@code SessionRegistryContract} in {@code testkit}:
 * <ul>
 *   <li>Thread-safe; {@link #register} and {@link #unregister} of one entry are idempotent.</li>
 *   <li>{@link #sessionsOf} returns every registered and not unregistered entry of the user (a device may have more
 *       than one while it reconnects).</li>
 *   <li>{@link #register}, {@link #unregister} and {@link #publishPresence} MUST NOT block (they are called on
 *       event loops); a networked implementation sends them asynchronously, in call order per thread, and keeps its
 *       own node's entries alive (refreshed before they expire, written again after the service lost them) until
 *       they are unregistered or the registry is closed.</li>
 *   <li>{@link #sessionsOf} MAY block (never call it on an event loop) and sees every entry registered before it by
 *       the same thread; a failure of the service is a {@link dev.parley.core.StorageException}.</li>
 *   <li>Entries of a node that stops without unregistering (crash, network loss) disappear by themselves within
 *       the implementation's time to live; {@link #close} removes this node's entries.</li>
 *   <li>Every {@link #onPresence} listener, on every node, receives each published {@link PresenceChange} once
 *       (best effort: a change published while the service is unreachable may be lost), in publish order per
 *       publisher.</li>
 * </ul>
 */
public interface SessionRegistry extends AutoCloseable {
    void register(SessionEntry entry);

    void unregister(SessionEntry entry);

    List<SessionEntry> sessionsOf(long userId);

    /** {@link #sessionsOf} of many users at once (one round trip where the service allows); users without entries
     *  may be left out. */
    default Map<Long, List<SessionEntry>> sessionsOf(Collection<Long> userIds) {
        Map<Long, List<SessionEntry>> all = new HashMap<>();
        for (long u : userIds) {
            List<SessionEntry> of = sessionsOf(u);
            if (!of.isEmpty()) {
                all.put(u, of);
            }
        }
        return all;
    }

    /** Tells the {@link #onPresence} listeners of every node, this one's included. Never blocks. */
    void publishPresence(PresenceChange change);

    /** Calls {@code listener} for each change published from now on, on a thread of the registry; it MUST NOT
     *  block. Closing the returned handle stops it. */
    AutoCloseable onPresence(Consumer<PresenceChange> listener);

    /** Whether the user has at least one registered connection. */
    default boolean isOnline(long userId) {
        return !sessionsOf(userId).isEmpty();
    }

    @Override
    default void close() {
    }
}
