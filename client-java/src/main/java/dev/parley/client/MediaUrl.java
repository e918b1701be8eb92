package dev.parley.client;

import java.time.Instant;

/**
 * Pre-signed download URLs of a media blob ({@code GET /v1/media/{mediaId}/url}).
 *
 * @param url          the blob's URL (absolute or relative to the base URL)
 * @param thumbnailUrl the thumbnail's URL, or {@code null}
 * @param expiresAt    when the URLs expire, or {@code null}
 */
public record MediaUrl(String url, String thumbnailUrl, Instant expiresAt) {
}
