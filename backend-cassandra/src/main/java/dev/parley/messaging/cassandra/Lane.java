package dev.parley.messaging.cassandra;

import dev.parley.messaging.MessageStore.AppendListener;
import dev.parley.messaging.NewMessage;
import dev.parley.messaging.StoredMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** What one writer cycle does for one conversation: its appends in queue order and how far it got. */
final class Lane {
    final long conversationId;
    /** Every append of this conversation in the cycle, in queue order (the order their listeners are called). */
    final List<Append> appends = new ArrayList<>();
    /** New messages still to write, in queue order: the seqs they get keep this order. */
    final ArrayDeque<Append> pending = new ArrayDeque<>();
    /** Messages this cycle stored, in seq order. */
    final List<StoredMessage> committed = new ArrayList<>();
    /** Messages other writers stored, found while resolving a conflict: their keys and the head are repaired. */
    final List<StoredMessage> discovered = new ArrayList<>();
    /** The last seq known to exist at the start of the cycle. */
    long initialHead = -1;
    /** The last seq known to exist. */
    long head = -1;
    /** The appends of the conditional write in flight, with the seq of the first. */
    List<Append> chunk = List.of();
    long chunkFirstSeq;
    int attempts;
    /** The head this cycle learnt cannot be trusted (a write's outcome is unknown): forget the cached one. */
    boolean invalidate;

    Lane(long conversationId) {
        this.conversationId = conversationId;
    }

    /** Fails every append still waiting for a seq. */
    void failPending(RuntimeException error) {
        for (Append a : pending) {
            a.error = error;
        }
        pending.clear();
    }

    /** One queued append and, once known, its outcome. */
    static final class Append {
        final NewMessage message;
        final AppendListener listener;
        /** The earlier append with the same idempotency key in this cycle, whose outcome this one shares. */
        Append original;
        String mediaJson;
        String systemJson;
        int bytes;
        /** The id of the current attempt to write it: a row with this id and key is this append's own. */
        long attemptId;
        StoredMessage result;
        boolean duplicate;
        RuntimeException error;

        Append(NewMessage message, AppendListener listener) {
            this.message = message;
            this.listener = listener;
        }

        boolean resolved() {
            return result != null || error != null;
        }

        boolean sameKey(StoredMessage m) {
            return m.senderUserId() == message.senderUserId() && m.clientMsgId().equals(message.clientMsgId());
        }
    }
}
