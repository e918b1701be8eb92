package dev.parley.protocol;

/** Size limits of protocol v1. */
public final class Limits {
    /** The most Unicode code points a message {@code body} may hold. */
    public static final int MAX_BODY_CODE_POINTS = 100_000;
    /** The largest WebSocket frame (payload) accepted; larger closes the connection with 1009. */
    public static final int MAX_FRAME_BYTES = 1 << 20;
    /** The longest {@code clientMsgId} accepted. */
    public static final int MAX_CLIENT_MSG_ID_LENGTH = 128;
    /** History page size: default and maximum. */
    public static final int DEFAULT_PAGE_LIMIT = 50;
    public static final int MAX_PAGE_LIMIT = 200;

    private Limits() {
    }
}
