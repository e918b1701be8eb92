package dev.parley.accounts;

/** A successful login: the new device and its token (shown once; only its hash is stored). */
public record LoginResult(String token, long userId, long deviceId) {
}
