package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A media attachment of a message. Clients send only {@code mediaId}; the server fills in the rest from what it
 * verified at upload: {@code width}/{@code height} for images it could decode, {@code durationMs} for video and
 * audio whose container states it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MediaRef(String mediaId, String mimeType, Long size, Integer width, Integer height, Boolean thumbnail,
                       Long durationMs) {
    /** A reference by id only, as a client sends it. */
    public static MediaRef of(String mediaId) {
        return new MediaRef(mediaId, null, null, null, null, null, null);
    }

    /** Without a duration (images, files). */
    public MediaRef(String mediaId, String mimeType, Long size, Integer width, Integer height, Boolean thumbnail) {
        this(mediaId, mimeType, size, width, height, thumbnail, null);
    }
}
