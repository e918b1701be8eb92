package dev.parley.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract of {@link MediaIndex}; every implementation subclasses this with a fresh, empty index. */
public abstract class MediaIndexContract {
    private static final AtomicLong IDS = new AtomicLong(1_000);
    private static final String SHA_A = "a".repeat(64);
    private static final String SHA_B = "b".repeat(64);
    private MediaIndex index;

    protected abstract MediaIndex newIndex();

    @BeforeEach
    void open() {
        index = newIndex();
    }

    @AfterEach
    void close() {
        index.close();
    }

    private static Media pending(long owner, String sha, long createdAt, long expiresAt) {
        return new Media(IDS.incrementAndGet(), owner, sha, 1234, "image/png", Media.State.PENDING, null, null, false,
            null, createdAt, expiresAt);
    }

    @Test
    void insertedItemReadsBackAndBecomesReadyOnce() {
        Media m = pending(7, SHA_A, 100, 5_000);
        index.insert(m);

        assertThat(index.get(m.mediaId())).hasValue(m);
        assertThat(index.readyWithContent(SHA_A)).isEmpty();
        Media ready = m.asReady("image/png", 640, 480, true, null);
        assertThat(index.markReady(ready)).isTrue();
        assertThat(index.markReady(ready)).isFalse(); // not pending any more
        assertThat(index.get(m.mediaId())).hasValue(ready);
        assertThat(index.readyWithContent(SHA_A)).hasValue(ready);
        assertThat(index.get(m.mediaId()).orElseThrow().expiresAt()).isZero();
    }

    @Test
    void aVideoKeepsItsDuration() {
        Media m = pending(7, SHA_A, 100, 5_000);
        index.insert(m);
        Media ready = m.asReady("video/mp4", null, null, false, 93_250L);
        assertThat(index.markReady(ready)).isTrue();
        assertThat(index.get(m.mediaId())).hasValue(ready);
        assertThat(ready.toRef().durationMs()).isEqualTo(93_250L);
    }

    @Test
    void unknownItemIsEmpty() {
        assertThat(index.get(424242)).isEmpty();
        assertThat(index.sharedIn(424242)).isEmpty();
        assertThat(index.delete(424242)).isZero();
    }

    @Test
    void deleteReportsHowManyItemsStillReferToTheContent() {
        Media a1 = pending(1, SHA_A, 1, 10);
        Media a2 = pending(2, SHA_A, 1, 10);
        Media b = pending(3, SHA_B, 1, 10);
        index.insert(a1);
        index.insert(a2);
        index.insert(b);

        assertThat(index.delete(a1.mediaId())).isEqualTo(1);
        assertThat(index.delete(a2.mediaId())).isZero();
        assertThat(index.get(a1.mediaId())).isEmpty();
        assertThat(index.get(b.mediaId())).hasValue(b);
    }

    @Test
    void sharesAreIdempotentAndGoWithTheItem() {
        Media m = pending(1, SHA_A, 1, 10);
        index.insert(m);

        index.share(m.mediaId(), 55);
        index.share(m.mediaId(), 55);
        index.share(m.mediaId(), 66);

        assertThat(index.sharedIn(m.mediaId())).containsExactlyInAnyOrder(55L, 66L);
        index.delete(m.mediaId());
        assertThat(index.sharedIn(m.mediaId())).isEmpty();
    }

    @Test
    void expiredUploadsAreOnlyPendingOnesPastTheirDeadline() {
        Media late = pending(1, SHA_A, 1, 100);
        Media onTime = pending(1, SHA_A, 1, 10_000);
        Media done = pending(1, SHA_B, 1, 100);
        index.insert(late);
        index.insert(onTime);
        index.insert(done);
        index.markReady(done.asReady("image/png", null, null, false, null));

        assertThat(index.expiredUploads(5_000, 10)).extracting(Media::mediaId).containsExactly(late.mediaId());
    }

    @Test
    void createdBeforeListsOldestFirstWithinTheLimit() {
        Media old = pending(1, SHA_A, 10, 0);
        Media older = pending(1, SHA_A, 5, 0);
        Media recent = pending(1, SHA_B, 1_000, 0);
        index.insert(old);
        index.insert(older);
        index.insert(recent);

        assertThat(index.createdBefore(100, 10)).extracting(Media::mediaId)
            .containsExactly(older.mediaId(), old.mediaId());
        assertThat(index.createdBefore(100, 1)).hasSize(1);
    }
}
