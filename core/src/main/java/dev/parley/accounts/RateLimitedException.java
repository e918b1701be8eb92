package dev.parley.accounts;

import dev.parley.core.ParleyException;
import dev.parley.protocol.ErrorCode;

/** Throttled; {@link #retryAfterSeconds()} says when to try again. */
public final class RateLimitedException extends ParleyException {
    private final long retryAfterSeconds;

    public RateLimitedException(String message, long retryAfterSeconds) {
        super(ErrorCode.RATE_LIMITED, message + "; retry in " + retryAfterSeconds + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
