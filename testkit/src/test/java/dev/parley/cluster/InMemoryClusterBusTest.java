package dev.parley.cluster;

import java.util.UUID;

class InMemoryClusterBusTest extends ClusterBusContract {
    /** JUnit makes an instance per test: each test has a hub of its own. */
    private final String hub = "test-" + UUID.randomUUID();

    @Override
    protected ClusterBus newBus() {
        return new InMemoryClusterBus(hub);
    }
}
