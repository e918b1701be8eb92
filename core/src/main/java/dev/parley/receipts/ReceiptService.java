package dev.parley.receipts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.core.Ids;
import dev.parley.directory.Conversation;
import dev.parley.directory.Directory;
import dev.parley.directory.Member;
import dev.parley.directory.ReceiptPosition;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.RecentSenders;
import dev.parley.messaging.StoredMessage;
import dev.parley.protocol.ServerFrame;
import dev.parley.cluster.ClusterRelay;
import dev.parley.sessions.OutboundFrame;
import dev.parley.sessions.Session;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cumulative delivered/read positions per (conversation, member). A member's position only moves forward; read
 * implies delivered; positions past the conversation's last seq are ignored. Every advance is pushed as a
 * {@code receipt} frame to the member's other devices (they learn what was read) and to the devices of whoever sent
 * the messages it covers (ticks): in a direct conversation that is the other member; in a group, the senders of
 * the messages between the old and the new position, so that a thousand members' receipts do not go to a thousand
 * members each. Positions are cached per conversation, updated in memory and written in batches by
 * {@link #flush()}, like sync cursors.
 */
public final class ReceiptService implements AutoCloseable {
    public static final String DELIVERED = "delivered";
    public static final String READ = "read";

    /** Groups larger than this get only the user's own position replayed on reconnect (message info is on REST). */
    public static final int REPLAY_MEMBER_LIMIT = 64;
    /** The most messages read from the store to find whom a group receipt concerns, when memory does not know. */
    private static final int SENDER_SCAN_LIMIT = 1_000;

    private final Directory directory;
    private final MessageStore store;
    private final ClusterRelay relay;
    private final RecentSenders recentSenders;
    /** conversation -> (user -> position), loaded from the directory on first use. */
    private final Cache<Long, Map<Long, ReceiptPosition>> positions =
        Caffeine.newBuilder().maximumSize(100_000).build();
    private final Map<Key, ReceiptPosition> dirty = new ConcurrentHashMap<>();

    private record Key(long conversationId, long userId) {
    }

    public ReceiptService(Directory directory, MessageStore store, ClusterRelay relay,
                          RecentSenders recentSenders) {
        this.directory = directory;
        this.store = store;
        this.relay = relay;
        this.recentSenders = recentSenders;
    }

    /** A member's device has every message up to {@code seq}. The caller checks membership. */
    public void delivered(Session from, Conversation conv, long seq) {
        advance(from, conv, seq, false);
    }

    /** A member has read up to {@code seq} (which implies delivered). The caller checks membership. */
    public void read(Session from, Conversation conv, long seq) {
        advance(from, conv, seq, true);
    }

    private void advance(Session from, Conversation conv, long seq, boolean read) {
        if (seq > store.lastSeq(conv.id())) {
            return; // past the end: ignored, no error storm
        }
        Map<Long, ReceiptPosition> byUser = of(conv.id());
        ReceiptPosition updated;
        ReceiptPosition old;
        boolean readAdvanced;
        boolean deliveredAdvanced;
        synchronized (byUser) {
            old = byUser.getOrDefault(from.userId(),
                new ReceiptPosition(conv.id(), from.userId(), 0, 0));
            long newRead = read ? Math.max(old.read(), seq) : old.read();
            long newDelivered = Math.max(old.delivered(), seq); // read implies delivered
            readAdvanced = newRead > old.read();
            deliveredAdvanced = newDelivered > old.delivered();
            if (!readAdvanced && !deliveredAdvanced) {
                return; // backwards or repeated: ignored
            }
            updated = new ReceiptPosition(conv.id(), from.userId(), newDelivered, newRead);
            byUser.put(from.userId(), updated);
            dirty.put(new Key(conv.id(), from.userId()), updated);
        }
        ServerFrame.Receipt frame = readAdvanced
            ? new ServerFrame.Receipt(Ids.toWire(conv.id()), updated.read(), Ids.toWire(from.userId()), READ)
            : new ServerFrame.Receipt(Ids.toWire(conv.id()), updated.delivered(), Ids.toWire(from.userId()),
                DELIVERED);
        OutboundFrame out = new OutboundFrame(frame);
        Collection<Long> to;
        if (conv.isGroup()) {
            // The member's own devices, and the senders of the messages this receipt newly covers.
            Member me = conv.member(from.userId());
            long joined = me == null ? 0 : me.joinedSeq() - 1;
            long after = Math.max(joined, readAdvanced ? old.read() : old.delivered());
            Set<Long> targets = new HashSet<>(sendersOf(conv.id(), after, frame.seq()));
            targets.add(from.userId());
            targets.removeIf(u -> !conv.hasMember(u)); // O(1) each; the member list may be a thousand long
            to = targets;
        } else {
            to = conv.members();
        }
        relay.toUsers(conv.id(), to, 0, from.deviceId(), out, true);
    }

    /** Who sent the messages {@code afterSeq < seq <= toSeq}: from memory, else from (at most a page of) the store. */
    private Set<Long> sendersOf(long conversationId, long afterSeq, long toSeq) {
        Set<Long> known = recentSenders.senders(conversationId, afterSeq, toSeq);
        if (known != null) {
            return known;
        }
        long from = Math.max(afterSeq, toSeq - SENDER_SCAN_LIMIT);
        Set<Long> result = new HashSet<>();
        for (StoredMessage m : store.after(conversationId, from, (int) (toSeq - from))) {
            if (m.seq() <= toSeq && !m.isSystem()) {
                result.add(m.senderUserId());
            }
        }
        return result;
    }

    /** Whether one member has received and read a message. */
    public record MemberReceipt(long userId, boolean delivered, boolean read) {
    }

    /**
     * "Message info" of one message.
     *
     * @param receipts       per member
     * @param deliveredToAll whether every one of them has it (also true when there is nobody to have it)
     * @param readByAll      whether every one of them read it
     */
    public record MessageInfo(List<MemberReceipt> receipts, boolean deliveredToAll, boolean readByAll) {
    }

    /**
     * "Message info": for every current member but the message's sender who was a member when it was sent, whether
     * they have received and read it, and whether all of them have.
     */
    public MessageInfo info(Conversation conv, StoredMessage message) {
        Map<Long, ReceiptPosition> byUser = of(conv.id());
        List<MemberReceipt> result = new ArrayList<>();
        boolean allDelivered = true;
        boolean allRead = true;
        synchronized (byUser) {
            for (Member member : conv.roster()) {
                if (member.userId() != message.senderUserId() && member.joinedSeq() <= message.seq()) {
                    ReceiptPosition p = byUser.get(member.userId());
                    boolean delivered = p != null && p.delivered() >= message.seq();
                    boolean read = p != null && p.read() >= message.seq();
                    result.add(new MemberReceipt(member.userId(), delivered, read));
                    allDelivered &= delivered;
                    allRead &= read;
                }
            }
        }
        return new MessageInfo(result, allDelivered, allRead);
    }

    /**
     * Tells a reconnecting device where every other member stands in each of its conversations (the ticks it
     * missed while away): one {@code delivered} and one {@code read} frame per member with a position.
     */
    public void replay(Session session, List<Conversation> conversations) {
        for (Conversation conv : conversations) {
            Map<Long, ReceiptPosition> byUser = of(conv.id());
            boolean everyone = conv.size() <= REPLAY_MEMBER_LIMIT;
            List<ReceiptPosition> others = new ArrayList<>();
            synchronized (byUser) {
                for (ReceiptPosition p : byUser.values()) {
                    if (everyone ? p.userId() != session.userId() : p.userId() == session.userId()) {
                        others.add(p);
                    }
                }
            }
            String convId = Ids.toWire(conv.id());
            for (ReceiptPosition p : others) {
                String user = Ids.toWire(p.userId());
                if (p.delivered() > 0) {
                    session.sendSheddable(new OutboundFrame(new ServerFrame.Receipt(convId, p.delivered(), user, DELIVERED)));
                }
                if (p.read() > 0) {
                    session.sendSheddable(new OutboundFrame(new ServerFrame.Receipt(convId, p.read(), user, READ)));
                }
            }
        }
    }

    /** The positions of a conversation's members, by user id (cached). */
    public Map<Long, ReceiptPosition> of(long conversationId) {
        return positions.get(conversationId, id -> {
            Map<Long, ReceiptPosition> loaded = new HashMap<>(directory.receipts(id));
            // Positions not yet written must win over what the directory has.
            dirty.forEach((key, p) -> {
                if (key.conversationId() == id) {
                    loaded.merge(p.userId(), p, ReceiptService::max);
                }
            });
            return loaded;
        });
    }

    /** A member's read position in a conversation. */
    public long readSeq(long conversationId, long userId) {
        Map<Long, ReceiptPosition> byUser = of(conversationId);
        synchronized (byUser) {
            ReceiptPosition p = byUser.get(userId);
            return p == null ? 0 : p.read();
        }
    }

    /**
     * Messages after the user's read position that the user did not send, counting from {@code firstSeq} (the seq
     * a group member joined at) on.
     */
    public long unread(long conversationId, long userId, long firstSeq, long lastSeq) {
        long read = Math.max(readSeq(conversationId, userId), firstSeq - 1);
        return read >= lastSeq ? 0 : store.countAfter(conversationId, read, userId);
    }

    /** Writes changed positions in one batch. */
    public void flush() {
        if (dirty.isEmpty()) {
            return;
        }
        List<ReceiptPosition> batch = new ArrayList<>(dirty.values());
        directory.saveReceipts(batch);
        for (ReceiptPosition p : batch) {
            dirty.remove(new Key(p.conversationId(), p.userId()), p); // keep it if it moved on meanwhile
        }
    }

    @Override
    public void close() {
        flush();
    }

    private static ReceiptPosition max(ReceiptPosition a, ReceiptPosition b) {
        return new ReceiptPosition(a.conversationId(), a.userId(), Math.max(a.delivered(), b.delivered()),
            Math.max(a.read(), b.read()));
    }
}
