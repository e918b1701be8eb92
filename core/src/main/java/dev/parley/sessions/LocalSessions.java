package dev.parley.sessions;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The open connections of this node, by user and by device; keeps the {@link SessionRegistry} in step. */
public final class LocalSessions {
    private final Map<Long, List<Session>> byUser = new ConcurrentHashMap<>();
    private final SessionRegistry registry;
    private final int nodeId;
    private volatile Listener listener = (userId, online) -> { };

    /** Told when a user's first connection on this node opens and when the last one closes. */
    public interface Listener {
        void onlineChanged(long userId, boolean online);
    }

    public void listener(Listener l) {
        this.listener = l;
    }

    public LocalSessions(SessionRegistry registry, int nodeId) {
        this.registry = registry;
        this.nodeId = nodeId;
    }

    /** Adds a connection; it starts receiving live messages (held back until its sync ends). */
    public void add(Session s) {
        boolean[] first = {false};
        byUser.compute(s.userId(), (k, list) -> {
            first[0] = list == null;
            return SmallLists.with(list, s);
        });
        registry.register(entry(s));
        if (first[0]) {
            listener.onlineChanged(s.userId(), true);
        }
    }

    public void remove(Session s) {
        boolean[] last = {false};
        byUser.computeIfPresent(s.userId(), (k, list) -> {
            List<Session> rest = list.contains(s) ? SmallLists.without(list, s) : list;
            last[0] = rest == null;
            return rest;
        });
        registry.unregister(entry(s));
        if (last[0]) {
            listener.onlineChanged(s.userId(), false);
        }
    }

    /** The user's connections on this node (a snapshot view; empty when none). */
    public Collection<Session> of(long userId) {
        return byUser.getOrDefault(userId, List.of());
    }

    /** Runs {@code action} for every connection on this node of any of these users (fan-out). */
    public void forEachOf(Collection<Long> userIds, java.util.function.Consumer<Session> action) {
        for (long user : userIds) {
            List<Session> list = byUser.get(user);
            if (list != null) {
                list.forEach(action);
            }
        }
    }

    /** Closes every connection of a device (logout, revocation). */
    public void closeDevice(long userId, long deviceId, int code, String reason) {
        for (Session s : List.copyOf(of(userId))) {
            if (s.deviceId() == deviceId) {
                s.close(code, reason);
            }
        }
    }

    /** The cluster-wide registry this node keeps in step. */
    public SessionRegistry registry() {
        return registry;
    }

    public int nodeId() {
        return nodeId;
    }

    /** How many connections are open on this node. */
    public int count() {
        int n = 0;
        for (List<Session> list : byUser.values()) {
            n += list.size();
        }
        return n;
    }

    private SessionEntry entry(Session s) {
        return new SessionEntry(s.userId(), s.deviceId(), s.connectionId(), nodeId);
    }
}
