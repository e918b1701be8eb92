package dev.parley.client;

/** An {@code await*} helper or the connect handshake did not see what it waited for in time. */
public final class ParleyTimeoutException extends ParleyException {
    private static final long serialVersionUID = 1L;

    /** An exception whose message says what was awaited and what was seen instead. */
    public ParleyTimeoutException(String message) {
        super(message);
    }
}
