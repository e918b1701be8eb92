package dev.parley.push;

/** A wake-up for one device: which conversation, from whom, the badge, and the preview if allowed. */
public record PushNotification(long userId, long deviceId, long conversationId, String senderName, int badge,
                               String preview) {
}
