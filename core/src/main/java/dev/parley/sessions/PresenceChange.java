package dev.parley.sessions;

/**
 * A user's presence as one node decided it: online, or offline since {@code lastSeen} (epoch millis; 0 when online
 * or unknown). Nodes publish these through the {@link SessionRegistry} so that every node can tell its own
 * subscribers.
 *
 * @param nodeId  the node that decided it (a node ignores its own changes when they come back)
 * @param privacy the user's new last-seen privacy (its wire name) when the change is one of privacy, not of
 *                presence; {@code null} otherwise
 */
public record PresenceChange(long userId, boolean online, long lastSeen, int nodeId, String privacy) {
    public PresenceChange(long userId, boolean online, long lastSeen, int nodeId) {
        this(userId, online, lastSeen, nodeId, null);
    }

    /** The user changed who may see their presence (to {@code privacy}, a wire name). */
    public static PresenceChange privacy(long userId, String privacy, int nodeId) {
        return new PresenceChange(userId, false, 0, nodeId, privacy);
    }

    public boolean isPrivacyChange() {
        return privacy != null;
    }
}
