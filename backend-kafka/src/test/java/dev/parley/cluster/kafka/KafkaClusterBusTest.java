package dev.parley.cluster.kafka;

import dev.parley.cluster.ClusterBus;
import dev.parley.cluster.ClusterBusContract;
import dev.parley.testkit.KafkaExtension;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class KafkaClusterBusTest extends ClusterBusContract {
    /** JUnit makes an instance per test: each test has a topic of its own, which its first node creates. */
    private String topic;

    @Override
    protected ClusterBus newBus() {
        if (topic == null) {
            topic = KafkaExtension.broker().newTopic();
        }
        return new KafkaClusterBus(KafkaClusterBusConfig.of(KafkaExtension.broker().bootstrapServers(), topic),
            "test");
    }
}
