package dev.parley.push;

import java.time.Duration;

/**
 * Push settings.
 *
 * @param collapseWindow          at most one push per device and conversation in this window; messages inside it
 *                                give one more push at its end, with the same collapse key
 * @param queueCapacity           notifications waiting or in flight (retries included); more are dropped and counted
 * @param maxAttempts             tries per notification before a transient failure counts as failed
 * @param retryBase               first retry delay; doubled per attempt, with jitter
 * @param allowPrivateEndpoints   accept http and loopback/private-network Web Push and UnifiedPush endpoints (for
 *                                tests and closed networks; otherwise only https to public addresses)
 * @param webPushPublicKey        the VAPID public key (base64url) browsers subscribe with, or {@code null}
 */
public record PushConfig(Duration collapseWindow, int queueCapacity, int maxAttempts, Duration retryBase,
                         boolean allowPrivateEndpoints, String webPushPublicKey) {
    public static final int PREVIEW_CHARS = 100;
}
