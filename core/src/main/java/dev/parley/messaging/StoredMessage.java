package dev.parley.messaging;

import dev.parley.core.Ids;
import dev.parley.protocol.MediaRef;
import dev.parley.protocol.ServerFrame;
import dev.parley.protocol.SystemEvent;

/**
 * A durably stored message: {@code seq} is dense per conversation from 1, {@code id} a time-ordered unique id.
 *
 * @param system what a system message records (group changes); {@code null} for messages users send
 */
public record StoredMessage(long conversationId, long seq, long id, long senderUserId, long senderDeviceId,
                            String clientMsgId, String body, MediaRef media, long ts, SystemEvent system) {

    /** A message a user sent. */
    public StoredMessage(long conversationId, long seq, long id, long senderUserId, long senderDeviceId,
                         String clientMsgId, String body, MediaRef media, long ts) {
        this(conversationId, seq, id, senderUserId, senderDeviceId, clientMsgId, body, media, ts, null);
    }

    /** The stored form of a new message, once the store assigned its seq and id. */
    public static StoredMessage of(NewMessage m, long seq, long id) {
        return new StoredMessage(m.conversationId(), seq, id, m.senderUserId(), m.senderDeviceId(), m.clientMsgId(),
            m.body(), m.media(), m.ts(), m.system());
    }

    public boolean isSystem() {
        return system != null;
    }

    /** The {@code message} frame (and REST history entry) of this message. */
    public ServerFrame.Message toFrame() {
        return new ServerFrame.Message(Ids.toWire(conversationId), seq, Ids.toWire(id), Ids.toWire(senderUserId),
            Ids.toWire(senderDeviceId), clientMsgId, body, ts, media, system);
    }

    /** The {@code sent} frame answering the sender. */
    public ServerFrame.Sent toSent() {
        return new ServerFrame.Sent(clientMsgId, Ids.toWire(conversationId), seq, Ids.toWire(id), ts);
    }
}
