package dev.parley.messaging;

import dev.parley.protocol.MediaRef;
import dev.parley.protocol.SystemEvent;

/**
 * A message to store. {@code (senderUserId, clientMsgId)} is its idempotency key.
 *
 * @param ts     server receive time, epoch ms
 * @param system what a system message records (group changes); {@code null} for messages users send
 */
public record NewMessage(long conversationId, long senderUserId, long senderDeviceId, String clientMsgId,
                         String body, MediaRef media, long ts, SystemEvent system) {

    /** A message a user sends. */
    public NewMessage(long conversationId, long senderUserId, long senderDeviceId, String clientMsgId, String body,
                      MediaRef media, long ts) {
        this(conversationId, senderUserId, senderDeviceId, clientMsgId, body, media, ts, null);
    }
}
