package dev.parley.media;

import dev.parley.core.ParleyException;
import dev.parley.protocol.ErrorCode;

/** Uploaded bytes are not what was declared: other size, other hash, or other content type. Answered 400. */
public final class MediaMismatchException extends ParleyException {
    public MediaMismatchException(String message) {
        super(ErrorCode.BAD_REQUEST, message);
    }
}
