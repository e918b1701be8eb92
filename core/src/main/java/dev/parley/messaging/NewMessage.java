package dev.parley.messaging;

import dev.parley.protocol.MediaRef;

/**
 * A message to store. {@code (senderUserId, clientMsgId)} is its idempotency key.
 *
 * @param ts server receive time, epoch ms
 */
public record NewMessage(long conversationId, long senderUserId, long senderDeviceId, String clientMsgId,
                         String body, MediaRef media, long ts) {
}
