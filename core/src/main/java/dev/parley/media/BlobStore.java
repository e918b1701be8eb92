package dev.parley.media;

import java.io.InputStream;
import java.util.Optional;

/**
 * Media bytes, content-addressed by the lower-case hex SHA-256 of the content.
 *
 * <p>Contract: blocking (call off the event loop); {@link #put} is idempotent (the same key twice keeps one copy);
 * a blob is visible to {@link #open} only once completely written; backend failures surface as
 * {@link dev.parley.core.StorageException}.
 */
public interface BlobStore extends AutoCloseable {
    /** Stores the content under its key, unless it is there already. */
    void put(String sha256, InputStream content, long size);

    /** The content, if stored. */
    Optional<InputStream> open(String sha256);

    boolean exists(String sha256);

    void delete(String sha256);

    @Override
    default void close() {
    }
}
