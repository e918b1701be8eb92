package dev.parley.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** Opens driver sessions with the settings every Parley Cassandra store shares. */
public final class CassandraSessions {
    private CassandraSessions() {
    }

    /**
     * What a session needs.
     *
     * @param name                what the session serves, for the driver's logs and metrics ({@code "messages"})
     * @param keyspace            the one keyspace whose schema the driver follows (for token-aware routing)
     * @param requestTimeout      how long one request may take
     * @param maxRequestsInFlight requests in flight at once; more wait in the driver's queue
     */
    public record Settings(String name, List<InetSocketAddress> contactPoints, String localDatacenter,
                           String keyspace, ConsistencyLevel consistency, ConsistencyLevel serialConsistency,
                           Duration requestTimeout, int maxRequestsInFlight) {
    }

    /**
     * Connects.
     *
     * @throws dev.parley.core.StorageException {@code unavailable} when no contact point answers
     */
    public static CqlSession open(Settings s) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
            .withString(DefaultDriverOption.SESSION_NAME, "parley-" + s.name())
            .withString(DefaultDriverOption.REQUEST_CONSISTENCY, s.consistency().name())
            .withString(DefaultDriverOption.REQUEST_SERIAL_CONSISTENCY, s.serialConsistency().name())
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, s.requestTimeout())
            // schema changes (migrations) wait for the whole cluster to agree, and may take longer than a request
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_INTERVAL, Duration.ofMillis(50))
            .withStringList(DefaultDriverOption.METADATA_SCHEMA_REFRESHED_KEYSPACES, List.of(s.keyspace()))
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(100))
            // a node that comes back is used again within seconds, not the default minute
            .withString(DefaultDriverOption.RECONNECTION_POLICY_CLASS, "ExponentialReconnectionPolicy")
            .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
            .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(10))
            // writers fan out many requests at once: queue them in the driver rather than overrun a connection
            .withString(DefaultDriverOption.REQUEST_THROTTLER_CLASS, "ConcurrencyLimitingRequestThrottler")
            .withInt(DefaultDriverOption.REQUEST_THROTTLER_MAX_CONCURRENT_REQUESTS, s.maxRequestsInFlight())
            .withInt(DefaultDriverOption.REQUEST_THROTTLER_MAX_QUEUE_SIZE, 1_000_000)
            // room above the throttler's limit, so that a connection is never too busy for a throttled request
            .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, 2)
            .withInt(DefaultDriverOption.CONNECTION_MAX_REQUESTS, Math.max(1024, s.maxRequestsInFlight()))
            // close() is called once every request is done: no need for Netty's default 2 s of quiet
            .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
            .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
            .build();
        try {
            return CqlSession.builder()
                .withConfigLoader(config)
                .addContactPoints(s.contactPoints())
                .withLocalDatacenter(s.localDatacenter())
                .build();
        } catch (RuntimeException e) {
            throw CassandraErrors.translate("connecting to " + s.contactPoints() + " (data center "
                + s.localDatacenter() + ")", e);
        }
    }
}
