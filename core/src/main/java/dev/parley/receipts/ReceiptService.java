package dev.parley.receipts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.core.Ids;
import dev.parley.directory.Conversation;
import dev.parley.directory.Directory;
import dev.parley.directory.ReceiptPosition;
import dev.parley.messaging.MessageStore;
import dev.parley.protocol.ServerFrame;
import dev.parley.sessions.LocalSessions;
import dev.parley.sessions.OutboundFrame;
import dev.parley.sessions.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cumulative delivered/read positions per (conversation, member). A member's position only moves forward; read
 * implies delivered; positions past the conversation's last seq are ignored. Every advance is pushed as a
 * {@code receipt} frame to every connected device of the conversation's members except the one that caused it
 * (the senders see ticks, the member's other devices see what was read). Positions are cached per conversation,
 * updated in memory and written in batches by {@link #flush()}, like sync cursors.
 */
public final class ReceiptService implements AutoCloseable {
    public static final String DELIVERED = "delivered";
    public static final String READ = "read";

    private final Directory directory;
    private final MessageStore store;
    private final LocalSessions sessions;
    /** conversation -> (user -> position), loaded from the directory on first use. */
    private final Cache<Long, Map<Long, ReceiptPosition>> positions =
        Caffeine.newBuilder().maximumSize(100_000).build();
    private final Map<Key, ReceiptPosition> dirty = new ConcurrentHashMap<>();

    private record Key(long conversationId, long userId) {
    }

    public ReceiptService(Directory directory, MessageStore store, LocalSessions sessions) {
        this.directory = directory;
        this.store = store;
        this.sessions = sessions;
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
        boolean readAdvanced;
        boolean deliveredAdvanced;
        synchronized (byUser) {
            ReceiptPosition old = byUser.getOrDefault(from.userId(),
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
        sessions.forEachOf(conv.members(), s -> {
            if (s.deviceId() != from.deviceId()) {
                s.sendSheddable(out);
            }
        });
    }

    /** Whether one member has received and read a message. */
    public record MemberReceipt(long userId, boolean delivered, boolean read) {
    }

    /** "Message info": for every member but the message's sender, whether they have received and read it. */
    public List<MemberReceipt> info(Conversation conv, dev.parley.messaging.StoredMessage message) {
        Map<Long, ReceiptPosition> byUser = of(conv.id());
        List<MemberReceipt> result = new ArrayList<>();
        synchronized (byUser) {
            for (long member : conv.members()) {
                if (member != message.senderUserId()) {
                    ReceiptPosition p = byUser.get(member);
                    result.add(new MemberReceipt(member, p != null && p.delivered() >= message.seq(),
                        p != null && p.read() >= message.seq()));
                }
            }
        }
        return result;
    }

    /**
     * Tells a reconnecting device where every other member stands in each of its conversations (the ticks it
     * missed while away): one {@code delivered} and one {@code read} frame per member with a position.
     */
    public void replay(Session session, List<Conversation> conversations) {
        for (Conversation conv : conversations) {
            Map<Long, ReceiptPosition> byUser = of(conv.id());
            List<ReceiptPosition> others = new ArrayList<>();
            synchronized (byUser) {
                for (ReceiptPosition p : byUser.values()) {
                    if (p.userId() != session.userId()) {
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

    /** Messages after the user's read position that the user did not send. */
    public long unread(long conversationId, long userId, long lastSeq) {
        long read = readSeq(conversationId, userId);
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
