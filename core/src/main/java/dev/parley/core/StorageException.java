package dev.parley.core;

import dev.parley.protocol.ErrorCode;

/**
 * A backend failed (I/O, driver error). Adapters translate driver exceptions into this, so that no
 * {@code SQLException} reaches a feature. Retriable: the operation did not take effect, or took effect idempotently.
 */
public final class StorageException extends ParleyException {
    public StorageException(String message, Throwable cause) {
        super(ErrorCode.INTERNAL, message, cause);
    }

    /** A failure with another code, e.g. {@link ErrorCode#UNAVAILABLE} for an overloaded or closing store. */
    public StorageException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
