package dev.parley.sessions;

import java.util.List;

/**
 * Which node holds the connections of which devices, cluster-wide.
 *
 * <p>Contract, checked by {@code SessionRegistryContract} in {@code testkit}:
 * <ul>
 *   <li>Thread-safe; {@link #register} and {@link #unregister} of one entry are idempotent.</li>
 *   <li>{@link #sessionsOf} returns every registered and not unregistered entry of the user (a device may have more
 *       than one while it reconnects).</li>
 *   <li>Implementations backed by a network service MAY block and MUST NOT be called on an event loop.</li>
 * </ul>
 */
public interface SessionRegistry extends AutoCloseable {
    void register(SessionEntry entry);

    void unregister(SessionEntry entry);

    List<SessionEntry> sessionsOf(long userId);

    /** Whether the user has at least one registered connection. */
    default boolean isOnline(long userId) {
        return !sessionsOf(userId).isEmpty();
    }

    @Override
    default void close() {
    }
}
