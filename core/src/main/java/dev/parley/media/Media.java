package dev.parley.media;

import dev.parley.core.Ids;
import dev.parley.protocol.MediaRef;

/**
 * One media item as its uploader declared it and the server verified it. Several items may share one blob (the same
 * SHA-256): each upload request gets its own id, owned by the caller, so that knowing an id grants nothing by itself.
 *
 * @param mimeType  the declared type while pending; the type sniffed from the bytes once ready
 * @param durationMs for video and audio whose container states it, the duration in milliseconds; else null
 * @param expiresAt while pending: when the unfinished upload is dropped (epoch ms); 0 once ready
 */
public record Media(long mediaId, long ownerUserId, String sha256, long size, String mimeType, State state,
                    Integer width, Integer height, boolean thumbnail, Long durationMs, long createdAt,
                    long expiresAt) {

    /** Whether the bytes have arrived and been verified. */
    public enum State { PENDING, READY }

    public boolean ready() {
        return state == State.READY;
    }

    /** The same item, verified: its sniffed type and what was read from the image, video or audio. */
    public Media asReady(String sniffedType, Integer w, Integer h, boolean thumb, Long duration) {
        return new Media(mediaId, ownerUserId, sha256, size, sniffedType, State.READY, w, h, thumb, duration,
            createdAt, 0);
    }

    /** What a message carries about it. */
    public MediaRef toRef() {
        return new MediaRef(Ids.toWire(mediaId), mimeType, size, width, height, thumbnail, durationMs);
    }
}
