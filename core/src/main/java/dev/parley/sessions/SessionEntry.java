package dev.parley.sessions;

/** Where a connected device is: which node holds its connection. */
public record SessionEntry(long userId, long deviceId, long connectionId, int nodeId) {
}
