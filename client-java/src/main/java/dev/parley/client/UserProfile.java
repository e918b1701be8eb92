package dev.parley.client;

/**
 * A user found by username ({@code GET /v1/users?username=}).
 *
 * @param userId      the user's id
 * @param username    the username
 * @param displayName the display name, or {@code null}
 */
public record UserProfile(String userId, String username, String displayName) {
}
