package dev.parley.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.parley.testkit.Race;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link BlobStore}. Every implementation subclasses this and only says how to build a fresh, empty
 * store. Stores that hand out direct URLs ({@link BlobStore#directGet}, {@link BlobStore#directPut}) have them
 * fetched here over real HTTP.
 */
public abstract class BlobStoreContract {
    private static final AtomicLong UPLOADS = new AtomicLong(System.nanoTime() & 0xFFFFFFFFL);
    private BlobStore store;

    /** A new store that holds nothing (and sees nothing of a store made for another test). */
    protected abstract BlobStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected BlobStore store() {
        return store;
    }

    protected static long nextUpload() {
        return UPLOADS.incrementAndGet();
    }

    protected static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    protected static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void stagedUploadBecomesBlobOnCommit() {
        byte[] content = bytes(200_000, 1);
        long upload = nextUpload();
        String key = BlobStore.fullKey(sha256(content));

        long length = store.append(upload, 0, new ByteArrayInputStream(content), content.length);

        assertThat(length).isEqualTo(content.length);
        assertThat(store.stagedLength(upload)).isEqualTo(content.length);
        assertThat(readAll(store.openStaged(upload))).isEqualTo(content);
        assertThat(store.length(key)).isEmpty(); // not visible before commit
        store.commit(upload, key);
        assertThat(store.length(key)).hasValue(content.length);
        assertThat(readAll(store.open(key, 0, content.length))).isEqualTo(content);
        assertThat(store.stagedLength(upload)).isZero();
    }

    @Test
    void rangesReadExactlyTheirBytes() {
        byte[] content = bytes(100_000, 2);
        String key = stored(content);

        assertThat(readAll(store.open(key, 10, 1))).containsExactly(content[10]);
        assertThat(readAll(store.open(key, 99_000, 1_000)))
            .isEqualTo(java.util.Arrays.copyOfRange(content, 99_000, 100_000));
        assertThat(readAll(store.open(key, 0, 0))).isEmpty();
    }

    @Test
    void missingBlobHasNoLengthAndCannotBeOpened() {
        String key = BlobStore.fullKey(sha256(bytes(10, 3)));

        assertThat(store.length(key)).isEmpty();
        assertThatThrownBy(() -> store.open(key, 0, 1)).isInstanceOf(NoSuchElementException.class);
        store.delete(key); // nothing to delete: no error
    }

    @Test
    void committingTheSameContentTwiceKeepsOneBlobAndDropsTheSecondUpload() {
        byte[] content = bytes(5_000, 4);
        String key = stored(content);
        long second = nextUpload();
        store.append(second, 0, new ByteArrayInputStream(content), content.length);

        store.commit(second, key);

        assertThat(store.length(key)).hasValue(content.length);
        assertThat(store.stagedLength(second)).isZero();
    }

    @Test
    void concurrentCommitsOfTheSameBytesStoreThemOnce() throws Exception {
        byte[] content = bytes(50_000, 5);
        String key = BlobStore.fullKey(sha256(content));
        long[] uploads = {nextUpload(), nextUpload(), nextUpload(), nextUpload()};
        for (long u : uploads) {
            store.append(u, 0, new ByteArrayInputStream(content), content.length);
        }

        var outcomes = Race.run(uploads.length, i -> {
            store.commit(uploads[i], key);
            return true;
        });

        assertThat(outcomes).allMatch(Race.Outcome::succeeded);
        assertThat(store.length(key)).hasValue(content.length);
        assertThat(readAll(store.open(key, 0, content.length))).isEqualTo(content);
    }

    @Test
    void deleteRemovesTheBlob() {
        String key = stored(bytes(1_000, 6));

        store.delete(key);

        assertThat(store.length(key)).isEmpty();
    }

    @Test
    void putStoresSmallBlobsOnce() {
        byte[] thumb = bytes(3_000, 7);
        String key = BlobStore.thumbnailKey(sha256(bytes(10, 8)));

        store.put(key, thumb);
        store.put(key, thumb);

        assertThat(readAll(store.open(key, 0, thumb.length))).isEqualTo(thumb);
    }

    @Test
    void appendBeyondTheLimitFails() {
        long upload = nextUpload();

        assertThatThrownBy(() -> store.append(upload, 0, new ByteArrayInputStream(bytes(1_001, 9)), 1_000))
            .isInstanceOf(UploadTooLargeException.class);
    }

    @Test
    void appendAtTheWrongOffsetFailsAndKeepsWhatWasThere() {
        long upload = nextUpload();
        byte[] part = bytes(1_000, 10);
        store.append(upload, 0, new ByteArrayInputStream(part), 10_000);

        assertThatThrownBy(() -> store.append(upload, 0, new ByteArrayInputStream(part), 10_000))
            .isInstanceOf(OffsetMismatchException.class);
        if (store.supportsResume()) {
            assertThat(store.stagedLength(upload)).isEqualTo(1_000);
        }
    }

    @Test
    void discardDropsTheStagedBytes() {
        long upload = nextUpload();
        store.append(upload, 0, new ByteArrayInputStream(bytes(1_000, 11)), 1_000);

        store.discard(upload);
        store.discard(upload);

        assertThat(store.stagedLength(upload)).isZero();
    }

    @Test
    void malformedKeysAndUploadIdsAreRefused() {
        for (String bad : new String[] {"../etc/passwd", "", "ABCDEF", "a".repeat(64) + "/../x", "a".repeat(63)}) {
            assertThatThrownBy(() -> store.length(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.delete(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> store.stagedLength(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void interruptedUploadResumesFromWhatArrived() {
        assumeThat(store.supportsResume()).as("resumable uploads").isTrue();
        byte[] content = bytes(300_000, 12);
        long upload = nextUpload();
        InputStream breaking = new InputStream() {
            private int at;

            @Override
            public int read() throws IOException {
                if (at == 120_000) {
                    throw new IOException("connection reset");
                }
                return content[at++] & 0xFF;
            }
        };

        assertThatThrownBy(() -> store.append(upload, 0, breaking, content.length)).isInstanceOf(RuntimeException.class);
        long have = store.stagedLength(upload);
        assertThat(have).isEqualTo(120_000);
        store.append(upload, have, new ByteArrayInputStream(content, (int) have, content.length - (int) have),
            content.length);
        String key = BlobStore.fullKey(sha256(content));
        store.commit(upload, key);

        assertThat(readAll(store.open(key, 0, content.length))).isEqualTo(content);
    }

    @Test
    void directUrlsWorkOverHttp() throws Exception {
        byte[] content = bytes(20_000, 13);
        String key = stored(content);
        Optional<URI> get = store.directGet(key, "image/png", Duration.ofMinutes(5));
        assumeThat(get).as("direct URLs").isPresent();
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<byte[]> res = http.send(HttpRequest.newBuilder(get.get()).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo(content);

        long upload = nextUpload();
        byte[] upBytes = bytes(30_000, 14);
        URI put = store.directPut(upload, upBytes.length, Duration.ofMinutes(5)).orElseThrow();
        HttpResponse<String> up = http.send(HttpRequest.newBuilder(put)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(upBytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).isBetween(200, 299);
        assertThat(store.stagedLength(upload)).isEqualTo(upBytes.length);
        assertThat(readAll(store.openStaged(upload))).isEqualTo(upBytes);
    }

    @Test
    void directUploadInPartsResumesWithTheMissingPartsAndJoins() throws Exception {
        long upload = nextUpload();
        byte[] content = bytes(directPartsSize(), 15);
        Optional<List<BlobStore.DirectPart>> first = store.directParts(upload, content.length, Duration.ofMinutes(5));
        assumeThat(first).as("direct uploads in parts").isPresent();
        List<BlobStore.DirectPart> parts = first.get();
        assertThat(parts).hasSizeGreaterThan(1);
        assertThat(parts.get(0).offset()).isZero();
        assertThat(parts.stream().mapToLong(BlobStore.DirectPart::length).sum()).isEqualTo(content.length);
        assertThat(parts).noneMatch(BlobStore.DirectPart::received);
        HttpClient http = HttpClient.newHttpClient();

        // The first part arrives, then the client goes away.
        putPart(http, parts.get(0), content);
        assertThat(store.stagedLength(upload)).isEqualTo(parts.get(0).length());
        assertThatThrownBy(() -> store.joinParts(upload, content.length)).isInstanceOf(IllegalStateException.class);

        // Asking again lists the first as received and signs the others afresh.
        List<BlobStore.DirectPart> again = store.directParts(upload, content.length, Duration.ofMinutes(5))
            .orElseThrow();
        assertThat(again).extracting(BlobStore.DirectPart::number)
            .containsExactlyElementsOf(parts.stream().map(BlobStore.DirectPart::number).toList());
        assertThat(again.get(0).received()).isTrue();
        for (BlobStore.DirectPart part : again.subList(1, again.size())) {
            assertThat(part.received()).isFalse();
            putPart(http, part, content);
        }
        assertThat(store.stagedLength(upload)).isEqualTo(content.length);

        store.joinParts(upload, content.length);
        store.joinParts(upload, content.length); // idempotent
        assertThat(store.stagedLength(upload)).isEqualTo(content.length);
        assertThat(readAll(store.openStaged(upload))).isEqualTo(content);
        String key = BlobStore.fullKey(sha256(content));
        store.commit(upload, key);
        assertThat(readAll(store.open(key, 0, content.length))).isEqualTo(content);
        assertThat(store.stagedLength(upload)).isZero();
    }

    @Test
    void discardAbandonsAnUploadInParts() throws Exception {
        long upload = nextUpload();
        byte[] content = bytes(directPartsSize(), 16);
        Optional<List<BlobStore.DirectPart>> parts = store.directParts(upload, content.length, Duration.ofMinutes(5));
        assumeThat(parts).as("direct uploads in parts").isPresent();
        putPart(HttpClient.newHttpClient(), parts.get().get(0), content);

        store.discard(upload);

        assertThat(store.stagedLength(upload)).isZero();
        store.discard(upload); // nothing left: still fine
    }

    /** A size this store takes in more than one direct part; stores without direct parts ignore it. */
    protected int directPartsSize() {
        return 1 << 20;
    }

    private static void putPart(HttpClient http, BlobStore.DirectPart part, byte[] content) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(part.url())
            .PUT(HttpRequest.BodyPublishers.ofByteArray(content, (int) part.offset(), (int) part.length())).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isBetween(200, 299);
    }

    /** Stores content through the upload path and returns its key. */
    protected String stored(byte[] content) {
        long upload = nextUpload();
        store.append(upload, 0, new ByteArrayInputStream(content), content.length);
        String key = BlobStore.fullKey(sha256(content));
        store.commit(upload, key);
        return key;
    }
}
