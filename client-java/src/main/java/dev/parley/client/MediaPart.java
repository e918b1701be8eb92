package dev.parley.client;

/**
 * One part of a large upload that goes straight to the object store.
 *
 * @param number its number, from 1
 * @param offset where its bytes start in the content
 * @param length how many bytes it holds
 * @param url    where to {@code PUT} exactly those bytes; {@code null} once the part has arrived
 */
public record MediaPart(int number, long offset, long length, String url) {
    public boolean received() {
        return url == null;
    }
}
