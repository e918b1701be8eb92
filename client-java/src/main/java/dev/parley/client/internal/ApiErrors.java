package dev.parley.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.client.ParleyApiException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.FrameCodec;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Turns a non-2xx answer into a {@link ParleyApiException}. */
public final class ApiErrors {
    private ApiErrors() {
    }

    /**
     * Parses {@code {"error":{"code","message"}}}; tolerates any other body (the code then follows the status).
     *
     * @param retryAfter the {@code Retry-After} header value, or {@code null}
     * @param now        the current time, to turn an HTTP-date {@code Retry-After} into seconds
     */
    public static ParleyApiException toException(int status, String body, String retryAfter, Instant now) {
        String wireCode = null;
        String message = null;
        if (body != null && !body.isBlank()) {
            try {
                JsonNode error = FrameCodec.INSTANCE.mapper().readTree(body).path("error");
                if (error.isObject()) {
                    wireCode = Json.text(error, "code");
                    message = Json.text(error, "message");
                }
            } catch (IOException e) {
                // Not JSON (e.g. a proxy's HTML page): keep the raw body as the message.
            }
            if (wireCode == null && message == null) {
                message = abbreviate(body.strip(), 200);
            }
        }
        ErrorCode code = wireCode != null ? ErrorCode.fromWire(wireCode) : codeForStatus(status);
        return new ParleyApiException(status, code, wireCode, message, body, parseRetryAfter(retryAfter, now));
    }

    /** The error code implied by a status when the body names none. */
    public static ErrorCode codeForStatus(int status) {
        return switch (status) {
            case 400 -> ErrorCode.BAD_REQUEST;
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 409 -> ErrorCode.CONFLICT;
            case 413 -> ErrorCode.TOO_LARGE;
            case 429 -> ErrorCode.RATE_LIMITED;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 400 && status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL;
        };
    }

    /**
     * Parses {@code Retry-After}: delta-seconds or an HTTP-date (RFC 9110 section 10.2.3).
     *
     * @return seconds to wait (never negative), or {@code null} when absent or invalid
     */
    public static Long parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : seconds;
        } catch (NumberFormatException e) {
            // Not delta-seconds; try an HTTP-date below.
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            long millis = Duration.between(now, at).toMillis();
            return Math.max(0, (millis + 999) / 1000);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
