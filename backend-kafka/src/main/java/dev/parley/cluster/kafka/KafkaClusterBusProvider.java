package dev.parley.cluster.kafka;

import dev.parley.cluster.ClusterBus;
import dev.parley.cluster.ClusterBusProvider;
import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;

/** {@code bus.type: kafka}: a {@link KafkaClusterBus} on the configured topic, shared by every node. */
public final class KafkaClusterBusProvider implements ClusterBusProvider {
    @Override
    public String type() {
        return "kafka";
    }

    @Override
    public ClusterBus create(BackendConfig config, Resources resources) {
        return new KafkaClusterBus(KafkaClusterBusConfig.from(config), "parley-node-" + resources.nodeId());
    }
}
