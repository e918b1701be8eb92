package dev.parley.messaging;

import dev.parley.core.Ids;
import dev.parley.protocol.MediaRef;
import dev.parley.protocol.ServerFrame;

/** A durably stored message: {@code seq} is dense per conversation from 1, {@code id} a time-ordered unique id. */
public record StoredMessage(long conversationId, long seq, long id, long senderUserId, long senderDeviceId,
                            String clientMsgId, String body, MediaRef media, long ts) {

    /** The {@code message} frame (and REST history entry) of this message. */
    public ServerFrame.Message toFrame() {
        return new ServerFrame.Message(Ids.toWire(conversationId), seq, Ids.toWire(id), Ids.toWire(senderUserId),
            Ids.toWire(senderDeviceId), clientMsgId, body, ts, media);
    }

    /** The {@code sent} frame answering the sender. */
    public ServerFrame.Sent toSent() {
        return new ServerFrame.Sent(clientMsgId, Ids.toWire(conversationId), seq, Ids.toWire(id), ts);
    }
}
