package dev.parley.presence;

import dev.parley.core.Ids;
import dev.parley.core.ParleyException;
import dev.parley.directory.Conversation;
import dev.parley.directory.Directory;
import dev.parley.directory.PresenceSettings;
import dev.parley.directory.PresenceSettings.Visibility;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import dev.parley.sessions.LocalSessions;
import dev.parley.sessions.OutboundFrame;
import dev.parley.sessions.PresenceChange;
import dev.parley.sessions.Session;
import dev.parley.sessions.SessionRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online / last-seen presence with a grace period, subscriptions and privacy.
 *
 * <p>Visibility of a subject to a viewer: {@code everyone} shows online and last seen; {@code contacts} shows them
 * only to users with whom the subject has a direct conversation; {@code nobody} shows neither. A viewer who hides
 * their own last seen ({@code nobody}) does not see anyone's last seen either (online still shows), as WhatsApp
 * does. Hidden presence is sent as {@code online: false} without {@code lastSeen}.
 *
 * <p>Across nodes: a user is online while any node holds one of their connections. Each node decides for its own
 * connections (first one opened: online; last one closed and not back within the grace period, on no node per the
 * {@link SessionRegistry}: offline) and publishes the change through the registry; every other node applies it
 * and tells its own subscribers. A subscription answers from the registry for users this node has not heard about.
 */
public final class PresenceService implements LocalSessions.Listener, AutoCloseable {
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(PresenceService.class);

    private final Directory directory;
    private final LocalSessions sessions;
    private final SessionRegistry registry;
    private final AutoCloseable remoteChanges;
    private final ScheduledExecutorService timers;
    private final Duration grace;
    private final Clock clock;

    private final Set<Long> online = ConcurrentHashMap.newKeySet();
    private final Map<Long, ScheduledFuture<?>> goingOffline = new ConcurrentHashMap<>();
    private final Map<Long, Set<Subscription>> subscribers = new ConcurrentHashMap<>();
    private final Map<Session, List<Subscription>> bySession = new ConcurrentHashMap<>();
    /** Last seen and privacy of users looked at recently; bounded, reloaded from the directory on a miss. */
    private final Map<Long, PresenceSettings> settings = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
        .maximumSize(1_000_000).<Long, PresenceSettings>build().asMap();

    /** A viewer's subscription to a subject, with what was decided about them at subscribe time. */
    private record Subscription(Session viewer, long subject, boolean contact, boolean viewerHides) {
    }

    public PresenceService(Directory directory, LocalSessions sessions, ScheduledExecutorService timers,
                           Duration grace, Clock clock) {
        this.directory = directory;
        this.sessions = sessions;
        this.registry = sessions.registry();
        this.timers = timers;
        this.grace = grace;
        this.clock = clock;
        this.remoteChanges = registry.onPresence(this::changedElsewhere);
    }

    @Override
    public void onlineChanged(long userId, boolean nowOnline) {
        if (nowOnline) {
            ScheduledFuture<?> pending = goingOffline.remove(userId);
            if (pending != null) {
                pending.cancel(false);
            }
            if (online.add(userId)) {
                publish(userId); // came back after the grace period (or for the first time)
                registry.publishPresence(new PresenceChange(userId, true, 0, sessions.nodeId()));
            }
        } else {
            goingOffline.compute(userId, (k, old) -> {
                if (old != null) {
                    old.cancel(false);
                }
                return timers.schedule(() -> wentOffline(userId), grace.toMillis(), TimeUnit.MILLISECONDS);
            });
        }
    }

    private void wentOffline(long userId) {
        goingOffline.remove(userId);
        if (!sessions.of(userId).isEmpty() || connectedElsewhere(userId) || !online.remove(userId)) {
            return; // reconnected meanwhile, here or on another node
        }
        long now = clock.millis();
        try {
            directory.saveLastSeen(userId, now);
        } catch (RuntimeException e) {
            log.warn("saving last seen of user {} failed", userId, e);
        }
        settings.computeIfPresent(userId, (k, s) -> new PresenceSettings(userId, now, s.visibility()));
        publish(userId);
        registry.publishPresence(new PresenceChange(userId, false, now, sessions.nodeId()));
    }

    /** Whether another node holds a connection of the user; when the registry cannot tell, this node's view wins. */
    private boolean connectedElsewhere(long userId) {
        try {
            for (var e : registry.sessionsOf(userId)) {
                if (e.nodeId() != sessions.nodeId()) {
                    return true;
                }
            }
        } catch (RuntimeException e) {
            log.warn("session registry unavailable; user {} counts as offline on this node's knowledge", userId, e);
        }
        return false;
    }

    /** A change another node decided: kept and told to this node's subscribers. */
    private void changedElsewhere(PresenceChange c) {
        if (c.nodeId() == sessions.nodeId()) {
            return;
        }
        long userId = c.userId();
        if (c.isPrivacyChange()) {
            Visibility v = Visibility.fromWire(c.privacy());
            if (v != null && settings.containsKey(userId)) {
                settings.computeIfPresent(userId, (k, s) -> new PresenceSettings(userId, s.lastSeen(), v));
                publish(userId, true);
            }
            return;
        }
        if (c.online()) {
            if (online.add(userId)) {
                publish(userId);
            }
        } else if (sessions.of(userId).isEmpty() && !goingOffline.containsKey(userId) && online.remove(userId)) {
            settings.computeIfPresent(userId, (k, s) -> new PresenceSettings(userId, c.lastSeen(), s.visibility()));
            publish(userId);
        }
    }

    /** Answers at once with the presence of each requested user the caller may see, then pushes changes. */
    public void subscribe(Session viewer, List<String> userIds) {
        long me = viewer.userId();
        Set<Long> shared = new HashSet<>();
        Set<Long> contacts = new HashSet<>();
        for (Conversation c : directory.conversationsOf(me)) {
            shared.addAll(c.members());
            if (c.kind() == Conversation.Kind.DIRECT) {
                contacts.addAll(c.members());
            }
        }
        List<Long> wanted = new ArrayList<>();
        for (String id : userIds) {
            long u = Ids.parse("presence.subscribe.users", id);
            if (u != me && shared.contains(u)) {
                wanted.add(u); // others are silently left out: presence is not a user directory
            }
        }
        List<Long> lookup = new ArrayList<>(wanted);
        lookup.add(me);
        load(lookup);
        learnOnline(wanted);
        boolean viewerHides = settingsOf(me).visibility() == Visibility.NOBODY;
        for (long subject : wanted) {
            Subscription sub = new Subscription(viewer, subject, contacts.contains(subject), viewerHides);
            subscribers.computeIfAbsent(subject, k -> ConcurrentHashMap.newKeySet()).add(sub);
            bySession.computeIfAbsent(viewer, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(sub);
            viewer.send(new OutboundFrame(frameFor(sub)));
        }
        if (!viewer.isOpen()) {
            forget(viewer);
        }
    }

    /** Drops a closed connection's subscriptions. */
    public void forget(Session viewer) {
        List<Subscription> subs = bySession.remove(viewer);
        if (subs != null) {
            for (Subscription s : subs) {
                subscribers.computeIfPresent(s.subject(), (k, set) -> {
                    set.remove(s);
                    return set.isEmpty() ? null : set;
                });
            }
        }
    }

    /** Changes who may see the user's presence, and tells current subscribers. */
    public void setPrivacy(long userId, String lastSeen) {
        Visibility v = Visibility.fromWire(lastSeen);
        if (v == null) {
            throw new ParleyException(ErrorCode.BAD_REQUEST,
                "lastSeen: \"" + lastSeen + "\" (expected: everyone, contacts or nobody)");
        }
        directory.savePrivacy(userId, v);
        PresenceSettings old = settingsOf(userId);
        settings.put(userId, new PresenceSettings(userId, old.lastSeen(), v));
        publish(userId, true);
        registry.publishPresence(PresenceChange.privacy(userId, v.wireName(), sessions.nodeId()));
    }

    private void publish(long subject) {
        publish(subject, false);
    }

    /**
     * Tells the subject's subscribers. A viewer who may not see the subject gets the hidden frame only when the
     * privacy setting itself changed, never on connects and disconnects, which would give their timing away.
     */
    private void publish(long subject, boolean privacyChanged) {
        Set<Subscription> subs = subscribers.get(subject);
        if (subs == null || subs.isEmpty()) {
            return;
        }
        for (Subscription s : subs) {
            ServerFrame.Presence frame = frameFor(s);
            boolean hidden = !frame.online() && frame.lastSeen() == null;
            if (privacyChanged || !hidden) {
                s.viewer().sendSheddable(new OutboundFrame(frame));
            }
        }
    }

    private ServerFrame.Presence frameFor(Subscription s) {
        PresenceSettings subject = settingsOf(s.subject());
        boolean visible = switch (subject.visibility()) {
            case EVERYONE -> true;
            case CONTACTS -> s.contact();
            case NOBODY -> false;
        };
        String id = Ids.toWire(s.subject());
        if (!visible) {
            return new ServerFrame.Presence(id, false, null);
        }
        boolean isOnline = online.contains(s.subject());
        Long lastSeen = isOnline || s.viewerHides() || subject.lastSeen() == 0 ? null : subject.lastSeen();
        return new ServerFrame.Presence(id, isOnline, lastSeen);
    }

    /** Marks online the users connected to other nodes that this node has not heard about (it may have started
     *  after they connected). */
    private void learnOnline(List<Long> userIds) {
        List<Long> unknown = userIds.stream().filter(u -> !online.contains(u)).toList();
        if (unknown.isEmpty()) {
            return;
        }
        try {
            online.addAll(registry.sessionsOf(unknown).keySet());
        } catch (RuntimeException e) {
            log.warn("session registry unavailable; presence answered from this node's knowledge", e);
        }
    }

    private void load(List<Long> userIds) {
        List<Long> missing = userIds.stream().filter(u -> !settings.containsKey(u)).toList();
        if (!missing.isEmpty()) {
            Map<Long, PresenceSettings> found = directory.presenceSettings(missing);
            for (long u : missing) {
                settings.putIfAbsent(u, found.getOrDefault(u, PresenceSettings.defaults(u)));
            }
        }
    }

    private PresenceSettings settingsOf(long userId) {
        PresenceSettings s = settings.get(userId);
        if (s == null) {
            load(List.of(userId));
            s = settings.get(userId);
        }
        return s;
    }

    /** Users still online at shutdown were last seen now. */
    @Override
    public void close() {
        long now = clock.millis();
        for (long u : online) {
            try {
                directory.saveLastSeen(u, now);
            } catch (RuntimeException e) {
                log.warn("saving last seen of user {} failed", u, e);
            }
        }
        goingOffline.values().forEach(f -> f.cancel(false));
        try {
            remoteChanges.close();
        } catch (Exception e) {
            log.debug("stopping presence changes from other nodes", e);
        }
    }
}
