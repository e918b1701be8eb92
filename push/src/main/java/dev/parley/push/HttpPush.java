package dev.parley.push;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** What HTTP push services' answers mean, shared by the HTTP-based transports. */
public final class HttpPush {
    private HttpPush() {
    }

    /** Whether the status means "try again later": 429 and 5xx. */
    public static boolean transientStatus(int status) {
        return status == 429 || status >= 500;
    }

    /** A retry after the response's {@code Retry-After} (seconds or an HTTP date), if it has one. */
    public static PushOutcome.Retry retry(HttpResponse<?> response, String reason) {
        return new PushOutcome.Retry(retryAfter(response.headers().firstValue("Retry-After")), reason);
    }

    static Duration retryAfter(Optional<String> header) {
        if (header.isEmpty()) {
            return null;
        }
        String v = header.get().trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(java.time.Instant.now(),
                    ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    /** At most the first 200 characters of a response body, for logs. */
    public static String excerpt(String body) {
        if (body == null) {
            return "";
        }
        String flat = body.replaceAll("\\s+", " ").trim();
        return flat.length() <= 200 ? flat : flat.substring(0, 200) + "…";
    }
}
