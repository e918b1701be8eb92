/**
 * Media: the blob store port for images and files, content-addressed by SHA-256. The upload flow and its
 * backends (local files, S3) come with the media feature; until then messages with {@code media} are refused.
 */
package dev.parley.media;
