package dev.parley.client.internal;

/**
 * Reassembles a WebSocket text message that {@link java.net.http.WebSocket.Listener#onText} delivers in parts
 * ({@code last == false} for all but the final part). Not thread-safe: the listener is called serially.
 */
public final class TextAssembler {
    private final StringBuilder partial = new StringBuilder();
    private final long maxChars;
    private long discarding = -1;

    /** @param maxChars the largest message accepted, in chars; larger ones are dropped and reported */
    public TextAssembler(long maxChars) {
        this.maxChars = maxChars;
    }

    /**
     * Adds one part. The part is copied: the listener's {@code CharSequence} may be reused after the call.
     *
     * @return the whole message when {@code last}, else {@code null}
     * @throws IllegalStateException on the final part of a message larger than {@code maxChars}, which is dropped
     */
    public String append(CharSequence part, boolean last) {
        if (discarding >= 0) {
            discarding += part.length();
        } else if (partial.length() + (long) part.length() > maxChars) {
            discarding = partial.length() + (long) part.length();
            partial.setLength(0);
            partial.trimToSize();
        } else if (last && partial.isEmpty()) {
            return part.toString();
        } else {
            partial.append(part);
        }
        if (!last) {
            return null;
        }
        if (discarding >= 0) {
            long size = discarding;
            discarding = -1;
            throw new IllegalStateException("text message: " + size + " chars (expected: at most " + maxChars + ")");
        }
        String whole = partial.toString();
        partial.setLength(0);
        return whole;
    }

    /** Chars buffered of an unfinished message. */
    public int pending() {
        return partial.length();
    }
}
