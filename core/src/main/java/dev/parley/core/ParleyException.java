package dev.parley.core;

import dev.parley.protocol.ErrorCode;

/** A failure with a protocol error code; the gateway maps it to a REST status or an {@code error} frame. */
public class ParleyException extends RuntimeException {
    private final ErrorCode code;

    public ParleyException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ParleyException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
