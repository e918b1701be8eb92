package dev.parley.push;

/**
 * Sends push notifications (APNs, FCM, Web Push, UnifiedPush, or a log). Contract: never blocks the caller (sends
 * asynchronously), never throws for a delivery failure (logs and counts it), and carries nothing that the server
 * does not also deliver over the connection.
 */
public interface PushSender extends AutoCloseable {
    void send(PushNotification notification);

    @Override
    default void close() {
    }
}
