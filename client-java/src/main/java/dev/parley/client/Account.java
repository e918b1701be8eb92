package dev.parley.client;

/**
 * A newly registered account ({@code POST /v1/accounts}).
 *
 * @param userId   the new user's id
 * @param username the username as stored by the server
 */
public record Account(String userId, String username) {
}
