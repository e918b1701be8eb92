package dev.parley.cluster.kafka;

import dev.parley.core.BackendConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongSerializer;

/**
 * Settings of {@code bus.type: kafka}; the keys of the {@code bus} section are in brackets.
 *
 * @param bootstrapServers brokers to reach the cluster through [{@code bootstrap.servers}, {@code host:port}
 *                         separated by commas, default {@value #DEFAULT_BOOTSTRAP_SERVERS}]
 * @param topic            the one topic of every event; created if missing [{@code topic}, default
 *                         {@value #DEFAULT_TOPIC}]
 * @param partitions       partitions of a created topic; a key always maps to the same one, which keeps its order
 *                         [{@code partitions}, default {@value #DEFAULT_PARTITIONS}]. Fixed once the topic exists.
 * @param replication      replicas of each partition of a created topic [{@code replication}, default
 *                         {@value #DEFAULT_REPLICATION}; 3 in production, which also sets
 *                         {@code min.insync.replicas=2}]
 * @param retention        how long the brokers keep events of a created topic [{@code retentionMinutes}, default
 *                         {@value #DEFAULT_RETENTION_MINUTES}]; a node that falls further behind skips ahead
 * @param timeout          how long topic set-up and a subscription's start wait for the brokers, and how long
 *                         {@code close} waits for unsent events [{@code timeoutMillis}, default
 *                         {@value #DEFAULT_TIMEOUT_MILLIS}]
 * @param deliveryTimeout  the retry window: how long an event is retried while the brokers cannot take it (an
 *                         outage, a leader election) before it is counted lost [{@code deliveryTimeoutMillis},
 *                         default {@value #DEFAULT_DELIVERY_TIMEOUT_MILLIS}]
 * @param queueCapacity    events waiting for the sending thread; past it {@code publish} drops events, with a
 *                         warning and a count [{@code queueCapacity}, default {@value #DEFAULT_QUEUE_CAPACITY}]
 * @param lingerMillis     how long the producer waits to fill a batch [{@code lingerMillis}, default
 *                         {@value #DEFAULT_LINGER_MILLIS}]
 * @param clientOverrides  Kafka client settings passed on as they are, after ours, by client ({@code kafka}: every
 *                         client, {@code producer}, {@code consumer}, {@code admin}), without the prefix: the option
 *                         {@code kafka.security.protocol: SSL} gives every client {@code security.protocol=SSL},
 *                         {@code producer.compression.type: lz4} the producer only
 */
public record KafkaClusterBusConfig(String bootstrapServers, String topic, int partitions, short replication,
                                    Duration retention, Duration timeout, Duration deliveryTimeout,
                                    int queueCapacity, int lingerMillis,
                                    Map<String, Map<String, String>> clientOverrides) {
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
    public static final String DEFAULT_TOPIC = "parley.events";
    public static final int DEFAULT_PARTITIONS = 12;
    public static final short DEFAULT_REPLICATION = 1;
    public static final int DEFAULT_RETENTION_MINUTES = 60;
    public static final int DEFAULT_TIMEOUT_MILLIS = 10_000;
    /** Kafka's own default for {@code delivery.timeout.ms}: two minutes cover a broker restart or a fail-over. */
    public static final int DEFAULT_DELIVERY_TIMEOUT_MILLIS = 120_000;
    public static final int DEFAULT_QUEUE_CAPACITY = 100_000;
    /** Kafka's own default for {@code linger.ms} since 4.0. */
    public static final int DEFAULT_LINGER_MILLIS = 5;

    /** How long one {@code send} may wait for metadata or buffer space before the sending thread tries again. */
    static final int SEND_BLOCK_MILLIS = 1_000;

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern HOST_PORT = Pattern.compile("[^\\s,:]+:(\\d{1,5})");
    private static final Set<String> CLIENTS = Set.of("kafka", "producer", "consumer", "admin");

    public KafkaClusterBusConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Map<String, Map<String, String>> copy = new HashMap<>();
        clientOverrides.forEach((client, settings) -> copy.put(client, Map.copyOf(settings)));
        clientOverrides = Map.copyOf(copy);
    }

    public static KafkaClusterBusConfig from(BackendConfig c) {
        String servers = c.get("bootstrap.servers", DEFAULT_BOOTSTRAP_SERVERS).trim();
        for (String server : servers.split(",", -1)) {
            var m = HOST_PORT.matcher(server.trim());
            if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(1)) > 65535) {
                throw new IllegalArgumentException(c.section() + ".bootstrap.servers: \"" + servers
                    + "\" (expected: host:port[,host:port...])");
            }
        }
        String topic = c.get("topic", DEFAULT_TOPIC).trim();
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException(c.section() + ".topic: \"" + topic + "\" (expected: 1 to 249 of "
                + "a-z A-Z 0-9 . _ -)");
        }
        Map<String, Map<String, String>> overrides = new HashMap<>();
        for (Map.Entry<String, String> e : c.options().entrySet()) {
            int dot = e.getKey().indexOf('.');
            String client = dot < 0 ? "" : e.getKey().substring(0, dot);
            if (CLIENTS.contains(client)) {
                String key = e.getKey().substring(dot + 1);
                if (Set.of("group.id", "enable.auto.commit", "key.serializer", "value.serializer",
                    "key.deserializer", "value.deserializer").contains(key)) {
                    throw new IllegalArgumentException(c.section() + "." + e.getKey() + ": \"" + e.getValue()
                        + "\" (expected: not set; the bus reads every partition without a consumer group and "
                        + "chooses its own serializers)");
                }
                overrides.computeIfAbsent(client, k -> new HashMap<>()).put(key, e.getValue());
            }
        }
        return new KafkaClusterBusConfig(servers, topic,
            c.getInt("partitions", DEFAULT_PARTITIONS, 1, 10_000),
            (short) c.getInt("replication", DEFAULT_REPLICATION, 1, 32),
            Duration.ofMinutes(c.getInt("retentionMinutes", DEFAULT_RETENTION_MINUTES, 1, 525_600)),
            Duration.ofMillis(c.getInt("timeoutMillis", DEFAULT_TIMEOUT_MILLIS, 100, 600_000)),
            Duration.ofMillis(c.getInt("deliveryTimeoutMillis", DEFAULT_DELIVERY_TIMEOUT_MILLIS, 5_000, 86_400_000)),
            c.getInt("queueCapacity", DEFAULT_QUEUE_CAPACITY, 1, 10_000_000),
            c.getInt("lingerMillis", DEFAULT_LINGER_MILLIS, 0, 1_000),
            overrides);
    }

    /** The defaults, with these servers and this topic (tests, tools). */
    public static KafkaClusterBusConfig of(String bootstrapServers, String topic) {
        return new KafkaClusterBusConfig(bootstrapServers, topic, DEFAULT_PARTITIONS, DEFAULT_REPLICATION,
            Duration.ofMinutes(DEFAULT_RETENTION_MINUTES), Duration.ofMillis(DEFAULT_TIMEOUT_MILLIS),
            Duration.ofMillis(DEFAULT_DELIVERY_TIMEOUT_MILLIS), DEFAULT_QUEUE_CAPACITY, DEFAULT_LINGER_MILLIS,
            Map.of());
    }

    public KafkaClusterBusConfig withPartitions(int partitions) {
        return new KafkaClusterBusConfig(bootstrapServers, topic, partitions, replication, retention, timeout,
            deliveryTimeout, queueCapacity, lingerMillis, clientOverrides);
    }

    public KafkaClusterBusConfig withQueueCapacity(int queueCapacity) {
        return new KafkaClusterBusConfig(bootstrapServers, topic, partitions, replication, retention, timeout,
            deliveryTimeout, queueCapacity, lingerMillis, clientOverrides);
    }

    /**
     * The producer: every replica acknowledges, idempotent (a retried batch is written once, in order), retried until
     * {@link #deliveryTimeout}; a {@code send} waits at most {@value #SEND_BLOCK_MILLIS} ms for metadata or buffer
     * space, as the sending thread tries again itself.
     */
    Properties producerProperties(String clientId) {
        Properties p = common(clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(deliveryTimeout.toMillis()));
        // Kafka wants delivery.timeout.ms >= linger.ms + request.timeout.ms
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
            Long.toString(Math.min(30_000, deliveryTimeout.toMillis() - lingerMillis)));
        p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMillis));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(SEND_BLOCK_MILLIS));
        // keep the topic's metadata on a node that publishes nothing for a while: a send after an idle spell then
        // goes to the producer's buffer even while the brokers are away, instead of waiting for metadata
        p.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, Long.toString(Duration.ofDays(1).toMillis()));
        override(p, "producer");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, LongSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /**
     * A subscription's consumer: no group and nothing committed (positions start at the end, see the class
     * comment of {@link KafkaClusterBus}); a position that fell off the log (retention) restarts at the oldest event.
     */
    Properties consumerProperties(String clientId) {
        Properties p = common(clientId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        override(p, "consumer");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    Properties adminProperties(String clientId) {
        Properties p = common(clientId);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        override(p, "admin");
        return p;
    }

    /** The settings of a topic the bus creates. */
    Map<String, String> topicConfigs() {
        Map<String, String> configs = new HashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
        // retention deletes whole segments only: roll them as often, so the disk holds at most twice the retention
        configs.put(TopicConfig.SEGMENT_MS_CONFIG, Long.toString(retention.toMillis()));
        if (replication >= 3) {
            // acks=all then means two copies at least: one broker may fail without losing an acknowledged event
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
        }
        return configs;
    }

    private Properties common(String clientId) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        override(p, "kafka");
        return p;
    }

    private void override(Properties p, String client) {
        p.putAll(clientOverrides.getOrDefault(client, Map.of()));
    }
}
