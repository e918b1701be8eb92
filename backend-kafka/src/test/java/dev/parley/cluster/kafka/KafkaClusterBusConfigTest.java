package dev.parley.cluster.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.cluster.ClusterBusProvider;
import dev.parley.core.BackendConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class KafkaClusterBusConfigTest {

    private static KafkaClusterBusConfig from(Map<String, String> options) {
        return KafkaClusterBusConfig.from(new BackendConfig("bus", "kafka", options, Path.of("data")));
    }

    @Test
    void defaults() {
        KafkaClusterBusConfig c = from(Map.of());

        assertThat(c.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(c.topic()).isEqualTo("parley.events");
        assertThat(c.partitions()).isEqualTo(12);
        assertThat(c.replication()).isEqualTo((short) 1);
        assertThat(c.retention()).isEqualTo(Duration.ofHours(1));
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.deliveryTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.queueCapacity()).isEqualTo(100_000);
        assertThat(c.lingerMillis()).isEqualTo(5);
        assertThat(c.clientOverrides()).isEmpty();
        assertThat(c).isEqualTo(KafkaClusterBusConfig.of("127.0.0.1:9092", "parley.events"));
    }

    @Test
    void everyOptionIsRead() {
        KafkaClusterBusConfig c = from(Map.of("bootstrap.servers", "k1:9092, k2:19092", "topic", "prod_events",
            "partitions", "48", "replication", "3", "retentionMinutes", "30", "timeoutMillis", "2500",
            "deliveryTimeoutMillis", "60000", "queueCapacity", "5000", "lingerMillis", "0"));

        assertThat(c).isEqualTo(new KafkaClusterBusConfig("k1:9092, k2:19092", "prod_events", 48, (short) 3,
            Duration.ofMinutes(30), Duration.ofMillis(2500), Duration.ofMinutes(1), 5000, 0, Map.of()));
        assertThat(c.topicConfigs()).containsEntry("min.insync.replicas", "2")
            .containsEntry("retention.ms", "1800000").containsEntry("cleanup.policy", "delete");
        assertThat(from(Map.of()).topicConfigs()).doesNotContainKey("min.insync.replicas");
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> from(Map.of("partitions", "0"))).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("bus.partitions: \"0\" (expected: an integer in 1..10000)");
        assertThatThrownBy(() -> from(Map.of("replication", "three"))).hasMessageStartingWith("bus.replication: ");
        assertThatThrownBy(() -> from(Map.of("timeoutMillis", "-1"))).hasMessageStartingWith("bus.timeoutMillis: ");
        assertThatThrownBy(() -> from(Map.of("deliveryTimeoutMillis", "100")))
            .hasMessageStartingWith("bus.deliveryTimeoutMillis: \"100\"");
        assertThatThrownBy(() -> from(Map.of("queueCapacity", "0"))).hasMessageStartingWith("bus.queueCapacity: ");
        assertThatThrownBy(() -> from(Map.of("lingerMillis", "5000"))).hasMessageStartingWith("bus.lingerMillis: ");
        assertThatThrownBy(() -> from(Map.of("retentionMinutes", "0")))
            .hasMessageStartingWith("bus.retentionMinutes: ");
        assertThatThrownBy(() -> from(Map.of("bootstrap.servers", "localhost")))
            .hasMessage("bus.bootstrap.servers: \"localhost\" (expected: host:port[,host:port...])");
        assertThatThrownBy(() -> from(Map.of("bootstrap.servers", "k1:9092,,k2:9092")))
            .hasMessageStartingWith("bus.bootstrap.servers: ");
        assertThatThrownBy(() -> from(Map.of("bootstrap.servers", "k1:99999")))
            .hasMessageStartingWith("bus.bootstrap.servers: ");
        assertThatThrownBy(() -> from(Map.of("topic", "parley events")))
            .hasMessageStartingWith("bus.topic: \"parley events\"");
        assertThatThrownBy(() -> from(Map.of("topic", ".."))).hasMessageStartingWith("bus.topic: ");
        assertThatThrownBy(() -> from(Map.of("consumer.group.id", "nodes")))
            .hasMessageStartingWith("bus.consumer.group.id: \"nodes\" (expected: not set");
    }

    @Test
    void clientSettingsPassThroughToTheirClients() {
        KafkaClusterBusConfig c = from(Map.of("kafka.security.protocol", "SSL", "producer.compression.type", "lz4",
            "consumer.max.poll.records", "100", "admin.retries", "3", "producer.acks", "1"));

        Properties producer = c.producerProperties("p");
        Properties consumer = c.consumerProperties("c");
        Properties admin = c.adminProperties("a");
        assertThat(producer).containsEntry("security.protocol", "SSL").containsEntry("compression.type", "lz4")
            .containsEntry("acks", "1").doesNotContainKey("max.poll.records");
        assertThat(consumer).containsEntry("security.protocol", "SSL").containsEntry("max.poll.records", "100")
            .doesNotContainKey("compression.type");
        assertThat(admin).containsEntry("security.protocol", "SSL").containsEntry("retries", "3");
    }

    @Test
    void producerIsDurableAndIdempotentAndTheConsumerCommitsNothing() {
        KafkaClusterBusConfig c = from(Map.of("deliveryTimeoutMillis", "20000", "lingerMillis", "10"));

        assertThat(c.producerProperties("p")).containsEntry("acks", "all")
            .containsEntry("enable.idempotence", "true")
            .containsEntry("delivery.timeout.ms", "20000")
            .containsEntry("request.timeout.ms", "19990")
            .containsEntry("linger.ms", "10")
            .containsEntry("client.id", "p");
        assertThat(c.consumerProperties("c")).containsEntry("enable.auto.commit", "false")
            .containsEntry("auto.offset.reset", "earliest")
            .doesNotContainKey("group.id");
    }

    @Test
    void providerIsFoundByType() {
        assertThat(ServiceLoader.load(ClusterBusProvider.class).stream().map(p -> p.get().type()))
            .contains("kafka", "memory", "none");
    }
}
