package dev.parley.push;

/**
 * Where to wake one device: its platform's push channel.
 *
 * @param address   the APNs device token, the FCM registration token, or the Web Push / UnifiedPush endpoint URL
 * @param topic     APNs: the app's bundle id (the {@code apns-topic}); otherwise {@code null}
 * @param p256dh    Web Push (and UnifiedPush with encryption): the device's P-256 public key, base64url; else null
 * @param auth      Web Push (and UnifiedPush with encryption): the 16-byte auth secret, base64url; else null
 * @param updatedAt when the device registered it, epoch ms
 */
public record PushRegistration(long userId, long deviceId, PushKind kind, String address, String topic,
                               String p256dh, String auth, long updatedAt) {

    /** Whether payloads to it are encrypted end to end (RFC 8291). */
    public boolean encrypted() {
        return p256dh != null && auth != null;
    }
}
