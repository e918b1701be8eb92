package dev.parley.media;

import java.time.Duration;

/**
 * Limits and lifetimes of media.
 *
 * @param maxImageBytes  largest image upload (default 16 MB)
 * @param maxVideoBytes  largest video upload (default 2 GB)
 * @param maxFileBytes   largest upload of any other type (default 2 GB)
 * @param uploadExpiry   how long an upload may take before its partial bytes are dropped
 * @param urlTtl         how long a download URL stays valid
 * @param retention      media older than this is deleted (its blob once nothing refers to it); zero keeps forever
 */
public record MediaConfig(long maxImageBytes, long maxVideoBytes, long maxFileBytes, Duration uploadExpiry,
                          Duration urlTtl, Duration retention) {

    public static MediaConfig defaults() {
        return new MediaConfig(16L << 20, 2L << 30, 2L << 30, Duration.ofHours(24), Duration.ofHours(1), Duration.ZERO);
    }

    /** The limit for a (normalised) type. */
    public long limitFor(String mimeType) {
        return switch (MediaInspector.kind(mimeType)) {
            case "image" -> maxImageBytes;
            case "video" -> maxVideoBytes;
            default -> maxFileBytes;
        };
    }
}
