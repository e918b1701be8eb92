package dev.parley.sessions;

import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ProtocolException;
import dev.parley.protocol.ServerFrame;

/** A server frame encoded at most once, however many connections it is written to (fan-out). Thread-safe. */
public final class OutboundFrame {
    private final ServerFrame frame;
    private volatile byte[] json;
    private volatile byte[] framed;

    public OutboundFrame(ServerFrame frame) {
        this.frame = frame;
    }

    /**
     * A frame that arrived encoded (from another node): decoded once, for its kind, while its JSON is written as
     * received.
     *
     * @throws ProtocolException if it is not a server frame
     */
    public static OutboundFrame ofJson(byte[] json) throws ProtocolException {
        OutboundFrame f = new OutboundFrame(FrameCodec.INSTANCE.decodeServer(json));
        f.json = json;
        return f;
    }

    public ServerFrame frame() {
        return frame;
    }

    /** The UTF-8 JSON of the frame; callers MUST NOT modify the array. */
    public byte[] json() {
        byte[] j = json;
        if (j == null) {
            j = FrameCodec.INSTANCE.encode(frame);
            json = j; // benign race: two threads may both encode, with equal results
        }
        return j;
    }

    /**
     * The JSON wrapped by the transport (the gateway's WebSocket framing), computed once however many connections
     * get it. A process has one transport, so one cached form is enough; callers MUST NOT modify the array.
     */
    public byte[] framed(java.util.function.UnaryOperator<byte[]> transport) {
        byte[] f = framed;
        if (f == null) {
            f = transport.apply(json());
            framed = f; // benign race, as for json()
        }
        return f;
    }
}
