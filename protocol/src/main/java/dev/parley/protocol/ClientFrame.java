package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * A frame a client sends over {@code /v1/ws}. Each record names its {@code type}; {@link #validate()} rejects
 * missing or out-of-range fields with {@link ErrorCode#BAD_REQUEST} (or {@link ErrorCode#TOO_LARGE}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ClientFrame.Auth.class, name = "auth"),
    @JsonSubTypes.Type(value = ClientFrame.Send.class, name = "send"),
    @JsonSubTypes.Type(value = ClientFrame.Delivered.class, name = "delivered"),
    @JsonSubTypes.Type(value = ClientFrame.Read.class, name = "read"),
    @JsonSubTypes.Type(value = ClientFrame.Ping.class, name = "ping"),
    @JsonSubTypes.Type(value = ClientFrame.PresenceSubscribe.class, name = "presence.subscribe"),
    @JsonSubTypes.Type(value = ClientFrame.Typing.class, name = "typing"),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ClientFrame {

    /**
     * Checks required fields and limits.
     *
     * @throws ProtocolException naming the offending field and what was expected
     */
    void validate() throws ProtocolException;

    /** First frame of every connection: {@code {"type":"auth","token":"..."}}. */
    record Auth(String token) implements ClientFrame {
        @Override
        public void validate() throws ProtocolException {
            require(token != null && !token.isEmpty(), "auth.token: missing (expected: the token from POST /v1/sessions)");
        }
    }

    /**
     * Sends a message to a user (its direct conversation) or to a conversation.
     *
     * @param clientMsgId the client's idempotency key: resending it answers the same {@code sent}
     * @param to          exactly one of {@code user} or {@code conversation}
     */
    record Send(String clientMsgId, Target to, String body, MediaRef media) implements ClientFrame {
        @Override
        public void validate() throws ProtocolException {
            require(clientMsgId != null && !clientMsgId.isEmpty(), "send.clientMsgId: missing (expected: a client-unique string)");
            require(clientMsgId.length() <= Limits.MAX_CLIENT_MSG_ID_LENGTH,
                "send.clientMsgId: " + clientMsgId.length() + " chars (expected: 1.." + Limits.MAX_CLIENT_MSG_ID_LENGTH + ")");
            requireRef(to != null, clientMsgId, "send.to: missing (expected: {\"user\":id} or {\"conversation\":id})");
            requireRef((to.user() == null) != (to.conversation() == null), clientMsgId,
                "send.to: expected exactly one of \"user\" or \"conversation\"");
            requireRef(body != null || media != null, clientMsgId, "send.body: missing (expected: text, or a media reference)");
            if (media != null) {
                requireRef(media.mediaId() != null && !media.mediaId().isEmpty(), clientMsgId,
                    "send.media.mediaId: missing");
            }
            if (body != null) {
                requireRef(wellFormed(body), clientMsgId,
                    "send.body: contains an unpaired UTF-16 surrogate (expected: valid Unicode text)");
                // Cheap pre-check on UTF-16 length before counting code points.
                if (body.length() > Limits.MAX_BODY_CODE_POINTS) {
                    int cps = body.codePointCount(0, body.length());
                    if (cps > Limits.MAX_BODY_CODE_POINTS) {
                        throw new ProtocolException(ErrorCode.TOO_LARGE, "send.body: " + cps
                            + " code points (expected: at most " + Limits.MAX_BODY_CODE_POINTS + ")", clientMsgId);
                    }
                }
            }
        }
    }

    /** The recipient of a {@link Send}: a user id (direct conversation) or a conversation id. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Target(String user, String conversation) {
        public static Target user(String userId) {
            return new Target(userId, null);
        }

        public static Target conversation(String conversationId) {
            return new Target(null, conversationId);
        }
    }

    /** Cumulative acknowledgement: this device has every message of the conversation up to {@code seq}. */
    record Delivered(String conversationId, Long seq) implements ClientFrame {
        @Override
        public void validate() throws ProtocolException {
            requireConversationSeq("delivered", conversationId, seq);
        }
    }

    /** Cumulative read marker: the user has read the conversation up to {@code seq}. */
    record Read(String conversationId, Long seq) implements ClientFrame {
        @Override
        public void validate() throws ProtocolException {
            requireConversationSeq("read", conversationId, seq);
        }
    }

    /** Heartbeat; answered with {@code pong}. */
    record Ping() implements ClientFrame {
        @Override
        public void validate() {
        }
    }

    /** Asks for the presence of these users now and on every change. */
    record PresenceSubscribe(List<String> users) implements ClientFrame {
        @Override
        public void validate() throws ProtocolException {
            require(users != null, "presence.subscribe.users: missing (expected: a list of user ids)");
            require(users.size() <= 1000, "presence.subscribe.users: " + users.size() + " ids (expected: at most 1000)");
        }
    }

    /** The user is typing in a conversation; relayed, never stored. */
    record Typing(String conversationId) implements ClientFrame {
        @Override
        public void validate() throws ProtocolException {
            require(conversationId != null && !conversationId.isEmpty(), "typing.conversationId: missing");
        }
    }

    private static void requireConversationSeq(String type, String conversationId, Long seq) throws ProtocolException {
        require(conversationId != null && !conversationId.isEmpty(), type + ".conversationId: missing");
        require(seq != null, type + ".seq: missing (expected: a number >= 1)");
        require(seq >= 1, type + ".seq: " + seq + " (expected: >= 1)");
    }

    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static void requireRef(boolean ok, String ref, String message) throws ProtocolException {
        if (!ok) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, message, ref);
        }
    }

    private static void require(boolean ok, String message) throws ProtocolException {
        if (!ok) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, message);
        }
    }
}
