package dev.parley.client;

/**
 * Base of every exception the SDK throws for a failure it understood: an error answer of the server, a closed
 * connection, a timeout. Transport failures of REST calls surface as {@link java.io.UncheckedIOException}.
 */
public class ParleyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message. */
    public ParleyException(String message) {
        super(message);
    }

    /** An exception with this message and cause. */
    public ParleyException(String message, Throwable cause) {
        super(message, cause);
    }
}
