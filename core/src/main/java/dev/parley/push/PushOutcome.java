package dev.parley.push;

import java.time.Duration;

/** What a push service answered to one notification. */
public sealed interface PushOutcome {
    /** Accepted by the push service. */
    record Delivered() implements PushOutcome {
    }

    /**
     * A transient failure (5xx, 429, timeout, connection lost): try again later.
     *
     * @param after how long the service asked to wait ({@code Retry-After}), or {@code null} for the default backoff
     */
    record Retry(Duration after, String reason) implements PushOutcome {
    }

    /** The channel is gone for good (unregistered, expired, bad token): remove the registration. */
    record Gone(String reason) implements PushOutcome {
    }

    /** A permanent failure that is not the channel's fault (payload refused, credentials wrong): count and drop. */
    record Failed(String reason) implements PushOutcome {
    }

    PushOutcome DELIVERED = new Delivered();
}
