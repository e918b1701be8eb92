package dev.parley.loadgen;

import dev.parley.core.BackendConfig;
import dev.parley.core.IdGenerator;
import dev.parley.core.Resources;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.MessageStoreProvider;
import dev.parley.messaging.NewMessage;
import dev.parley.messaging.StoredMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A message store that keeps nothing on disk: the benchmark's baseline ("the same server without storage cost").
 * Registered as type {@code volatile-bench} by the load generator only; the server never offers it.
 */
public final class VolatileMessageStore implements MessageStore {
    private final IdGenerator ids;
    private final Map<Long, List<StoredMessage>> byConversation = new HashMap<>();
    private final Map<String, StoredMessage> byKey = new HashMap<>();
    /** One writer thread, like the SQLite store's, so that only the storage cost differs. */
    private final java.util.concurrent.ExecutorService writer =
        java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "volatile-writer"));

    VolatileMessageStore(IdGenerator ids) {
        this.ids = ids;
    }

    @Override
    public void append(NewMessage m, AppendListener listener) {
        writer.execute(() -> store(m, listener));
    }

    private synchronized void store(NewMessage m, AppendListener listener) {
        StoredMessage existing = byKey.get(m.senderUserId() + ":" + m.clientMsgId());
        if (existing != null) {
            listener.stored(existing, true);
            return;
        }
        List<StoredMessage> list = byConversation.computeIfAbsent(m.conversationId(), k -> new ArrayList<>());
        StoredMessage s = StoredMessage.of(m, list.size() + 1, ids.next());
        list.add(s);
        byKey.put(m.senderUserId() + ":" + m.clientMsgId(), s);
        listener.stored(s, false); // under the lock: seq order per conversation
    }

    @Override
    public synchronized List<StoredMessage> after(long conversationId, long afterSeq, int limit) {
        List<StoredMessage> list = byConversation.getOrDefault(conversationId, List.of());
        int from = (int) Math.min(afterSeq, list.size());
        return List.copyOf(list.subList(from, Math.min(list.size(), from + limit)));
    }

    @Override
    public synchronized List<StoredMessage> before(long conversationId, long beforeSeq, int limit) {
        List<StoredMessage> list = byConversation.getOrDefault(conversationId, List.of());
        int to = (int) Math.min(list.size(), beforeSeq - 1);
        return List.copyOf(list.subList(Math.max(0, to - limit), Math.max(0, to)));
    }

    @Override
    public synchronized long lastSeq(long conversationId) {
        return byConversation.getOrDefault(conversationId, List.of()).size();
    }

    @Override
    public synchronized long countAfter(long conversationId, long afterSeq, long excludingSender) {
        return after(conversationId, afterSeq, Integer.MAX_VALUE).stream()
            .filter(m -> m.senderUserId() != excludingSender).count();
    }

    @Override
    public synchronized Map<Long, Long> lastSeqs(Collection<Long> conversationIds) {
        Map<Long, Long> r = new HashMap<>();
        for (long c : conversationIds) {
            r.put(c, lastSeq(c));
        }
        return r;
    }

    @Override
    public synchronized Map<Long, StoredMessage> lastMessages(Collection<Long> conversationIds) {
        Map<Long, StoredMessage> r = new HashMap<>();
        for (long c : conversationIds) {
            List<StoredMessage> list = byConversation.get(c);
            if (list != null && !list.isEmpty()) {
                r.put(c, list.getLast());
            }
        }
        return r;
    }

    @Override
    public void close() {
        writer.shutdown();
    }

    /** Provider for {@code messages.type: volatile-bench}. */
    public static final class Provider implements MessageStoreProvider {
        @Override
        public String type() {
            return "volatile-bench";
        }

        @Override
        public MessageStore create(BackendConfig config, Resources resources) {
            return new VolatileMessageStore(resources.ids());
        }
    }
}
