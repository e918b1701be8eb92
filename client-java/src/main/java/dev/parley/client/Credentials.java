package dev.parley.client;

/**
 * The result of a login ({@code POST /v1/sessions}): a new device and its bearer token.
 *
 * @param token    the bearer token for REST calls and the WebSocket {@code auth} frame
 * @param userId   the user's id
 * @param deviceId the id of the device this login created
 */
public record Credentials(String token, String userId, String deviceId) {
    @Override
    public String toString() {
        // The token is a secret: keep it out of logs and assertion messages.
        return "Credentials[userId=" + userId + ", deviceId=" + deviceId + ", token=***]";
    }
}
