package dev.parley.directory.postgres;

import dev.parley.core.BackendConfig;

/**
 * Settings of a {@link PostgresDirectory}; the keys of the {@code directory} section are in brackets.
 *
 * @param url            the JDBC URL of the database [{@code url}, default {@value #DEFAULT_URL}]
 * @param user           the role to connect as [{@code user}, default {@value #DEFAULT_USER}]
 * @param password       its password [{@code password}, default none]
 * @param poolSize       connections kept open to the database, the most calls that run at once
 *                       [{@code pool.size}, default {@value #DEFAULT_POOL_SIZE}]
 * @param poolWaitMillis how long a call waits for a free connection before it fails with {@code unavailable}
 *                       [{@code pool.waitMillis}, default {@value #DEFAULT_POOL_WAIT_MILLIS}, at least
 *                       {@value #MIN_POOL_WAIT_MILLIS}]
 */
public record PostgresDirectoryConfig(String url, String user, String password, int poolSize, int poolWaitMillis) {
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/parley";
    public static final String DEFAULT_USER = "parley";
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final int MAX_POOL_SIZE = 1_000;
    public static final int DEFAULT_POOL_WAIT_MILLIS = 2_000;
    /** HikariCP does not wait less than this (it would silently fall back to 30 s). */
    public static final int MIN_POOL_WAIT_MILLIS = 250;
    public static final int MAX_POOL_WAIT_MILLIS = 600_000;

    private static final String URL_PREFIX = "jdbc:postgresql://";

    public PostgresDirectoryConfig {
        if (url == null || !url.startsWith(URL_PREFIX) || url.length() == URL_PREFIX.length()) {
            throw new IllegalArgumentException("url: " + (url == null ? "missing" : "\"" + url + "\"")
                + " (expected: " + URL_PREFIX + "host:port/database)");
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("user: missing (expected: a PostgreSQL role)");
        }
        if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
            throw new IllegalArgumentException("pool.size: " + poolSize + " (expected: 1.." + MAX_POOL_SIZE + ")");
        }
        if (poolWaitMillis < MIN_POOL_WAIT_MILLIS || poolWaitMillis > MAX_POOL_WAIT_MILLIS) {
            throw new IllegalArgumentException("pool.waitMillis: " + poolWaitMillis + " (expected: "
                + MIN_POOL_WAIT_MILLIS + ".." + MAX_POOL_WAIT_MILLIS + ")");
        }
    }

    /** The defaults but for where the database is. */
    public static PostgresDirectoryConfig of(String url, String user, String password) {
        return new PostgresDirectoryConfig(url, user, password, DEFAULT_POOL_SIZE, DEFAULT_POOL_WAIT_MILLIS);
    }

    /** Reads the {@code directory} section; a bad value fails naming key, value and expectation. */
    public static PostgresDirectoryConfig from(BackendConfig config) {
        String section = config.section();
        try {
            return new PostgresDirectoryConfig(
                config.get("url", DEFAULT_URL),
                config.get("user", DEFAULT_USER),
                config.get("password", null),
                config.getInt("pool.size", DEFAULT_POOL_SIZE, 1, MAX_POOL_SIZE),
                config.getInt("pool.waitMillis", DEFAULT_POOL_WAIT_MILLIS, MIN_POOL_WAIT_MILLIS, MAX_POOL_WAIT_MILLIS));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            // getInt's messages name the section already; the record's do not
            throw new IllegalArgumentException(message.startsWith(section + ".") ? message : section + "." + message);
        }
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "PostgresDirectoryConfig[url=" + url + ", user=" + user + ", password=" + (password == null ? "none"
            : "***") + ", poolSize=" + poolSize + ", poolWaitMillis=" + poolWaitMillis + "]";
    }
}
