package dev.parley.push;

import java.util.concurrent.CompletableFuture;

/**
 * Sends notifications through one platform's push service (APNs, FCM, Web Push, UnifiedPush), or only logs them.
 *
 * <p>Contract: {@link #deliver} does not block (it returns a future that the transport's own I/O completes) and
 * does not throw: every failure is an outcome, or an exceptionally completed future, which counts as transient.
 */
public interface PushTransport extends AutoCloseable {
    PushKind kind();

    CompletableFuture<PushOutcome> deliver(PushRegistration to, PushNotification notification);

    @Override
    default void close() {
    }
}
