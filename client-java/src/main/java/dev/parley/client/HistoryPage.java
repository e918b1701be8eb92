package dev.parley.client;

import dev.parley.protocol.ServerFrame;
import java.util.List;

/**
 * One page of {@code GET /v1/conversations/{id}/messages}, ascending by {@code seq}.
 *
 * @param messages the messages, with the fields of the {@code message} frame
 * @param hasMore  whether more messages exist in the direction asked for
 */
public record HistoryPage(List<ServerFrame.Message> messages, boolean hasMore) {
    /** Copies {@code messages} into an unmodifiable list. */
    public HistoryPage {
        messages = List.copyOf(messages);
    }

    /** The lowest {@code seq} of the page, or 0 when empty (the {@code beforeSeq} of the previous page). */
    public long firstSeq() {
        return messages.isEmpty() ? 0 : messages.getFirst().seq();
    }

    /** The highest {@code seq} of the page, or 0 when empty (the {@code afterSeq} of the next page). */
    public long lastSeq() {
        return messages.isEmpty() ? 0 : messages.getLast().seq();
    }
}
