package dev.parley.directory;

/** An account. {@code username} is stored lower-case: usernames are unique regardless of case. */
public record User(long id, String username, String displayName, String passwordHash, long createdAt) {
}
