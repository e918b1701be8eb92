package dev.parley.client;

/**
 * One of the caller's devices ({@code GET /v1/devices}). The contract fixes only the id; the other fields are
 * filled when the server sends them.
 *
 * @param deviceId  the device id
 * @param name      the device name given at login, or {@code null}
 * @param createdAt when the device logged in (epoch ms), or {@code null}
 * @param current   whether this is the device of the token that asked, or {@code null} when not reported
 */
public record Device(String deviceId, String name, Long createdAt, Boolean current) {
}
