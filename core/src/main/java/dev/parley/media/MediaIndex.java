package dev.parley.media;

import java.util.List;
import java.util.Optional;

/**
 * What the server knows about media items: owner, hash, size, type, state, and the conversations each was shared
 * in. The blobs themselves are in the {@link BlobStore}; a blob is referenced by every item with its SHA-256.
 *
 * <p>Contract: blocking; thread-safe; backend failures surface as {@link dev.parley.core.StorageException}.
 */
public interface MediaIndex extends AutoCloseable {
    /** Records a new item (pending, or ready when it reuses a stored blob). Its id must be new. */
    void insert(Media media);

    Optional<Media> get(long mediaId);

    /** Any ready item with this content, to reuse its verified type, dimensions and thumbnail. */
    Optional<Media> readyWithContent(String sha256);

    /**
     * Marks a pending item ready with what verification found.
     *
     * @return false if it is not pending any more (finished or dropped meanwhile)
     */
    boolean markReady(Media ready);

    /**
     * Deletes an item and its shares.
     *
     * @return how many items still refer to its content (0: the blob may go)
     */
    long delete(long mediaId);

    /** Records that the item was sent in a conversation (idempotent). */
    void share(long mediaId, long conversationId);

    /** The conversations the item was sent in. */
    List<Long> sharedIn(long mediaId);

    /** Pending items whose upload deadline is before {@code now}, at most {@code limit}. */
    List<Media> expiredUploads(long now, int limit);

    /** Items created before {@code before}, oldest first, at most {@code limit} (for retention). */
    List<Media> createdBefore(long before, int limit);

    @Override
    default void close() {
    }
}
