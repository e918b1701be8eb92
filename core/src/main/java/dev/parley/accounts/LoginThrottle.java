package dev.parley.accounts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;

/**
 * Throttles logins with token buckets (Bucket4j): every attempt costs a token of its client address, every failure
 * a token of the account. Buckets of idle keys are forgotten after 10 minutes.
 */
public final class LoginThrottle {
    private final int perIpPerMinute;
    private final int failuresPerAccountPerMinute;
    private final Cache<String, Bucket> byIp = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10))
        .maximumSize(1_000_000).build();
    private final Cache<String, Bucket> byAccount = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10))
        .maximumSize(1_000_000).build();

    public LoginThrottle(AccountsConfig config) {
        this.perIpPerMinute = config.loginAttemptsPerIpPerMinute();
        this.failuresPerAccountPerMinute = config.loginFailuresPerAccountPerMinute();
    }

    /** Takes a token for an attempt from this address; returns the wait in seconds if none is left, else 0. */
    public long tryAttempt(String ip) {
        return take(byIp.get(ip, k -> bucket(perIpPerMinute)), 1);
    }

    /** Whether the account may try now; returns the wait in seconds if it is throttled, else 0. */
    public long accountWait(String username) {
        Bucket b = byAccount.getIfPresent(username);
        if (b == null) {
            return 0;
        }
        long available = b.getAvailableTokens();
        return available > 0 ? 0 : secondsUntilRefill(b);
    }

    /** Records a failed login of an account. */
    public void failed(String username) {
        byAccount.get(username, k -> bucket(failuresPerAccountPerMinute)).tryConsume(1);
    }

    private static Bucket bucket(int perMinute) {
        return Bucket.builder()
            .addLimit(limit -> limit.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
            .build();
    }

    private static long take(Bucket b, int tokens) {
        ConsumptionProbe probe = b.tryConsumeAndReturnRemaining(tokens);
        return probe.isConsumed() ? 0 : Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds());
    }

    private static long secondsUntilRefill(Bucket b) {
        long nanos = b.estimateAbilityToConsume(1).getNanosToWaitForRefill();
        return Math.max(1, Duration.ofNanos(nanos).toSeconds());
    }
}
