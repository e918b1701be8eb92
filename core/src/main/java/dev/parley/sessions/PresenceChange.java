package dev.parley.sessions;

/**
 * A user's presence as one node decided it: online, or offline since {@code lastSeen} (epoch millis; 0 when online
 * or unknown). Nodes publish these through the {@link SessionRegistry} so that every node can tell its own
 * subscribers.
 *
 * @param nodeId the node that decided it (a node ignores its own changes when they come back)
 */
public record PresenceChange(long userId, boolean online, long lastSeen, int nodeId) {
}
