package dev.parley.client;

import java.util.Objects;

/**
 * The connection closed before the awaited answer arrived, or an operation was attempted on a closed connection.
 * {@link #status()} tells how it closed (e.g. 4401 revoked, 4429 too slow, 1006 dropped).
 */
public final class ParleyClosedException extends ParleyException {
    private static final long serialVersionUID = 1L;

    private final transient CloseStatus status;

    /** Creates an exception for a connection that closed with {@code status}; {@code cause} may be {@code null}. */
    public ParleyClosedException(CloseStatus status, Throwable cause) {
        this(status, null, cause);
    }

    /**
     * Creates an exception for a connection that closed with {@code status}.
     *
     * @param detail what was being done or awaited, or {@code null}
     * @param cause  the transport failure, or {@code null}
     */
    public ParleyClosedException(CloseStatus status, String detail, Throwable cause) {
        super("connection closed (" + Objects.requireNonNull(status, "status") + ")"
            + (detail == null ? "" : ": " + detail), cause);
        this.status = status;
    }

    /** How the connection closed. */
    public CloseStatus status() {
        return status;
    }

    /** The close code, shorthand for {@code status().code()}. */
    public int closeCode() {
        return status.code();
    }
}
