package dev.parley.push;

import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default for a kind whose push service is not configured: writes one line per notification (at
 * debug, without message text) and reports it delivered.
 */
public final class LoggingPushTransport implements PushTransport {
    private static final Logger log = LoggerFactory.getLogger(LoggingPushTransport.class);
    private final PushKind kind;

    public LoggingPushTransport(PushKind kind) {
        this.kind = kind;
    }

    @Override
    public PushKind kind() {
        return kind;
    }

    @Override
    public CompletableFuture<PushOutcome> deliver(PushRegistration to, PushNotification n) {
        log.debug("{} push (not configured, only logged) to device {} of user {}: conversation {} seq {} badge {}",
            kind.wireName(), n.deviceId(), n.userId(), n.conversationId(), n.seq(), n.badge());
        return CompletableFuture.completedFuture(PushOutcome.DELIVERED);
    }
}
