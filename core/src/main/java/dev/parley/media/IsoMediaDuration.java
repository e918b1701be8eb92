package dev.parley.media;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * Reads the duration of an ISO base media file (MP4, MOV, M4A, 3GP: ISO/IEC 14496-12) from its movie header: the
 * {@code mvhd} box inside the top-level {@code moov} box, wherever that lies in the file. Other top-level boxes are
 * read through and discarded (never skipped, so that a digest computed over the same stream sees every byte), in
 * a fixed buffer, so memory stays bounded whatever the file's size; a {@code moov} box larger than
 * {@link #MAX_MOOV} is not read at all. It stops reading at the {@code moov} box (or the first malformed box): the
 * caller reads the rest. Malformed input yields "unknown", never an error: the content was
 * verified by type already; the duration is a courtesy.
 *
 * <p>Hand-written: the format needs a few dozen lines for this, and reading just the one box keeps memory bounded
 * for hostile input, which a general metadata reader does not promise.
 */
public final class IsoMediaDuration {
    /** The largest {@code moov} box read: real ones hold sample tables of a few MB even for long videos. */
    public static final int MAX_MOOV = 64 << 20;

    private IsoMediaDuration() {
    }

    /** The duration in milliseconds, if the content is an ISO media file with a movie header that states one. */
    public static OptionalLong millis(InputStream content) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(content, 64 * 1024));
        byte[] scratch = new byte[64 * 1024];
        try {
            while (true) {
                long size = Integer.toUnsignedLong(in.readInt());
                String type = type(in.readInt());
                long header = 8;
                if (size == 1) {
                    size = in.readLong();
                    header = 16;
                }
                if (size == 0) { // the box runs to the end of the file: moov never does that in practice
                    return OptionalLong.empty();
                }
                long payload = size - header;
                if (payload < 0) {
                    return OptionalLong.empty();
                }
                if (type.equals("moov")) {
                    if (payload > MAX_MOOV) {
                        return OptionalLong.empty();
                    }
                    byte[] moov = new byte[(int) payload];
                    in.readFully(moov);
                    return movieHeader(ByteBuffer.wrap(moov));
                }
                discard(in, payload, scratch);
            }
        } catch (EOFException e) {
            return OptionalLong.empty();
        }
    }

    private static void discard(DataInputStream in, long n, byte[] scratch) throws IOException {
        while (n > 0) {
            int r = in.read(scratch, 0, (int) Math.min(scratch.length, n));
            if (r < 0) {
                throw new EOFException();
            }
            n -= r;
        }
    }

    /** Finds {@code mvhd} among the boxes of a {@code moov} payload. */
    private static OptionalLong movieHeader(ByteBuffer moov) {
        while (moov.remaining() >= 8) {
            int start = moov.position();
            long size = Integer.toUnsignedLong(moov.getInt());
            String type = type(moov.getInt());
            if (size < 8 || size > moov.limit() - start) {
                return OptionalLong.empty();
            }
            if (type.equals("mvhd")) {
                ByteBuffer box = moov.slice(start + 8, (int) size - 8);
                return parseMvhd(box);
            }
            moov.position(start + (int) size);
        }
        return OptionalLong.empty();
    }

    private static OptionalLong parseMvhd(ByteBuffer box) {
        if (box.remaining() < 4) {
            return OptionalLong.empty();
        }
        int version = box.get() & 0xff;
        box.position(4); // flags
        long timescale;
        long duration;
        if (version == 1 && box.remaining() >= 28) {
            box.position(box.position() + 16); // creation and modification time, 64 bits each
            timescale = Integer.toUnsignedLong(box.getInt());
            duration = box.getLong();
            if (duration == -1) {
                return OptionalLong.empty(); // "unknown"
            }
        } else if (version == 0 && box.remaining() >= 16) {
            box.position(box.position() + 8);
            timescale = Integer.toUnsignedLong(box.getInt());
            duration = Integer.toUnsignedLong(box.getInt());
            if (duration == 0xFFFF_FFFFL) {
                return OptionalLong.empty();
            }
        } else {
            return OptionalLong.empty();
        }
        if (timescale == 0 || duration < 0) {
            return OptionalLong.empty();
        }
        // duration / timescale seconds, without overflowing for any 63-bit duration
        return OptionalLong.of(duration / timescale * 1000 + duration % timescale * 1000 / timescale);
    }

    private static String type(int fourcc) {
        return new String(ByteBuffer.allocate(4).putInt(fourcc).array(), StandardCharsets.ISO_8859_1);
    }
}
