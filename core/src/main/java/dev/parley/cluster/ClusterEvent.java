package dev.parley.cluster;

import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * What one node tells the others over the {@link ClusterBus}. Encoded compactly in binary: a format version, the
 * kind, the origin node, the kind's fields, and the wire frame as its UTF-8 JSON (encoded once by the origin, written
 * unchanged by every node). A node of another format version skips the event (and logs it): a rolling upgrade
 * that changes the format must run old and new nodes apart.
 */
public sealed interface ClusterEvent {
    byte VERSION = 1;

    /** The node that published the event. */
    int origin();

    /** A stored message for the members' (and {@code alsoTo}'s) devices; the sender's own device is skipped. */
    record NewMessage(int origin, long conversationId, long seq, long senderDeviceId, long senderUserId,
                      boolean system, long[] members, long[] alsoTo, byte[] frame) implements ClusterEvent {
    }

    /** A frame for the users' connections (receipts, typing), but not {@code exceptUser} or {@code exceptDevice}. */
    record ToUsers(int origin, long[] users, long exceptUser, long exceptDevice, boolean sheddable, byte[] frame)
        implements ClusterEvent {
    }

    /** Close a device's connections (logout, revocation). */
    record CloseDevice(int origin, long userId, long deviceId, int code, String reason) implements ClusterEvent {
    }

    static byte[] encode(ClusterEvent event) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            switch (event) {
                case NewMessage m -> {
                    out.writeByte('m');
                    out.writeInt(m.origin());
                    out.writeLong(m.conversationId());
                    out.writeLong(m.seq());
                    out.writeLong(m.senderDeviceId());
                    out.writeLong(m.senderUserId());
                    out.writeBoolean(m.system());
                    writeIds(out, m.members());
                    writeIds(out, m.alsoTo());
                    writeBytes(out, m.frame());
                }
                case ToUsers t -> {
                    out.writeByte('u');
                    out.writeInt(t.origin());
                    writeIds(out, t.users());
                    out.writeLong(t.exceptUser());
                    out.writeLong(t.exceptDevice());
                    out.writeBoolean(t.sheddable());
                    writeBytes(out, t.frame());
                }
                case CloseDevice c -> {
                    out.writeByte('c');
                    out.writeInt(c.origin());
                    out.writeLong(c.userId());
                    out.writeLong(c.deviceId());
                    out.writeInt(c.code());
                    writeBytes(out, c.reason().getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * @throws ProtocolException for another format version, an unknown kind or a truncated event
     */
    static ClusterEvent decode(byte[] bytes) throws ProtocolException {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "cluster event format " + version + " (this node reads " + VERSION + ")");
            }
            byte kind = in.readByte();
            return switch (kind) {
                case 'm' -> new NewMessage(in.readInt(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                    in.readBoolean(), readIds(in), readIds(in), readBytes(in));
                case 'u' -> new ToUsers(in.readInt(), readIds(in), in.readLong(), in.readLong(), in.readBoolean(),
                    readBytes(in));
                case 'c' -> new CloseDevice(in.readInt(), in.readLong(), in.readLong(), in.readInt(),
                    new String(readBytes(in), StandardCharsets.UTF_8));
                default -> throw new ProtocolException(ErrorCode.BAD_REQUEST, "cluster event kind " + kind);
            };
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "cluster event truncated (" + bytes.length
                + " bytes)");
        }
    }

    private static void writeIds(DataOutputStream out, long[] ids) throws IOException {
        out.writeInt(ids.length);
        for (long id : ids) {
            out.writeLong(id);
        }
    }

    private static long[] readIds(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available() / Long.BYTES) {
            throw new IOException("bad id count " + n);
        }
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = in.readLong();
        }
        return ids;
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad length " + n);
        }
        return in.readNBytes(n);
    }
}
