package dev.parley.client;

import java.time.Instant;
import java.util.List;

/**
 * How far an upload in parts is ({@code GET /v1/media/{id}/parts}).
 *
 * @param mediaId   the upload's media id
 * @param size      the content's declared length
 * @param received  the bytes of the parts that arrived
 * @param parts     every part; the missing ones carry fresh URLs
 * @param expiresAt when the upload (and these URLs) expires
 */
public record UploadProgress(String mediaId, long size, long received, List<MediaPart> parts, Instant expiresAt) {
    public UploadProgress {
        parts = List.copyOf(parts);
    }
}
