package dev.parley.cluster;

import dev.parley.directory.Conversation;
import dev.parley.directory.ConversationCache;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.RecentSenders;
import dev.parley.messaging.StoredMessage;
import dev.parley.protocol.ProtocolException;
import dev.parley.protocol.ServerFrame;
import dev.parley.sessions.LocalSessions;
import dev.parley.sessions.OutboundFrame;
import dev.parley.sessions.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what happens on this node to the connections of every node: new messages, receipts, typing, revoked
 * devices. Locally it writes to this node's {@link LocalSessions}; when the {@link ClusterBus} connects nodes it also
 * publishes a {@link ClusterEvent} (keyed by conversation, so one conversation's events keep their order) and
 * applies the other nodes' events to its own connections.
 *
 * <p><b>Order and duplicates.</b> Two nodes may append to one conversation at once, so events can reach a third node
 * out of {@code seq} order (seq 6 published before seq 5), and a failure can repeat one. Messages therefore pass a
 * per-conversation {@link RelaySequencer} on every node of a cluster (de-duplication by {@code (conversation, seq)};
 * a seq that comes early waits for the gap, from the bus or, after {@link #GAP_WAIT}, from the store). A single
 * node has no bus and no sequencer: its store hands messages over in seq order.
 */
public final class ClusterRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterRelay.class);
    /** How long a message that came ahead of its predecessor waits before the gap is read from the store. */
    public static final Duration GAP_WAIT = Duration.ofMillis(250);
    /** Conversations whose last relayed seq is remembered; one forgotten just starts afresh at its next message. */
    private static final int SEQUENCER_CONVERSATIONS = 1_000_000;

    private final ClusterBus bus;
    private final int nodeId;
    private final LocalSessions sessions;
    private final ConversationCache conversations;
    private final MessageStore store;
    private final RecentSenders recentSenders;
    private final boolean clustered;
    private final RelaySequencer<Pending> sequencer;
    private final AtomicLong badEvents = new AtomicLong();
    private volatile AutoCloseable subscription = () -> { };

    public ClusterRelay(ClusterBus bus, int nodeId, LocalSessions sessions, ConversationCache conversations,
                        MessageStore store, RecentSenders recentSenders, ScheduledExecutorService timers,
                        Executor blocking) {
        this.bus = bus;
        this.nodeId = nodeId;
        this.sessions = sessions;
        this.conversations = conversations;
        this.store = store;
        this.recentSenders = recentSenders;
        this.clustered = bus.connectsNodes();
        this.sequencer = new RelaySequencer<>(this::relay, this::readGap, GAP_WAIT, SEQUENCER_CONVERSATIONS, timers,
            blocking);
    }

    /** Starts applying other nodes' events; call before the node accepts connections. */
    public void start() {
        if (clustered) {
            subscription = bus.subscribe(this::receive);
        }
    }

    /**
     * A message stored on this node (called on the store's thread, in seq order per conversation): written to every
     * other device of {@code members} and {@code alsoTo}, on every node.
     */
    public void message(StoredMessage m, Collection<Long> members, Collection<Long> alsoTo) {
        ServerFrame.Message frame = m.toFrame();
        OutboundFrame out = new OutboundFrame(frame);
        if (!clustered) {
            recentSenders.record(m.conversationId(), m.seq(), m.isSystem() ? 0 : m.senderUserId());
            deliver(out, m.conversationId(), m.seq(), m.senderDeviceId(), members, alsoTo);
            return;
        }
        bus.publish(m.conversationId(), ClusterEvent.encode(new ClusterEvent.NewMessage(nodeId, m.conversationId(),
            m.seq(), m.senderDeviceId(), m.isSystem() ? 0 : m.senderUserId(), m.isSystem(), toArray(members),
            toArray(alsoTo), out.json())));
        sequencer.offer(m.conversationId(), m.seq(), new Pending(out, m.senderDeviceId(),
            m.isSystem() ? 0 : m.senderUserId(), members, alsoTo));
    }

    /**
     * A frame for every connection of these users on every node, but not the device {@code exceptDevice} (0 for
     * none) nor any device of {@code exceptUser} (0 for none). Sheddable frames (typing, receipts) may be dropped
     * for a backed-up connection.
     *
     * @param key orders the frame with the other events of the same key (the conversation)
     */
    public void toUsers(long key, Collection<Long> users, long exceptUser, long exceptDevice, OutboundFrame frame,
                        boolean sheddable) {
        writeToUsers(users, exceptUser, exceptDevice, frame, sheddable);
        if (clustered) {
            bus.publish(key, ClusterEvent.encode(new ClusterEvent.ToUsers(nodeId, toArray(users), exceptUser,
                exceptDevice, sheddable, frame.json())));
        }
    }

    /** Closes every connection of a device, on every node (logout, revocation). */
    public void closeDevice(long userId, long deviceId, int code, String reason) {
        sessions.closeDevice(userId, deviceId, code, reason);
        if (clustered) {
            bus.publish(userId, ClusterEvent.encode(new ClusterEvent.CloseDevice(nodeId, userId, deviceId, code,
                reason)));
        }
    }

    /** Events from other nodes that could not be read (another format version) and were skipped. */
    public long badEvents() {
        return badEvents.get();
    }

    /** Events relayed out of order and read from the store instead (a gauge for operators). */
    public long gapReads() {
        return sequencer.gapReads();
    }

    /** Repeated or outdated message events dropped. */
    public long duplicates() {
        return sequencer.duplicates();
    }

    // ---- receiving

    private void receive(byte[] bytes) {
        ClusterEvent event;
        try {
            event = ClusterEvent.decode(bytes);
        } catch (ProtocolException | RuntimeException e) {
            badEvents.incrementAndGet();
            log.warn("cluster bus: an event that cannot be read was skipped: {}", e.getMessage());
            return;
        }
        if (event.origin() == nodeId) {
            return;
        }
        try {
            switch (event) {
                case ClusterEvent.NewMessage m -> received(m);
                case ClusterEvent.ToUsers t -> writeToUsers(asList(t.users()), t.exceptUser(), t.exceptDevice(),
                    decodeFrame(t.frame()), t.sheddable());
                case ClusterEvent.CloseDevice c -> sessions.closeDevice(c.userId(), c.deviceId(), c.code(),
                    c.reason());
            }
        } catch (RuntimeException e) {
            log.warn("cluster bus: applying {} from node {} failed", event.getClass().getSimpleName(),
                event.origin(), e);
        }
    }

    private void received(ClusterEvent.NewMessage m) {
        if (m.system()) {
            // A membership or name change: read it before delivering, so this node's sends see the new members.
            conversations.reload(m.conversationId());
        }
        sequencer.offer(m.conversationId(), m.seq(), new Pending(decodeFrame(m.frame()), m.senderDeviceId(),
            m.senderUserId(), asList(m.members()), asList(m.alsoTo())));
    }

    /** A message waiting for its turn. */
    private record Pending(OutboundFrame frame, long senderDeviceId, long senderUserId, Collection<Long> members,
                           Collection<Long> alsoTo) {
    }

    /** Messages missing from a conversation's relay, read from the store, for the current members. */
    private Map<Long, Pending> readGap(long conversationId, long afterSeq, int count) {
        Conversation conv = conversations.get(conversationId).orElse(null);
        Map<Long, Pending> found = new LinkedHashMap<>();
        for (StoredMessage m : store.after(conversationId, afterSeq, count)) {
            found.put(m.seq(), new Pending(new OutboundFrame(m.toFrame()), m.senderDeviceId(),
                m.isSystem() ? 0 : m.senderUserId(), conv == null ? List.of() : conv.members(), List.of()));
        }
        return found;
    }

    /** Writes a message whose turn it is to this node's connections. */
    private void relay(long conversationId, long seq, Pending p) {
        recentSenders.record(conversationId, seq, p.senderUserId());
        Collection<Long> members = p.members();
        Conversation cached = conversations.cached(conversationId);
        if (cached != null) {
            members = cached.members(); // this node's newest view: a member removed here gets nothing more
        }
        deliver(p.frame(), conversationId, seq, p.senderDeviceId(), members, p.alsoTo());
    }

    private void deliver(OutboundFrame out, long conversationId, long seq, long senderDeviceId,
                         Collection<Long> members, Collection<Long> alsoTo) {
        sessions.forEachOf(members, s -> {
            if (s.deviceId() != senderDeviceId) {
                s.deliverLive(out, conversationId, seq);
            }
        });
        if (!alsoTo.isEmpty()) {
            sessions.forEachOf(alsoTo, s -> {
                if (s.deviceId() != senderDeviceId) {
                    s.deliverLive(out, conversationId, seq);
                }
            });
        }
    }

    private void writeToUsers(Collection<Long> users, long exceptUser, long exceptDevice, OutboundFrame frame,
                              boolean sheddable) {
        sessions.forEachOf(users, (Session s) -> {
            if (s.userId() != exceptUser && s.deviceId() != exceptDevice) {
                if (sheddable) {
                    s.sendSheddable(frame);
                } else {
                    s.send(frame);
                }
            }
        });
    }

    private static OutboundFrame decodeFrame(byte[] json) {
        try {
            return OutboundFrame.ofJson(json);
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("a frame that cannot be read: " + e.getMessage(), e);
        }
    }

    private static long[] toArray(Collection<Long> ids) {
        long[] a = new long[ids.size()];
        int i = 0;
        for (long id : ids) {
            a[i++] = id;
        }
        return a;
    }

    private static List<Long> asList(long[] ids) {
        List<Long> l = new ArrayList<>(ids.length);
        for (long id : ids) {
            l.add(id);
        }
        return l;
    }

    @Override
    public void close() throws Exception {
        subscription.close();
    }
}
