package dev.parley.media;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Where media bytes live: uploads in progress ("staged", named by the upload's id) and finished blobs, named by a
 * key derived from the lower-case hex SHA-256 of their content ({@link #fullKey}, {@link #thumbnailKey}), so that
 * the same bytes are stored once however often they are shared.
 *
 * <p>Contract: blocking (call off the event loop); a blob is visible to {@link #length} and {@link #open} only once
 * completely written; {@link #commit} and {@link #put} are idempotent; keys and upload ids are validated here, so a
 * name can never address anything outside the store; backend failures surface as
 * {@link dev.parley.core.StorageException}.
 */
public interface BlobStore extends AutoCloseable {
    /** What a blob key looks like: 64 hex digits, optionally with a suffix for a derived blob. */
    Pattern KEY = Pattern.compile("[0-9a-f]{64}(-thumb)?");

    /** The key of the content with this SHA-256. */
    static String fullKey(String sha256) {
        return checkKey(sha256);
    }

    /** The key of the thumbnail made from the content with this SHA-256. */
    static String thumbnailKey(String sha256) {
        return checkKey(sha256 + "-thumb");
    }

    /** The key, if it is well formed; else {@link IllegalArgumentException}. */
    static String checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("blob key: \"" + key + "\" (expected: 64 lower-case hex digits)");
        }
        return key;
    }

    /** The upload id, if positive; else {@link IllegalArgumentException}. */
    static long checkUpload(long uploadId) {
        if (uploadId <= 0) {
            throw new IllegalArgumentException("upload id: " + uploadId + " (expected: positive)");
        }
        return uploadId;
    }

    /** Bytes received so far for an upload; 0 if none. */
    long stagedLength(long uploadId);

    /**
     * Appends the next bytes of an upload, which must start where the staged bytes end. Reads {@code content} to its
     * end, but never more than {@code maxLength - offset} bytes: at that point it stops and fails with
     * {@link UploadTooLargeException}. A stream that fails midway keeps what arrived when
     * {@link #supportsResume()}, and nothing otherwise.
     *
     * @return the staged length afterwards
     * @throws OffsetMismatchException when {@code offset} is not the staged length (or not 0 without resume)
     */
    long append(long uploadId, long offset, InputStream content, long maxLength);

    /** Whether an upload can continue after an interruption ({@link #append} at an offset above 0). */
    boolean supportsResume();

    /** The staged bytes of an upload, from the start. */
    InputStream openStaged(long uploadId);

    /** Makes a staged upload the blob {@code key}; if that blob exists already, the staged bytes are dropped. */
    void commit(long uploadId, String key);

    /** Drops what was staged for an upload; nothing if there is none. */
    void discard(long uploadId);

    /** Stores a small blob (a thumbnail), unless it is there already. */
    void put(String key, byte[] content);

    /** A blob's length, if it exists. */
    OptionalLong length(String key);

    /**
     * {@code length} bytes of a blob from {@code offset}; the range must lie inside the blob.
     *
     * @throws java.util.NoSuchElementException when the blob does not exist
     */
    InputStream open(String key, long offset, long length);

    /** Deletes a blob; nothing if it does not exist. */
    void delete(String key);

    /**
     * A URL at which anyone holding it can GET the blob straight from the storage service until {@code ttl} has
     * passed (a pre-signed URL), answered with the given content type and immutable caching headers; empty when the
     * blobs are served by Parley itself.
     */
    default Optional<URI> directGet(String key, String contentType, Duration ttl) {
        return Optional.empty();
    }

    /**
     * A URL at which a client can PUT an upload's whole content straight to the storage service until {@code ttl}
     * has passed; empty when uploads go through Parley itself.
     */
    default Optional<URI> directPut(long uploadId, long size, Duration ttl) {
        return Optional.empty();
    }

    /**
     * One part of an upload that a client sends straight to the storage service in parts.
     *
     * @param number the part's number, from 1
     * @param offset where its bytes start in the content
     * @param length how many bytes it holds (all parts but the last have the same length)
     * @param url    where to PUT exactly these bytes until the URL expires; {@code null} once the part has arrived
     */
    record DirectPart(int number, long offset, long length, URI url) {
        public boolean received() {
            return url == null;
        }
    }

    /**
     * The parts in which a client can PUT an upload's {@code size} bytes straight to the storage service, each
     * independently, so that an interrupted upload continues with the parts that are missing; parts that arrived
     * already have no URL. The first call starts the upload in parts, later calls (to resume) list its progress and
     * sign fresh URLs. Empty when the store takes no direct uploads in parts, or prefers one {@link #directPut} for
     * this size. While parts are arriving, {@link #stagedLength} counts the bytes of the parts received.
     */
    default Optional<List<DirectPart>> directParts(long uploadId, long size, Duration ttl) {
        return Optional.empty();
    }

    /**
     * Joins the parts of a direct upload in parts into its staged content, readable by {@link #openStaged}; nothing
     * when the upload is not in parts or was joined before.
     *
     * @throws IllegalStateException when the parts received do not make up exactly {@code size} bytes in order
     */
    default void joinParts(long uploadId, long size) {
    }

    /** The longest a {@link #directGet} or {@link #directPut} URL may stay valid (S3 signatures: 7 days). */
    default Duration maxDirectUrlTtl() {
        return Duration.ofDays(36_500);
    }

    @Override
    default void close() {
    }
}
