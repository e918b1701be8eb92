package dev.parley.media;

/** An upload sent more bytes than it declared (or than the limit for its type). */
public final class UploadTooLargeException extends RuntimeException {
    public UploadTooLargeException(long limit) {
        super("more than the " + limit + " bytes allowed for this upload");
    }
}
