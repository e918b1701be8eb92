package dev.parley.media;

/** An upload's next bytes were sent for another offset than where its staged bytes end. */
public final class OffsetMismatchException extends RuntimeException {
    private final long staged;

    public OffsetMismatchException(long offset, long staged) {
        super("upload offset " + offset + " does not match the " + staged + " bytes received so far");
        this.staged = staged;
    }

    /** Where the staged bytes end: the offset to continue from. */
    public long staged() {
        return staged;
    }
}
