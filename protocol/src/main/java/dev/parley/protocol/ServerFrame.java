package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A frame the server sends over {@code /v1/ws}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ServerFrame.Ready.class, name = "ready"),
    @JsonSubTypes.Type(value = ServerFrame.Synced.class, name = "synced"),
    @JsonSubTypes.Type(value = ServerFrame.Sent.class, name = "sent"),
    @JsonSubTypes.Type(value = ServerFrame.Message.class, name = "message"),
    @JsonSubTypes.Type(value = ServerFrame.Receipt.class, name = "receipt"),
    @JsonSubTypes.Type(value = ServerFrame.Pong.class, name = "pong"),
    @JsonSubTypes.Type(value = ServerFrame.Presence.class, name = "presence"),
    @JsonSubTypes.Type(value = ServerFrame.Typing.class, name = "typing"),
    @JsonSubTypes.Type(value = ServerFrame.Error.class, name = "error"),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerFrame {

    /** Authentication succeeded; the backlog ({@code message} frames, then {@code synced}) follows. */
    record Ready(String userId, String deviceId, long serverTime) implements ServerFrame {
    }

    /** Every message this device lacked at connect time has been pushed; live traffic follows. */
    record Synced() implements ServerFrame {
    }

    /** The message of {@code clientMsgId} is durably stored as {@code seq} of the conversation (one tick). */
    record Sent(String clientMsgId, String conversationId, long seq, String messageId, long ts) implements ServerFrame {
    }

    /**
     * A stored message; also the shape of history entries over REST. {@code system} is present on the messages the
     * server writes into a group when its membership or name changes ({@code from} is then the user who made the
     * change and {@code fromDevice} is {@code "0"}).
     */
    record Message(String conversationId, long seq, String messageId, String from, String fromDevice,
                   String clientMsgId, String body, long ts, MediaRef media, SystemEvent system)
        implements ServerFrame {
    }

    /** Another member's device has received ({@code delivered}) or read ({@code read}) up to {@code seq}. */
    record Receipt(String conversationId, long seq, String userId, String status) implements ServerFrame {
    }

    /** Answer to {@code ping}. */
    record Pong(long serverTime) implements ServerFrame {
    }

    /** A user's presence: online now, or when last seen (epoch ms; absent when hidden or never seen). */
    record Presence(String userId, boolean online, Long lastSeen) implements ServerFrame {
    }

    /** A member is typing in a conversation. */
    record Typing(String conversationId, String userId) implements ServerFrame {
    }

    /** A failed request; {@code ref} is the {@code clientMsgId} of the frame that failed, when it had one. */
    record Error(ErrorCode code, String message, String ref) implements ServerFrame {
    }
}
