package dev.parley.client;

import java.time.Instant;

/**
 * The answer of {@code POST /v1/media}: either the blob already exists, or where to {@code PUT} it.
 *
 * @param mediaId   the media id to reference in {@code send}
 * @param exists    whether the server already holds this blob (then there is nothing to upload)
 * @param uploadUrl the pre-signed, write-once upload URL (absolute or relative to the base URL), or {@code null}
 * @param expiresAt when {@code uploadUrl} expires, or {@code null}
 */
public record MediaUpload(String mediaId, boolean exists, String uploadUrl, Instant expiresAt) {
}
