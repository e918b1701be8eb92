package dev.parley.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class IsoMediaDurationTest {
    private static byte[] box(String type, byte[]... payload) {
        int size = 8;
        for (byte[] p : payload) {
            size += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(size).put(type.getBytes(StandardCharsets.ISO_8859_1));
        for (byte[] p : payload) {
            b.put(p);
        }
        return b.array();
    }

    private static byte[] mvhd0(long timescale, long duration) {
        ByteBuffer b = ByteBuffer.allocate(100).putInt(0).putInt(1).putInt(2).putInt((int) timescale)
            .putInt((int) duration);
        return box("mvhd", b.array());
    }

    private static byte[] mvhd1(long timescale, long duration) {
        ByteBuffer b = ByteBuffer.allocate(112).put((byte) 1).put(new byte[3]).putLong(1).putLong(2)
            .putInt((int) timescale).putLong(duration);
        return box("mvhd", b.array());
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static final byte[] FTYP = box("ftyp", "isom\0\0\2\0isommp41".getBytes(StandardCharsets.ISO_8859_1));

    private static OptionalLong read(byte[] file) throws IOException {
        return IsoMediaDuration.millis(new ByteArrayInputStream(file));
    }

    @Test
    void readsTheMovieHeaderAfterTheMediaData() throws IOException {
        byte[] file = concat(FTYP, box("mdat", new byte[1 << 20]), box("moov", box("udta", new byte[40]),
            mvhd0(1000, 93_250)));
        assertThat(read(file)).hasValue(93_250);
    }

    @Test
    void readsThroughRatherThanSkipping() throws IOException {
        byte[] file = concat(FTYP, box("mdat", new byte[200_000]), box("moov", mvhd0(600, 6_000)));
        InputStream noSkip = new ByteArrayInputStream(file) {
            @Override
            public synchronized long skip(long n) {
                throw new AssertionError("skipped " + n + " bytes: a digest over this stream would miss them");
            }
        };
        assertThat(IsoMediaDuration.millis(noSkip)).hasValue(10_000);
    }

    @Test
    void readsVersionOneHeadersAndLargeSizes() throws IOException {
        // a 64-bit box size (size field 1) before the moov box
        byte[] big = ByteBuffer.allocate(16 + 10).putInt(1).put("free".getBytes(StandardCharsets.ISO_8859_1))
            .putLong(26).array();
        byte[] file = concat(FTYP, big, box("moov", mvhd1(90_000, 90_000L * 3600 + 45_000)));
        assertThat(read(file)).hasValue(3_600_500);
    }

    @Test
    void unknownOrMalformedGivesNoDuration() throws IOException {
        assertThat(read("not a movie at all, just text".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(read(concat(FTYP, box("mdat", new byte[100])))).as("no moov").isEmpty();
        assertThat(read(concat(FTYP, box("moov", mvhd0(0, 5))))).as("timescale 0").isEmpty();
        assertThat(read(concat(FTYP, box("moov", mvhd0(1000, 0xFFFF_FFFFL))))).as("unknown duration").isEmpty();
        byte[] lying = box("moov", mvhd0(1000, 5));
        ByteBuffer.wrap(lying).putInt(8, 4_000); // mvhd claims more than moov holds
        assertThat(read(concat(FTYP, lying))).isEmpty();
    }

    @Test
    void aHugeMoovClaimIsNotRead() throws IOException {
        byte[] header = ByteBuffer.allocate(16).putInt(1).put("moov".getBytes(StandardCharsets.ISO_8859_1))
            .putLong(1L << 40).array();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }
        };
        OptionalLong none = IsoMediaDuration.millis(new SequenceInputStream(
            new ByteArrayInputStream(concat(FTYP, header)), endless));
        assertThat(none).isEmpty();
    }
}
