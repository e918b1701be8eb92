package dev.parley.push;

/**
 * A wake-up for one device: which message of which conversation, from whom, the badge, and the preview if the user
 * allowed one. It carries nothing the server does not also deliver over the connection.
 *
 * @param conversationTitle the group's name, or {@code null} for a direct conversation
 * @param senderName        the sender's display name (else username)
 * @param badge             the recipient's unread messages over all conversations
 * @param preview           the first characters of the text, or {@code null} when previews are off
 */
public record PushNotification(long userId, long deviceId, long conversationId, long seq, String conversationTitle,
                               String senderName, int badge, String preview) {

    /** Notifications with the same key replace each other on the device: one per conversation. */
    public String collapseKey() {
        return "c" + Long.toUnsignedString(conversationId, 36);
    }

    /** The notification's title: the sender, and the group if it is one. */
    public String title() {
        return conversationTitle == null ? senderName : senderName + " @ " + conversationTitle;
    }

    /** The notification's text: the preview, or a line that gives nothing away. */
    public String body() {
        if (preview != null) {
            return preview;
        }
        return conversationTitle == null ? "New message from " + senderName
            : "New message from " + senderName + " in " + conversationTitle;
    }
}
