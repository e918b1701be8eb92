package dev.parley.directory;

/** A logged-in device of a user; each login makes one. Only the SHA-256 of its token is stored. */
public record Device(long id, long userId, String name, long createdAt) {
}
