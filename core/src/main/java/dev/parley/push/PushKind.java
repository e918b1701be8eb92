package dev.parley.push;

/** A platform's push service, as named on the wire. */
public enum PushKind {
    /** Apple Push Notification service (iOS, macOS): a device token and the app's topic (bundle id). */
    APNS("apns"),
    /** Firebase Cloud Messaging HTTP v1 (Android): a registration token. */
    FCM("fcm"),
    /** Web Push (browsers): a subscription endpoint with its p256dh and auth keys. */
    WEBPUSH("webpush"),
    /** UnifiedPush (de-Googled Android, Linux): an endpoint URL given by the distributor. */
    UNIFIEDPUSH("unifiedpush");

    private final String wireName;

    PushKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The kind with this wire name, or {@code null}. */
    public static PushKind fromWire(String s) {
        for (PushKind k : values()) {
            if (k.wireName.equals(s)) {
                return k;
            }
        }
        return null;
    }
}
