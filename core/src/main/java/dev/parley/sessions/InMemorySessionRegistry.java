package dev.parley.sessions;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The single-node {@link SessionRegistry}: a map in this process. */
public final class InMemorySessionRegistry implements SessionRegistry {
    private final Map<Long, Set<SessionEntry>> byUser = new ConcurrentHashMap<>();

    @Override
    public void register(SessionEntry entry) {
        byUser.computeIfAbsent(entry.userId(), k -> ConcurrentHashMap.newKeySet()).add(entry);
    }

    @Override
    public void unregister(SessionEntry entry) {
        byUser.computeIfPresent(entry.userId(), (k, set) -> {
            set.remove(entry);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public List<SessionEntry> sessionsOf(long userId) {
        Set<SessionEntry> set = byUser.get(userId);
        return set == null ? List.of() : List.copyOf(set);
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
