package dev.parley.directory;

/** A device has every message of a conversation up to {@code seq} (cumulative). */
public record SyncCursor(long deviceId, long conversationId, long seq) {
}
