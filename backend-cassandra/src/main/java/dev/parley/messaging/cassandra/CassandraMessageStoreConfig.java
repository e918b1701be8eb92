package dev.parley.messaging.cassandra;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import dev.parley.core.BackendConfig;
import dev.parley.cassandra.Replication;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of a {@link CassandraMessageStore}; the keys of the {@code messages} section are in brackets.
 *
 * @param contactPoints     nodes to reach the cluster through [{@code contact.points}, {@code host:port} separated by
 *                          commas, default {@value #DEFAULT_CONTACT_POINTS}]
 * @param localDatacenter   the data center this server runs in; the driver only routes to its nodes
 *                          [{@code local.datacenter}, default {@value #DEFAULT_LOCAL_DATACENTER}]
 * @param keyspace          where the tables live; created if missing [{@code keyspace}, default
 *                          {@value #DEFAULT_KEYSPACE}]
 * @param replication       how a created keyspace is replicated [{@code replication},
 *                          {@code NetworkTopologyStrategy:dc1=3,dc2=3} or {@code SimpleStrategy:1}; default
 *                          NetworkTopologyStrategy with {@value #DEFAULT_REPLICATION_FACTOR} replicas in the local
 *                          data center]. Used only when the keyspace is created.
 * @param consistency       consistency of every read and write, and of the commit of lightweight transactions
 *                          [{@code consistency}, default {@code LOCAL_QUORUM}; {@code ONE} on a single node]
 * @param serialConsistency consistency of the Paxos rounds that allocate seqs [{@code serial.consistency}, default
 *                          {@code LOCAL_SERIAL}; {@code SERIAL} when several data centers write one conversation]
 * @param bucketSize        messages per partition: seq {@code s} lives in bucket {@code (s - 1) / bucketSize}
 *                          [{@code bucket.size}, default {@value #DEFAULT_BUCKET_SIZE}]. Fixed when the keyspace is
 *                          created: a store refuses to open a keyspace made with another size.
 * @param batchMax          the most queued appends one writer takes per cycle [{@code batch.max}, default
 *                          {@value #DEFAULT_BATCH_MAX}]
 * @param batchMaxBytes     the most message bytes in one conditional batch (one Paxos round); a batch is kept below
 *                          Cassandra's {@code batch_size_fail_threshold} [{@code batch.max.bytes}, default
 *                          {@value #DEFAULT_BATCH_MAX_BYTES}]
 * @param queueMax          the most appends waiting for the writers; past it appends fail at once as overloaded
 *                          [{@code queue.max}, default {@value #DEFAULT_QUEUE_MAX}]
 * @param writerThreads     writer threads; a conversation always goes to the same one [{@code writer.threads},
 *                          default {@value #DEFAULT_WRITER_THREADS}]
 * @param seqCacheMax       conversations whose last seq a writer remembers [{@code seq.cache.max}, default
 *                          {@value #DEFAULT_SEQ_CACHE_MAX}]
 * @param requestTimeoutMs  how long one CQL request may take before it fails [{@code request.timeout.ms}, default
 *                          {@value #DEFAULT_REQUEST_TIMEOUT_MS}]
 * @param maxRequestsInFlight CQL requests in flight at once per store; more wait in the driver
 *                          [{@code requests.max}, default {@value #DEFAULT_MAX_REQUESTS_IN_FLIGHT}]
 * @param maxAttempts       Paxos rounds a writer tries for one conversation in one cycle before it fails the appends
 *                          left (conflicts with other nodes, unknown outcomes) [{@code lwt.max.attempts}, default
 *                          {@value #DEFAULT_MAX_ATTEMPTS}]
 */
public record CassandraMessageStoreConfig(List<InetSocketAddress> contactPoints, String localDatacenter,
                                          String keyspace, Replication replication,
                                          DefaultConsistencyLevel consistency,
                                          DefaultConsistencyLevel serialConsistency, int bucketSize, int batchMax,
                                          int batchMaxBytes, int queueMax, int writerThreads, int seqCacheMax,
                                          int requestTimeoutMs, int maxRequestsInFlight, int maxAttempts) {
    public static final String DEFAULT_CONTACT_POINTS = "127.0.0.1:9042";
    public static final int DEFAULT_PORT = 9042;
    public static final String DEFAULT_LOCAL_DATACENTER = "datacenter1";
    public static final String DEFAULT_KEYSPACE = "parley";
    public static final int DEFAULT_REPLICATION_FACTOR = 3;
    public static final DefaultConsistencyLevel DEFAULT_CONSISTENCY = DefaultConsistencyLevel.LOCAL_QUORUM;
    public static final DefaultConsistencyLevel DEFAULT_SERIAL_CONSISTENCY = DefaultConsistencyLevel.LOCAL_SERIAL;
    /** About 300 KB per partition for typical messages of 300 bytes; see the README for sizing. */
    public static final int DEFAULT_BUCKET_SIZE = 1000;
    public static final int DEFAULT_BATCH_MAX = 1024;
    public static final int DEFAULT_BATCH_MAX_BYTES = 32 * 1024;
    public static final int DEFAULT_QUEUE_MAX = 100_000;
    public static final int DEFAULT_WRITER_THREADS = 4;
    public static final int DEFAULT_SEQ_CACHE_MAX = 1_000_000;
    public static final int DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
    public static final int DEFAULT_MAX_REQUESTS_IN_FLIGHT = 1024;
    public static final int DEFAULT_MAX_ATTEMPTS = 32;

    private static final Pattern KEYSPACE = Pattern.compile("[a-z][a-z0-9_]{0,47}");

    public CassandraMessageStoreConfig {
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(consistency, "consistency");
        Objects.requireNonNull(serialConsistency, "serialConsistency");
        contactPoints = List.copyOf(contactPoints);
        if (contactPoints.isEmpty()) {
            throw new IllegalArgumentException("contactPoints: none (expected: at least one host:port)");
        }
        if (localDatacenter == null || localDatacenter.isBlank()) {
            throw new IllegalArgumentException("localDatacenter: \"" + localDatacenter
                + "\" (expected: the data center name of the local nodes, e.g. datacenter1)");
        }
        if (keyspace == null || !KEYSPACE.matcher(keyspace).matches()) {
            throw new IllegalArgumentException("keyspace: \"" + keyspace
                + "\" (expected: a lower-case letter, then up to 47 lower-case letters, digits or _)");
        }
        if (!serialConsistency.isSerial()) {
            throw new IllegalArgumentException("serialConsistency: " + serialConsistency
                + " (expected: SERIAL or LOCAL_SERIAL)");
        }
        if (consistency.isSerial() || consistency == DefaultConsistencyLevel.ANY) {
            throw new IllegalArgumentException("consistency: " + consistency
                + " (expected: a read/write level such as LOCAL_QUORUM, QUORUM or ONE)");
        }
        check("bucketSize", bucketSize);
        check("batchMax", batchMax);
        check("batchMaxBytes", batchMaxBytes);
        check("queueMax", queueMax);
        check("writerThreads", writerThreads);
        check("seqCacheMax", seqCacheMax);
        check("requestTimeoutMs", requestTimeoutMs);
        check("maxRequestsInFlight", maxRequestsInFlight);
        check("maxAttempts", maxAttempts);
    }

    /** The defaults, for these contact points and keyspace; replication follows the local data center. */
    public static CassandraMessageStoreConfig defaults(List<InetSocketAddress> contactPoints, String localDatacenter,
                                                       String keyspace) {
        return new CassandraMessageStoreConfig(contactPoints, localDatacenter, keyspace,
            Replication.networkTopology(localDatacenter, DEFAULT_REPLICATION_FACTOR), DEFAULT_CONSISTENCY,
            DEFAULT_SERIAL_CONSISTENCY, DEFAULT_BUCKET_SIZE, DEFAULT_BATCH_MAX, DEFAULT_BATCH_MAX_BYTES,
            DEFAULT_QUEUE_MAX, DEFAULT_WRITER_THREADS, DEFAULT_SEQ_CACHE_MAX, DEFAULT_REQUEST_TIMEOUT_MS,
            DEFAULT_MAX_REQUESTS_IN_FLIGHT, DEFAULT_MAX_ATTEMPTS);
    }

    /** Reads the {@code messages} section; a bad value fails naming key, value and expectation. */
    public static CassandraMessageStoreConfig from(BackendConfig config) {
        String section = config.section();
        String dc = config.get("local.datacenter", DEFAULT_LOCAL_DATACENTER).trim();
        if (dc.isEmpty()) {
            throw new IllegalArgumentException(section + ".local.datacenter: \"\" (expected: the data center name of "
                + "the local nodes, e.g. datacenter1)");
        }
        String keyspace = config.get("keyspace", DEFAULT_KEYSPACE).trim();
        if (!KEYSPACE.matcher(keyspace).matches()) {
            throw new IllegalArgumentException(section + ".keyspace: \"" + keyspace + "\" (expected: a lower-case "
                + "letter, then up to 47 lower-case letters, digits or _)");
        }
        String replication = config.get("replication", null);
        return new CassandraMessageStoreConfig(
            contactPoints(section + ".contact.points", config.get("contact.points", DEFAULT_CONTACT_POINTS)),
            dc,
            keyspace,
            replication == null ? Replication.networkTopology(dc, DEFAULT_REPLICATION_FACTOR)
                : Replication.parse(section + ".replication", replication),
            consistency(section + ".consistency", config.get("consistency", DEFAULT_CONSISTENCY.name()), false),
            consistency(section + ".serial.consistency",
                config.get("serial.consistency", DEFAULT_SERIAL_CONSISTENCY.name()), true),
            config.getInt("bucket.size", DEFAULT_BUCKET_SIZE, 1, 1_000_000),
            config.getInt("batch.max", DEFAULT_BATCH_MAX, 1, 65_536),
            config.getInt("batch.max.bytes", DEFAULT_BATCH_MAX_BYTES, 1, 16 * 1024 * 1024),
            config.getInt("queue.max", DEFAULT_QUEUE_MAX, 1, 10_000_000),
            config.getInt("writer.threads", DEFAULT_WRITER_THREADS, 1, 256),
            config.getInt("seq.cache.max", DEFAULT_SEQ_CACHE_MAX, 1, 100_000_000),
            config.getInt("request.timeout.ms", DEFAULT_REQUEST_TIMEOUT_MS, 100, 600_000),
            config.getInt("requests.max", DEFAULT_MAX_REQUESTS_IN_FLIGHT, 1, 100_000),
            config.getInt("lwt.max.attempts", DEFAULT_MAX_ATTEMPTS, 1, 10_000));
    }

    /**
     * Parses {@code host:port,host:port}; a host without a port gets {@value #DEFAULT_PORT}.
     *
     * @param key the configuration key, for the error message
     */
    public static List<InetSocketAddress> contactPoints(String key, String value) {
        List<InetSocketAddress> result = new ArrayList<>();
        for (String raw : value.split(",")) {
            String s = raw.trim();
            if (s.isEmpty()) {
                continue;
            }
            String host = s;
            int port = DEFAULT_PORT;
            int colon = s.lastIndexOf(':');
            if (colon >= 0) {
                host = s.substring(0, colon);
                try {
                    port = Integer.parseInt(s.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (host.isEmpty() || port < 1 || port > 65_535) {
                throw new IllegalArgumentException(key + ": \"" + s + "\" (expected: host:port with a port in "
                    + "1..65535)");
            }
            result.add(InetSocketAddress.createUnresolved(host, port));
        }
        if (result.isEmpty()) {
            throw new IllegalArgumentException(key + ": \"" + value + "\" (expected: host:port[,host:port...])");
        }
        return result;
    }

    private static DefaultConsistencyLevel consistency(String key, String value, boolean serial) {
        try {
            DefaultConsistencyLevel level = DefaultConsistencyLevel.valueOf(value.trim().toUpperCase(Locale.ROOT));
            if (level.isSerial() == serial && level != DefaultConsistencyLevel.ANY) {
                return level;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + ": \"" + value + "\" (expected: "
            + (serial ? "SERIAL or LOCAL_SERIAL" : "ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM or "
            + "LOCAL_ONE") + ")");
    }

    /** A copy with other replication and consistency, e.g. for a single test node. */
    public CassandraMessageStoreConfig withReplication(Replication r, DefaultConsistencyLevel level) {
        return new CassandraMessageStoreConfig(contactPoints, localDatacenter, keyspace, r, level, serialConsistency,
            bucketSize, batchMax, batchMaxBytes, queueMax, writerThreads, seqCacheMax, requestTimeoutMs,
            maxRequestsInFlight, maxAttempts);
    }

    /** A copy with another bucket size and conditional batch bound. */
    public CassandraMessageStoreConfig withBuckets(int size, int maxBytes) {
        return new CassandraMessageStoreConfig(contactPoints, localDatacenter, keyspace, replication, consistency,
            serialConsistency, size, batchMax, maxBytes, queueMax, writerThreads, seqCacheMax, requestTimeoutMs,
            maxRequestsInFlight, maxAttempts);
    }

    /** A copy with another request timeout. */
    public CassandraMessageStoreConfig withRequestTimeoutMs(int ms) {
        return new CassandraMessageStoreConfig(contactPoints, localDatacenter, keyspace, replication, consistency,
            serialConsistency, bucketSize, batchMax, batchMaxBytes, queueMax, writerThreads, seqCacheMax, ms,
            maxRequestsInFlight, maxAttempts);
    }

    /** A copy with another seq cache bound. */
    public CassandraMessageStoreConfig withSeqCacheMax(int max) {
        return new CassandraMessageStoreConfig(contactPoints, localDatacenter, keyspace, replication, consistency,
            serialConsistency, bucketSize, batchMax, batchMaxBytes, queueMax, writerThreads, max, requestTimeoutMs,
            maxRequestsInFlight, maxAttempts);
    }

    private static void check(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
    }
}
