package dev.parley.sessions;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The single-node {@link SessionRegistry}: a map in this process. */
public final class InMemorySessionRegistry implements SessionRegistry {
    private final Map<Long, List<SessionEntry>> byUser = new ConcurrentHashMap<>();
    private final List<Consumer<PresenceChange>> presenceListeners = new CopyOnWriteArrayList<>();

    @Override
    public void register(SessionEntry entry) {
        byUser.compute(entry.userId(), (k, list) -> SmallLists.with(list, entry));
    }

    @Override
    public void unregister(SessionEntry entry) {
        byUser.computeIfPresent(entry.userId(), (k, list) -> SmallLists.without(list, entry));
    }

    @Override
    public List<SessionEntry> sessionsOf(long userId) {
        return byUser.getOrDefault(userId, List.of());
    }

    /** Calls the listeners on the caller's thread: there is no other node to tell. */
    @Override
    public void publishPresence(PresenceChange change) {
        for (Consumer<PresenceChange> l : presenceListeners) {
            l.accept(change);
        }
    }

    @Override
    public AutoCloseable onPresence(Consumer<PresenceChange> listener) {
        presenceListeners.add(listener);
        return () -> presenceListeners.remove(listener);
    }

    /** Provider for {@code sessions.type: memory}. */
    public static final class Provider implements SessionRegistryProvider {
        @Override
        public String type() {
            return "memory";
        }

        @Override
        public SessionRegistry create(dev.parley.core.BackendConfig config, dev.parley.core.Resources resources) {
            return new InMemorySessionRegistry();
        }
    }
}
