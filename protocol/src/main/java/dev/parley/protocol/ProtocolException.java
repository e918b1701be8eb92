package dev.parley.protocol;

/** A frame that cannot be decoded: malformed JSON, unknown {@code type}, or a missing or invalid field. */
public final class ProtocolException extends Exception {
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    /** The error code to answer with. */
    public ErrorCode code() {
        return code;
    }
}
