package dev.parley.messaging;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Messages, stored once per conversation under {@code (conversationId, seq)}.
 *
 * <p>Contract, checked by {@code MessageStoreContract} in {@code testkit} for every implementation:
 * <ul>
 *   <li>{@link #append} never blocks the caller. It assigns the next {@code seq} of the conversation (dense: 1, 2, 3
 *       ... with no gap and no repeat, whatever the concurrency) and a unique time-ordered id, and calls the listener
 *       exactly once, <em>after</em> the message is durable (fsync'd or replicated as configured).</li>
 *   <li>For one conversation, {@link AppendListener#stored} calls for new messages happen in {@code seq} order and
 *       never concurrently, so that the listener may fan out in order.</li>
 *   <li>Idempotency: a message whose {@code (senderUserId, clientMsgId)} was stored before is not stored again; the
 *       listener gets the original with {@code duplicate = true}. This holds across restarts.</li>
 *   <li>Appends made one after another by one thread get increasing seqs within a conversation (a sender's order is
 *       kept).</li>
 *   <li>Listeners MUST NOT block: they run on the store's own thread, except that an append refused at once (store
 *       closed or overloaded: {@code unavailable}) fails its listener on the caller's thread.</li>
 *   <li>By the time {@link #close} returns every listener has been called; a throwing listener does not stop the
 *       store.</li>
 *   <li>Reads MAY block; they see every message whose listener has been called.</li>
 *   <li>Backend failures reach the listener (or the reader) as {@link dev.parley.core.StorageException}.</li>
 * </ul>
 */
public interface MessageStore extends AutoCloseable {

    /** Stores a message durably, then calls the listener. */
    void append(NewMessage message, AppendListener listener);

    /** Up to {@code limit} messages with {@code seq > afterSeq}, ascending. */
    List<StoredMessage> after(long conversationId, long afterSeq, int limit);

    /** The newest {@code limit} messages with {@code seq < beforeSeq}, ascending. */
    List<StoredMessage> before(long conversationId, long beforeSeq, int limit);

    /** The highest seq of a conversation, 0 when it has none. */
    long lastSeq(long conversationId);

    /** {@link #lastSeq} of many conversations at once; conversations without messages map to 0. */
    Map<Long, Long> lastSeqs(Collection<Long> conversationIds);

    /** The newest message of each of these conversations that has one. */
    Map<Long, StoredMessage> lastMessages(Collection<Long> conversationIds);

    /** How many messages of a conversation have {@code seq > afterSeq} and were not sent by {@code userId}. */
    long countAfter(long conversationId, long afterSeq, long excludingSender);

    /** Stops taking appends, completes (or fails) those in flight, and releases resources. */
    @Override
    void close();

    /** Receives the outcome of {@link #append}. */
    interface AppendListener {
        /** The message is durable; {@code duplicate} when its idempotency key had been stored before. */
        void stored(StoredMessage message, boolean duplicate);

        /** The message was not stored. */
        void failed(RuntimeException error);
    }
}
