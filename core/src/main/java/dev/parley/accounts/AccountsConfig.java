package dev.parley.accounts;

/**
 * Account settings.
 *
 * @param argon2MemoryKib                  Argon2id memory cost in KiB
 * @param argon2Iterations                 Argon2id time cost
 * @param argon2Parallelism                Argon2id lanes
 * @param loginAttemptsPerIpPerMinute      login attempts (any outcome) one client address may make per minute
 * @param loginFailuresPerAccountPerMinute failed logins an account tolerates per minute before it is throttled
 * @param maxDevices                       devices (logins) one user may have at once
 */
public record AccountsConfig(int argon2MemoryKib, int argon2Iterations, int argon2Parallelism,
                             int loginAttemptsPerIpPerMinute, int loginFailuresPerAccountPerMinute, int maxDevices) {
    public static final int DEFAULT_MAX_DEVICES = 5;
    /** OWASP's Argon2id baseline (19 MiB, 2 iterations, 1 lane). */
    public static final int DEFAULT_ARGON2_MEMORY_KIB = 19_456;
    public static final int DEFAULT_ARGON2_ITERATIONS = 2;
    public static final int DEFAULT_ARGON2_PARALLELISM = 1;
    public static final int DEFAULT_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE = 60;
    public static final int DEFAULT_LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE = 10;

    public static final int MIN_PASSWORD_LENGTH = 8;
    public static final int MAX_PASSWORD_LENGTH = 1024;

    public static AccountsConfig defaults() {
        return new AccountsConfig(DEFAULT_ARGON2_MEMORY_KIB, DEFAULT_ARGON2_ITERATIONS, DEFAULT_ARGON2_PARALLELISM,
            DEFAULT_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE, DEFAULT_LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE, DEFAULT_MAX_DEVICES);
    }
}
