package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Every error code Parley sends, in REST bodies ({@code {"error":{"code",...}}}) and in {@code error} frames.
 * Kept in step with the error table of {@code docs/protocol.md}.
 */
public enum ErrorCode {
    /** The request or frame is malformed, misses a field or has a value out of range. HTTP 400. */
    BAD_REQUEST(400, false),
    /** No valid credentials: bad password, unknown/revoked token, frame before {@code auth}. HTTP 401. */
    UNAUTHORIZED(401, false),
    /** Authenticated, but not allowed to do this (e.g. not a member of the conversation). HTTP 403. */
    FORBIDDEN(403, false),
    /** The user, conversation, device or message does not exist. HTTP 404. */
    NOT_FOUND(404, false),
    /** Registration with a username that already exists (case-insensitively). HTTP 409. */
    USERNAME_TAKEN(409, false),
    /** Registration with a password that is too short. HTTP 400. */
    WEAK_PASSWORD(400, false),
    /** A body or request larger than allowed. HTTP 413. */
    TOO_LARGE(413, false),
    /** Too many requests; retry later (REST answers carry {@code Retry-After}). HTTP 429. */
    RATE_LIMITED(429, true),
    /** The request conflicts with the current state. HTTP 409. */
    CONFLICT(409, false),
    /** Adding members would make the group larger than the server's limit; nothing was changed. HTTP 409. */
    GROUP_FULL(409, false),
    /** A byte range outside the media's content. HTTP 416. */
    RANGE_NOT_SATISFIABLE(416, false),
    /** The server is shutting down or overloaded; retry later. HTTP 503. */
    UNAVAILABLE(503, true),
    /** An unexpected server failure; nothing was changed unless stated otherwise. HTTP 500. */
    INTERNAL(500, true);

    private final int httpStatus;
    private final boolean retriable;

    ErrorCode(int httpStatus, boolean retriable) {
        this.httpStatus = httpStatus;
        this.retriable = retriable;
    }

    /** The HTTP status a REST answer with this code carries. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether the same request may succeed when retried later unchanged. */
    public boolean retriable() {
        return retriable;
    }

    /** The wire name, e.g. {@code "username_taken"}. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses a wire name; unknown names map to {@link #INTERNAL} so that old clients survive new codes. */
    @JsonCreator
    public static ErrorCode fromWire(String name) {
        for (ErrorCode c : values()) {
            if (c.wireName().equals(name)) {
                return c;
            }
        }
        return INTERNAL;
    }
}
