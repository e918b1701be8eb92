package dev.parley.client;

import dev.parley.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records which {@code seq} of each conversation a device received, so that tests can check delivery: no
 * duplicates, no gaps, per-conversation order. It only observes: nothing is ever filtered out of the inbox.
 *
 * <p>Each {@link ParleyConnection} records every {@code message} frame it receives into its
 * {@link ParleyConnection#tracker()}; pass one tracker to several connections (see
 * {@link ConnectOptions#withTracker}) to check delivery across reconnects. Memory is one bit per {@code seq}.
 * Thread-safe.
 *
 * <pre>{@code
 * assertThat(conn.tracker().problems()).isEmpty();
 * assertThat(conn.tracker().gaps(conversationId, 1)).isEmpty();   // everything from seq 1 on arrived
 * }</pre>
 */
public final class MessageTracker {
    private final Map<String, Track> tracks = new LinkedHashMap<>();

    private static final class Track {
        final BitSet seen = new BitSet();
        long lowest = Long.MAX_VALUE;
        long highest;
        long last;
        long received;
        final List<Long> duplicates = new ArrayList<>();
        final List<Long> outOfOrder = new ArrayList<>();
        final List<Long> invalid = new ArrayList<>();
    }

    /** Records a received message. */
    public void record(ServerFrame.Message message) {
        record(message.conversationId(), message.seq());
    }

    /**
     * Records that {@code seq} of a conversation arrived. A {@code seq} below 1 (or beyond
     * {@code Integer.MAX_VALUE - 1}) is kept as invalid.
     */
    public synchronized void record(String conversationId, long seq) {
        Track t = tracks.computeIfAbsent(conversationId, k -> new Track());
        t.received++;
        if (seq < 1 || seq >= Integer.MAX_VALUE) {
            t.invalid.add(seq);
            return;
        }
        int bit = (int) seq;
        if (t.seen.get(bit)) {
            t.duplicates.add(seq);
        } else {
            t.seen.set(bit);
        }
        if (seq < t.last) {
            t.outOfOrder.add(seq);
        }
        t.last = Math.max(t.last, seq);
        t.lowest = Math.min(t.lowest, seq);
        t.highest = Math.max(t.highest, seq);
    }

    /** The conversations seen, in order of their first message. */
    public synchronized List<String> conversations() {
        return List.copyOf(tracks.keySet());
    }

    /** How many {@code message} frames arrived in total, duplicates included. */
    public synchronized long totalReceived() {
        return tracks.values().stream().mapToLong(t -> t.received).sum();
    }

    /** How many {@code message} frames of a conversation arrived, duplicates included. */
    public synchronized long received(String conversationId) {
        Track t = tracks.get(conversationId);
        return t == null ? 0 : t.received;
    }

    /** The highest {@code seq} received in a conversation; 0 when none. */
    public synchronized long highestSeq(String conversationId) {
        Track t = tracks.get(conversationId);
        return t == null ? 0 : t.highest;
    }

    /** The distinct valid {@code seq}s received in a conversation, ascending. */
    public synchronized List<Long> seqs(String conversationId) {
        Track t = tracks.get(conversationId);
        if (t == null) {
            return List.of();
        }
        return t.seen.stream().mapToObj(i -> (long) i).toList();
    }

    /** Each {@code seq} that arrived again after its first arrival, once per extra arrival. */
    public synchronized List<Long> duplicates(String conversationId) {
        Track t = tracks.get(conversationId);
        return t == null ? List.of() : List.copyOf(t.duplicates);
    }

    /** Each {@code seq} that arrived after a higher one of the same conversation. */
    public synchronized List<Long> outOfOrder(String conversationId) {
        Track t = tracks.get(conversationId);
        return t == null ? List.of() : List.copyOf(t.outOfOrder);
    }

    /** The {@code seq}s missing between {@code fromSeq} and the highest received (inclusive), ascending. */
    public synchronized List<Long> gaps(String conversationId, long fromSeq) {
        Track t = tracks.get(conversationId);
        if (t == null) {
            return List.of();
        }
        List<Long> missing = new ArrayList<>();
        int from = (int) Math.max(1, Math.min(fromSeq, Integer.MAX_VALUE));
        for (int i = t.seen.nextClearBit(from); i <= t.highest; i = t.seen.nextClearBit(i + 1)) {
            missing.add((long) i);
        }
        return missing;
    }

    /** The {@code seq}s missing between the lowest and the highest received, ascending. */
    public synchronized List<Long> gaps(String conversationId) {
        Track t = tracks.get(conversationId);
        return t == null || t.highest == 0 ? List.of() : gaps(conversationId, t.lowest);
    }

    /**
     * Every anomaly, one line per conversation and kind: duplicates, out-of-order arrivals, gaps between the lowest
     * and highest {@code seq} received, and invalid {@code seq}s. Empty when delivery looked perfect.
     */
    public synchronized List<String> problems() {
        List<String> out = new ArrayList<>();
        tracks.forEach((conversation, t) -> {
            if (!t.duplicates.isEmpty()) {
                out.add(conversation + ": duplicates " + abbreviate(t.duplicates));
            }
            if (!t.outOfOrder.isEmpty()) {
                out.add(conversation + ": out of order " + abbreviate(t.outOfOrder));
            }
            if (t.highest > 0) {
                // Count with the bitset rather than listing: a stray huge seq must not allocate a huge list.
                int lo = (int) t.lowest;
                int hi = (int) t.highest;
                long missing = (hi - lo + 1L) - t.seen.get(lo, hi + 1).cardinality();
                if (missing > 0) {
                    List<Long> first = new ArrayList<>();
                    for (int i = t.seen.nextClearBit(lo); i <= hi && first.size() < 20;
                         i = t.seen.nextClearBit(i + 1)) {
                        first.add((long) i);
                    }
                    out.add(conversation + ": " + missing + " missing seqs " + first + (missing > 20 ? "..." : ""));
                }
            }
            if (!t.invalid.isEmpty()) {
                out.add(conversation + ": invalid seqs " + abbreviate(t.invalid));
            }
        });
        return out;
    }

    /** Forgets everything. */
    public synchronized void reset() {
        tracks.clear();
    }

    private static String abbreviate(List<Long> seqs) {
        return seqs.size() <= 20 ? seqs.toString()
            : seqs.subList(0, 20).toString().replace("]", ", ... (" + seqs.size() + " in all)]");
    }

    @Override
    public synchronized String toString() {
        return "MessageTracker[conversations=" + tracks.size() + ", received=" + totalReceived()
            + ", problems=" + problems().size() + "]";
    }
}
