package dev.parley.cluster.kafka;

import dev.parley.cluster.ClusterBus;
import dev.parley.core.StorageException;
import dev.parley.protocol.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ClusterBus} on one Apache Kafka topic ({@code bus.type: kafka}).
 *
 * <p>Every event is a record of the topic with the event's key (8 bytes, big-endian): Kafka's partitioner sends a key
 * always to the same partition, and one partition keeps its order, so events of one key stay in publish order. Every
 * node reads every partition: a subscription {@code assign}s them all to a consumer of its own, without a consumer
 * group, and starts at their end, looked up before {@link #subscribe} returns. No position is committed: a node that
 * restarts must not replay the events it missed, because its new connections read the store instead (the port's
 * contract), so there is nothing to resume from.
 *
 * <p>{@link #publish} only queues the event; one thread per bus hands the queue to an idempotent producer
 * ({@code acks=all}), which retries through broker restarts and leader changes within the retry window
 * ({@code deliveryTimeoutMillis}) and writes a retried batch once and in order. See the module's README for what
 * happens when the brokers are away.
 */
public final class KafkaClusterBus implements ClusterBus {
    private static final Logger log = LoggerFactory.getLogger(KafkaClusterBus.class);
    /** Client ids are unique in a JVM (Kafka registers an MBean per client id). */
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final KafkaClusterBusConfig config;
    private final String clientId;
    private final KafkaProducer<Long, byte[]> producer;
    private final EventSender sender;
    private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger subscriptionIds = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Connects to the brokers and creates the topic if it is missing.
     *
     * @param clientId names this node's clients in the brokers' logs and metrics ({@code parley-node-3})
     * @throws StorageException (unavailable) when the brokers do not answer within {@code timeoutMillis}
     */
    public KafkaClusterBus(KafkaClusterBusConfig config, String clientId) {
        this.config = config;
        this.clientId = clientId + "-bus" + INSTANCES.incrementAndGet();
        try {
            ensureTopic();
            this.producer = new KafkaProducer<>(config.producerProperties(this.clientId + "-producer"));
        } catch (ConfigException e) {
            // a setting passed through to the clients (kafka.*, producer.*, admin.*) that Kafka refuses
            throw new IllegalArgumentException("bus: " + e.getMessage(), e);
        }
        this.sender = new EventSender(producer, config.topic(), config.deliveryTimeout(), config.queueCapacity(),
            this.clientId + "-sender");
    }

    @Override
    public void publish(long key, byte[] event) {
        if (closed) {
            log.debug("cluster bus closed: event not published");
            return;
        }
        sender.offer(key, event);
    }

    @Override
    public AutoCloseable subscribe(Consumer<byte[]> handler) {
        if (closed) {
            throw new IllegalStateException("the cluster bus is closed");
        }
        Subscription s = new Subscription(config, clientId + "-sub" + subscriptionIds.incrementAndGet(), handler,
            subscriptions::remove);
        subscriptions.add(s);
        if (closed) { // close() ran meanwhile and did not see this one
            s.close();
            throw new IllegalStateException("the cluster bus is closed");
        }
        return s;
    }

    /** Events {@code publish} dropped because the send queue was full (or the bus closed). */
    public long droppedEvents() {
        return sender.dropped();
    }

    /** Events Kafka did not take within the retry window, or still unsent when the bus closed. */
    public long lostEvents() {
        return sender.lost();
    }

    /** Events waiting in the send queue now. */
    public int queuedEvents() {
        return sender.queued();
    }

    /**
     * Ends every subscription, sends what is queued and waits for the brokers to take it, in all for at most
     * {@code timeoutMillis}; then closes the clients.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + config.timeout().toNanos();
        List<Subscription> ending = List.copyOf(subscriptions);
        ending.forEach(Subscription::close);
        sender.stop(deadline);
        try {
            producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } catch (KafkaException e) {
            log.warn("cluster bus: closing the Kafka producer failed", e);
        }
        try {
            for (Subscription s : ending) {
                s.awaitEnd(deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long lost = sender.lost();
        long dropped = sender.dropped();
        if (lost > 0 || dropped > 0) {
            log.warn("cluster bus closed; over its life {} events were dropped (queue full) and {} lost", dropped,
                lost);
        }
    }

    /** Creates the topic when it does not exist (another node may create it at the same time). */
    private void ensureTopic() {
        String topic = config.topic();
        try (Admin admin = Admin.create(config.adminProperties(clientId + "-admin"))) {
            TopicDescription existing = describe(admin, topic);
            if (existing == null) {
                NewTopic t = new NewTopic(topic, config.partitions(), config.replication())
                    .configs(config.topicConfigs());
                try {
                    admin.createTopics(List.of(t)).all().get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
                    log.info("cluster bus: created topic {} ({} partitions, {} replicas) at {}", topic,
                        config.partitions(), config.replication(), config.bootstrapServers());
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    existing = describe(admin, topic); // another node was quicker
                }
            }
            int partitions = existing == null ? -1 : existing.partitions().size();
            if (partitions != config.partitions()) {
                log.warn("cluster bus: topic {} has {} partitions (configured: {}); the topic's count applies",
                    topic, partitions, config.partitions());
            }
        } catch (ExecutionException e) {
            throw unavailable("cannot set up topic " + topic, e.getCause());
        } catch (TimeoutException e) {
            throw unavailable("no answer within " + config.timeout().toMillis() + " ms while setting up topic "
                + topic, e);
        } catch (ConfigException e) {
            throw e;
        } catch (KafkaException e) {
            throw unavailable("cannot set up topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while setting up topic " + topic, e);
        }
    }

    /** The topic, or {@code null} when it does not exist. */
    private TopicDescription describe(Admin admin, String topic)
        throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames()
                .get(config.timeout().toMillis(), TimeUnit.MILLISECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }

    private StorageException unavailable(String what, Throwable cause) {
        return new StorageException(ErrorCode.UNAVAILABLE, "bus: " + what + " at " + config.bootstrapServers()
            + ": " + cause, cause);
    }
}
