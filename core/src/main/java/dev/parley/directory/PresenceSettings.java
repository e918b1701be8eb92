package dev.parley.directory;

import java.util.Locale;

/**
 * A user's last-seen time (epoch ms, 0 when never seen offline) and who may see it.
 */
public record PresenceSettings(long userId, long lastSeen, Visibility visibility) {
    /** Who sees a user's online status and last seen. */
    public enum Visibility {
        EVERYONE, CONTACTS, NOBODY;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code everyone | contacts | nobody}; null if it is none of them. */
        public static Visibility fromWire(String s) {
            for (Visibility v : values()) {
                if (v.wireName().equals(s)) {
                    return v;
                }
            }
            return null;
        }
    }

    public static PresenceSettings defaults(long userId) {
        return new PresenceSettings(userId, 0, Visibility.EVERYONE);
    }
}
