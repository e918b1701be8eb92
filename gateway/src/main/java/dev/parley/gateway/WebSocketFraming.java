package dev.parley.gateway;

/**
 * Server-to-client WebSocket text frames (RFC 6455, section 5.2) built as plain bytes: FIN and opcode 1, no mask, the
 * length in 7, 16 or 64 bits, then the payload. A fanned-out message is framed once and the same bytes are written
 * to every connection, instead of each connection's encoder allocating a header and copying the payload.
 */
final class WebSocketFraming {
    private static final int FIN_TEXT = 0x81;

    private WebSocketFraming() {
    }

    /** The whole frame carrying this UTF-8 payload. */
    static byte[] text(byte[] payload) {
        int n = payload.length;
        int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
        byte[] frame = new byte[header + n];
        frame[0] = (byte) FIN_TEXT;
        if (n < 126) {
            frame[1] = (byte) n;
        } else if (n <= 0xFFFF) {
            frame[1] = 126;
            frame[2] = (byte) (n >>> 8);
            frame[3] = (byte) n;
        } else {
            frame[1] = 127;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, header, n);
        return frame;
    }
}
