package dev.parley.client;

import java.util.Locale;

/** Who may see the caller's presence and last-seen time ({@code PUT /v1/me/privacy}). */
public enum LastSeenPrivacy {
    /** Every user who shares a conversation with the caller. */
    EVERYONE,
    /** The caller's contacts only. */
    CONTACTS,
    /** Nobody. */
    NOBODY;

    /** The wire name, e.g. {@code "everyone"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
