package dev.parley.protocol;

/** WebSocket close codes Parley uses, standard (RFC 6455) and its own (4000-4999). */
public final class CloseCodes {
    /** The server is going away (shutdown). */
    public static final int GOING_AWAY = 1001;
    /** The peer broke the protocol (e.g. a binary frame). */
    public static final int PROTOCOL_ERROR = 1002;
    /** A frame larger than {@link Limits#MAX_FRAME_BYTES}. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** Authentication failed, or the device was logged out or revoked. */
    public static final int UNAUTHORIZED = 4401;
    /** No {@code auth} frame arrived in time. */
    public static final int AUTH_TIMEOUT = 4408;
    /** The device did not send anything (not even {@code ping}) for longer than the idle timeout. */
    public static final int IDLE_TIMEOUT = 4410;
    /** The client did not read fast enough and its outbound queue overflowed; reconnect to sync. */
    public static final int TOO_SLOW = 4429;

    private CloseCodes() {
    }
}
