package dev.parley.messaging;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.HashSet;
import java.util.Set;

/**
 * Who sent the latest messages of each conversation, in memory: a ring of the last {@link #DEPTH} (seq, sender)
 * pairs per conversation, always contiguous in seq (system messages count, with sender 0). Group receipts go to the senders of the messages a receipt covers; this answers "who sent
 * seq a+1..b" without a store read for every {@code delivered} frame of a thousand members.
 */
public final class RecentSenders {
    public static final int DEPTH = 256;

    private final Cache<Long, Ring> rings;

    public RecentSenders(int maxConversations) {
        this.rings = Caffeine.newBuilder().maximumSize(maxConversations).build();
    }

    /** Records a stored message. Calls for one conversation come in seq order (the store's listener order). */
    public void record(long conversationId, long seq, long senderUserId) {
        rings.get(conversationId, k -> new Ring()).add(seq, senderUserId);
    }

    /**
     * The senders of the messages with {@code fromExclusive < seq <= toInclusive}, or {@code null} when this node
     * does not remember the whole range (the caller then reads the store).
     */
    public Set<Long> senders(long conversationId, long fromExclusive, long toInclusive) {
        Ring r = rings.getIfPresent(conversationId);
        return r == null ? null : r.senders(fromExclusive, toInclusive);
    }

    private static final class Ring {
        private final long[] seqs = new long[DEPTH];
        private final long[] senders = new long[DEPTH];
        private int count;
        private int next;

        synchronized void add(long seq, long sender) {
            if (count > 0 && seq != seqs[(next - 1 + DEPTH) % DEPTH] + 1) {
                count = 0; // a gap (messages stored elsewhere): start again, so the ring is always contiguous
            }
            seqs[next] = seq;
            senders[next] = sender;
            next = (next + 1) % DEPTH;
            count = Math.min(DEPTH, count + 1);
        }

        synchronized Set<Long> senders(long fromExclusive, long toInclusive) {
            if (count == 0) {
                return null;
            }
            long oldest = seqs[(next - count + DEPTH) % DEPTH];
            if (fromExclusive + 1 < oldest) {
                return null; // part of the range is older than the ring
            }
            Set<Long> result = new HashSet<>();
            for (int i = 0; i < count; i++) {
                long s = seqs[i];
                if (s > fromExclusive && s <= toInclusive) {
                    result.add(senders[i]);
                }
            }
            return result;
        }
    }
}
