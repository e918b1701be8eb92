package dev.parley.client;

/**
 * A member of a group.
 *
 * @param userId the member's user id
 * @param role   the member's role (e.g. {@code "admin"}, {@code "member"}), or {@code null} when not reported
 */
public record GroupMember(String userId, String role) {
}
