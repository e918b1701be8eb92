package dev.parley.cluster;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;
import java.util.function.Consumer;

/** The bus of a single node ({@code bus.type: none}): there is no other node, so nothing is published. */
public final class SingleNodeBus implements ClusterBus {

    @Override
    public boolean connectsNodes() {
        return false;
    }

    @Override
    public void publish(long key, byte[] event) {
    }

    @Override
    public AutoCloseable subscribe(Consumer<byte[]> handler) {
        return () -> { };
    }

    /** {@code bus.type: none}. */
    public static final class Provider implements ClusterBusProvider {
        @Override
        public String type() {
            return "none";
        }

        @Override
        public ClusterBus create(BackendConfig config, Resources resources) {
            return new SingleNodeBus();
        }
    }
}
