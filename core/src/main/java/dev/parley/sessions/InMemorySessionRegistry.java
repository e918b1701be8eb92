package dev.parley.sessions;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The single-node {@link SessionRegistry}: a map in this process. */
public final class InMemorySessionRegistry implements SessionRegistry {
    private final Map<Long, List<SessionEntry>> byUser = new ConcurrentHashMap<>();

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
