package dev.parley.client;

import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import java.util.Objects;
import java.util.Optional;

/**
 * The server answered a WebSocket frame with {@code {"type":"error"}}: a {@code send} rejected by its
 * {@code ref}, or a failed {@code auth} (then {@link #closeStatus()} holds the close that followed, e.g. 4401).
 */
public final class ParleyErrorException extends ParleyException {
    private static final long serialVersionUID = 1L;

    private final transient ServerFrame.Error frame;
    private final transient CloseStatus closeStatus;

    /**
     * Creates an exception for one error frame.
     *
     * @param frame       the error frame
     * @param closeStatus the close that followed it, or {@code null} when the connection stayed open
     */
    public ParleyErrorException(ServerFrame.Error frame, CloseStatus closeStatus) {
        super(describe(Objects.requireNonNull(frame, "frame"), closeStatus));
        this.frame = frame;
        this.closeStatus = closeStatus;
    }

    private static String describe(ServerFrame.Error frame, CloseStatus closeStatus) {
        String code = frame.code() == null ? "(no code)" : frame.code().wireName();
        return "error frame " + code + (frame.message() == null ? "" : ": " + frame.message())
            + (frame.ref() == null ? "" : " (ref " + frame.ref() + ")")
            + (closeStatus == null ? "" : ", then " + closeStatus);
    }

    /** The error frame as received. */
    public ServerFrame.Error frame() {
        return frame;
    }

    /** The error code; {@link ErrorCode#INTERNAL} when the frame carried none. */
    public ErrorCode code() {
        return frame.code() == null ? ErrorCode.INTERNAL : frame.code();
    }

    /** The {@code clientMsgId} of the failed frame, or {@code null}. */
    public String ref() {
        return frame.ref();
    }

    /** The close that followed the error (failed authentication), if the connection was closed. */
    public Optional<CloseStatus> closeStatus() {
        return Optional.ofNullable(closeStatus);
    }
}
