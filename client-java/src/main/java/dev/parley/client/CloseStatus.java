package dev.parley.client;

/**
 * How a WebSocket connection ended: the close code and reason of the Close frame, or {@link #ABNORMAL} (1006)
 * when the connection dropped (or was aborted) without one.
 *
 * @param code   the close code, e.g. 1000, 1009 or one of {@link dev.parley.protocol.CloseCodes}
 * @param reason the close reason; empty when none
 */
public record CloseStatus(int code, String reason) {
    /** Normal closure. */
    public static final int NORMAL = 1000;
    /** No Close frame was received: the TCP connection dropped, failed or was aborted (RFC 6455 section 7.1.5). */
    public static final int ABNORMAL = 1006;

    /** Normalizes a {@code null} reason to empty. */
    public CloseStatus {
        reason = reason == null ? "" : reason;
    }

    @Override
    public String toString() {
        return reason.isEmpty() ? "close " + code : "close " + code + " (" + reason + ")";
    }
}
