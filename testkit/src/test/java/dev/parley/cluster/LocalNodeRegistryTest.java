package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import org.junit.jupiter.api.Test;

class LocalNodeRegistryTest extends NodeRegistryContract {
    @Override
    protected NodeRegistry newRegistry() {
        return new LocalNodeRegistry(Clock.systemUTC());
    }

    @Test
    void knowsOnlyItself() {
        NodeRegistry a = node();
        NodeRegistry b = node();
        a.announce(1, "ws://a.test/v1/ws", () -> new NodeLoad(0, 0));
        b.announce(2, "ws://b.test/v1/ws", () -> new NodeLoad(0, 0));

        assertThat(a.connectsNodes()).isFalse();
        assertThat(a.nodes()).extracting(NodeInfo::nodeId).containsExactly(1);
        assertThat(b.nodes()).extracting(NodeInfo::nodeId).containsExactly(2);
    }
}
