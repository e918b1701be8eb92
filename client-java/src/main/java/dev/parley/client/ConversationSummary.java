package dev.parley.client;

import dev.parley.protocol.ServerFrame;

/**
 * One entry of {@code GET /v1/conversations}.
 *
 * @param conversationId the conversation id
 * @param kind           {@code "direct"} or {@code "group"} (kept as a string so that new kinds do not break)
 * @param title          the group name, or for a direct conversation the other member's display name; may be
 *                       {@code null}
 * @param lastSeq        the highest {@code seq} in the conversation (0 when empty)
 * @param unread         how many messages the caller has not read; {@code null} when the server does not report it
 *                       (then nothing can be said about unread messages)
 * @param peerUserId     for a direct conversation, the other member (a server extension); else {@code null}
 * @param lastMessage    the newest message (a server extension); {@code null} when absent
 */
public record ConversationSummary(String conversationId, String kind, String title, long lastSeq, Long unread,
                                  String peerUserId, ServerFrame.Message lastMessage, Long mutedUntil) {
    /** Whether this is a group conversation. */
    public boolean isGroup() {
        return "group".equals(kind);
    }
}
