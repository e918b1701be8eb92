package dev.parley.sync;

import dev.parley.directory.Conversation;
import dev.parley.directory.Device;
import dev.parley.directory.Directory;
import dev.parley.directory.FormerMember;
import dev.parley.directory.Member;
import dev.parley.directory.SyncCursor;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.StoredMessage;
import dev.parley.sessions.OutboundFrame;
import dev.parley.sessions.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sync cursors and the backlog a device gets after {@code ready}.
 *
 * <p>{@code delivered} acknowledgements are frequent (one per message per device), so they only update an in-memory
 * map; {@link #flush()} (run every {@code flushInterval} and at shutdown) writes the changed cursors in one batch.
 * Reads merge that map over the directory, so a device that reconnects at once still sees its latest cursor. A
 * crash may lose the last interval's acknowledgements: those messages are then delivered again (at-least-once; a
 * device drops a {@code seq} it already has).
 */
public final class SyncService implements AutoCloseable {
    public static final int PAGE = 200;
    private static final Duration WRITABLE_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(SyncService.class);

    private final Directory directory;
    private final MessageStore store;
    /** deviceId -> (conversationId -> seq) not yet written to the directory. */
    private final Map<Long, Map<Long, Long>> pending = new ConcurrentHashMap<>();

    private volatile AfterBacklog afterBacklog = (session, convs) -> { };

    /** Runs after a device's missed messages and before {@code synced}: e.g. the receipts it missed. */
    public interface AfterBacklog {
        void replay(Session session, List<Conversation> conversations);
    }

    public void afterBacklog(AfterBacklog hook) {
        this.afterBacklog = hook;
    }

    public SyncService(Directory directory, MessageStore store) {
        this.directory = directory;
        this.store = store;
    }

    /**
     * Records a {@code delivered} ack of a member (the caller checks membership). Ignores acks that go backwards or
     * past the conversation's last seq.
     */
    public void acknowledge(Session session, long conversationId, long seq) {
        if (seq > store.lastSeq(conversationId)) {
            return; // points past the end: ignored, as the contract says
        }
        advance(session.deviceId(), conversationId, seq);
    }

    private void advance(long deviceId, long conversationId, long seq) {
        // compute() holds the entry's lock, so flush() cannot drop the map while this ack goes into it
        pending.compute(deviceId, (k, m) -> {
            Map<Long, Long> map = m == null ? new ConcurrentHashMap<>() : m;
            map.merge(conversationId, seq, Math::max);
            return map;
        });
    }

    /** A device's cursors: the directory's, overlaid with acks not yet written. */
    public Map<Long, Long> cursors(long deviceId) {
        Map<Long, Long> result = new HashMap<>(directory.cursors(deviceId));
        Map<Long, Long> p = pending.get(deviceId);
        if (p != null) {
            p.forEach((conv, seq) -> result.merge(conv, seq, Math::max));
        }
        return result;
    }

    /**
     * A new device starts at the current end of each of its user's conversations (and past the end of the groups
     * its user left).
     */
    public void startNewDevice(Device device) {
        List<Long> convIds = directory.conversationsOf(device.userId()).stream().map(Conversation::id).toList();
        List<SyncCursor> start = new ArrayList<>();
        if (!convIds.isEmpty()) {
            store.lastSeqs(convIds).forEach((conv, seq) -> {
                if (seq > 0) {
                    start.add(new SyncCursor(device.id(), conv, seq));
                }
            });
        }
        for (FormerMember f : directory.formerMemberships(device.userId())) {
            start.add(new SyncCursor(device.id(), f.conversationId(), f.leftSeq()));
        }
        directory.saveCursors(start);
    }

    /** Drops the unwritten cursors of a deleted device. */
    public void forgetDevice(long deviceId) {
        pending.remove(deviceId);
    }

    /**
     * Writes every message the session's device lacks, conversation by conversation in seq order, then ends sync
     * mode (held-back live messages, then {@code synced}). Blocks while the connection is not writable.
     */
    public void backlog(Session session) throws InterruptedException {
        List<Conversation> convs = directory.conversationsOf(session.userId());
        List<FormerMember> former = directory.formerMemberships(session.userId());
        Map<Long, Long> cursors = cursors(session.deviceId());
        List<Long> convIds = new ArrayList<>(convs.size() + former.size());
        convs.forEach(c -> convIds.add(c.id()));
        former.forEach(f -> convIds.add(f.conversationId()));
        Map<Long, Long> last = store.lastSeqs(convIds);
        for (Conversation conv : convs) {
            // A member added to a group gets nothing from before it joined.
            Member me = conv.member(session.userId());
            long joined = me == null ? 0 : me.joinedSeq();
            if (!deliver(session, conv.id(), cursors.getOrDefault(conv.id(), 0L), joined,
                last.getOrDefault(conv.id(), 0L))) {
                return;
            }
        }
        for (FormerMember f : former) {
            // A member who left gets what it missed up to the message that said so, and nothing after.
            long end = Math.min(f.leftSeq(), last.getOrDefault(f.conversationId(), 0L));
            if (!deliver(session, f.conversationId(), cursors.getOrDefault(f.conversationId(), 0L), f.joinedSeq(),
                end)) {
                return;
            }
        }
        afterBacklog.replay(session, convs);
        session.finishSync();
    }

    /**
     * Writes the messages of a conversation after the cursor (and from {@code firstSeq} on) up to {@code end}.
     *
     * @return false if the connection was closed (gone, or too slow to read its backlog)
     */
    private boolean deliver(Session session, long conversationId, long cursor, long firstSeq, long end)
        throws InterruptedException {
        long from = Math.max(cursor, firstSeq - 1);
        boolean deliveredAny = false;
        while (from < end && session.isOpen()) {
            List<StoredMessage> page = store.after(conversationId, from, (int) Math.min(PAGE, end - from));
            if (page.isEmpty()) {
                break;
            }
            for (StoredMessage m : page) {
                if (m.seq() > end) {
                    break;
                }
                if (m.senderDeviceId() != session.deviceId()) {
                    session.deliverBacklog(new OutboundFrame(m.toFrame()), m.conversationId(), m.seq());
                    deliveredAny = true;
                }
                from = m.seq();
            }
            if (!session.awaitWritable(WRITABLE_TIMEOUT)) {
                log.info("device {} did not read its backlog for {}; closing", session.deviceId(), WRITABLE_TIMEOUT);
                session.close(dev.parley.protocol.CloseCodes.TOO_SLOW, "backlog not read");
                return false;
            }
        }
        if (!deliveredAny && from > cursor) {
            // Nothing to acknowledge (only this device's own messages, or nothing it may see): move the cursor.
            advance(session.deviceId(), conversationId, from);
        }
        return session.isOpen();
    }

    /** Writes changed cursors to the directory in one batch. */
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<SyncCursor> batch = new ArrayList<>();
        pending.forEach((device, convs) -> convs.forEach((conv, seq) -> batch.add(new SyncCursor(device, conv, seq))));
        directory.saveCursors(batch);
        for (SyncCursor c : batch) {
            pending.computeIfPresent(c.deviceId(), (k, convs) -> {
                convs.remove(c.conversationId(), c.seq()); // keep it if a newer ack came in meanwhile
                return convs.isEmpty() ? null : convs;
            });
        }
    }

    @Override
    public void close() {
        flush();
    }
}
