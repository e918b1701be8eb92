package dev.parley.protocol;

/** A frame that cannot be decoded: malformed JSON, unknown {@code type}, or a missing or invalid field. */
public final class ProtocolException extends Exception {
    private final ErrorCode code;
    private final String ref;

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /** An error about the frame whose {@code clientMsgId} is {@code ref}. */
    public ProtocolException(ErrorCode code, String message, String ref) {
        super(message);
        this.code = code;
        this.ref = ref;
    }

    /** The {@code clientMsgId} of the failed frame, or {@code null}. */
    public String ref() {
        return ref;
    }

    /** The error code to answer with. */
    public ErrorCode code() {
        return code;
    }
}
