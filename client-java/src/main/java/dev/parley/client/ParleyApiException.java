package dev.parley.client;

import dev.parley.protocol.ErrorCode;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A REST call answered with a status outside 2xx. The body {@code {"error":{"code","message"}}} is parsed into
 * {@link #code()} and {@link #errorMessage()}; when the body is missing or not in that shape, the code is derived
 * from the status (404 gives {@link ErrorCode#NOT_FOUND}, 5xx gives {@link ErrorCode#INTERNAL}, and so on).
 */
public final class ParleyApiException extends ParleyException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final ErrorCode code;
    private final String wireCode;
    private final String errorMessage;
    private final String body;
    private final Long retryAfterSeconds;

    /**
     * Creates an exception for one error answer.
     *
     * @param status            the HTTP status
     * @param code              the parsed error code (never {@code null})
     * @param wireCode          the code exactly as sent, or {@code null} when the body carried none
     * @param errorMessage      the server's message, or {@code null}
     * @param body              the raw response body (empty when none)
     * @param retryAfterSeconds the {@code Retry-After} delay in seconds, or {@code null} when absent
     */
    public ParleyApiException(int status, ErrorCode code, String wireCode, String errorMessage, String body,
                              Long retryAfterSeconds) {
        super(describe(status, code, wireCode, errorMessage));
        this.status = status;
        this.code = Objects.requireNonNull(code, "code");
        this.wireCode = wireCode;
        this.errorMessage = errorMessage;
        this.body = body == null ? "" : body;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    private static String describe(int status, ErrorCode code, String wireCode, String errorMessage) {
        String shown = wireCode != null ? wireCode : code.wireName();
        return "HTTP " + status + " " + shown + (errorMessage == null ? "" : ": " + errorMessage);
    }

    /** The HTTP status, e.g. 409. */
    public int status() {
        return status;
    }

    /** The error code; codes this SDK does not know map to {@link ErrorCode#INTERNAL} (see {@link #wireCode()}). */
    public ErrorCode code() {
        return code;
    }

    /** The {@code code} string exactly as the server sent it, or {@code null} when the body carried none. */
    public String wireCode() {
        return wireCode;
    }

    /** The server's human-readable {@code message}, or {@code null}. */
    public String errorMessage() {
        return errorMessage;
    }

    /** The raw response body, for assertions on its exact shape; empty when there was none. */
    public String body() {
        return body;
    }

    /** The delay the {@code Retry-After} header asks for, in seconds, when the header was present and valid. */
    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds == null ? OptionalLong.empty() : OptionalLong.of(retryAfterSeconds);
    }

    /** Whether the same request may succeed later unchanged (rate limited, unavailable, internal error). */
    public boolean retriable() {
        return code.retriable() || status == 429 || status == 503;
    }
}
