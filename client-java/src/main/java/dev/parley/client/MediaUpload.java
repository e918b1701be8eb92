package dev.parley.client;

import java.time.Instant;
import java.util.List;

/**
 * The answer of {@code POST /v1/media}: either the blob already exists, or where to send it.
 *
 * @param mediaId   the media id to reference in {@code send}
 * @param exists    whether the server already holds this blob (then there is nothing to upload)
 * @param uploadUrl where to {@code PUT} the whole content (absolute, or relative to the base URL); {@code null} when
 *                  it exists or goes in {@code parts}
 * @param direct    whether the upload goes straight to the object store; then {@code complete} must follow it
 * @param parts     the parts to {@code PUT} straight to the object store, for a large upload there; empty otherwise
 * @param expiresAt when the upload URLs expire, or {@code null}
 */
public record MediaUpload(String mediaId, boolean exists, String uploadUrl, boolean direct, List<MediaPart> parts,
                          Instant expiresAt) {
    public MediaUpload {
        parts = parts == null ? List.of() : List.copyOf(parts);
    }

    /** Whether the content goes in parts ({@link #parts}) rather than in one request to {@link #uploadUrl}. */
    public boolean inParts() {
        return !parts.isEmpty();
    }
}
