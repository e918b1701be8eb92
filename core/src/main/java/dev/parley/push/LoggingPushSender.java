package dev.parley.push;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The embedded default {@link PushSender}: writes one debug line per notification. */
public final class LoggingPushSender implements PushSender {
    private static final Logger log = LoggerFactory.getLogger(LoggingPushSender.class);

    @Override
    public void send(PushNotification n) {
        log.debug("push to device {} of user {}: conversation {} from {} (badge {})", n.deviceId(), n.userId(),
            n.conversationId(), n.senderName(), n.badge());
    }
}
