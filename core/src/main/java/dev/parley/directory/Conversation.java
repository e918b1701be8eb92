package dev.parley.directory;

import java.util.List;

/**
 * A conversation and its members.
 *
 * @param kind    {@link Kind#DIRECT} (exactly two members, one per pair of users) or {@link Kind#GROUP}
 * @param title   the group name; {@code null} for direct conversations
 * @param members the user ids of the current members, in no particular order
 */
public record Conversation(long id, Kind kind, String title, List<Long> members, long createdAt) {
    public enum Kind {
        DIRECT, GROUP;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean hasMember(long userId) {
        return members.contains(userId);
    }
}
