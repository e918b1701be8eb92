package dev.parley.cluster;

/**
 * How busy a node is, as it announces itself in the {@link NodeRegistry}.
 *
 * @param connections the WebSocket connections open on the node
 * @param cpuLoad     the CPU load of the node's machine (or container), 0.0 to 1.0; 0 when unknown
 */
public record NodeLoad(int connections, double cpuLoad) {
    /** Checks the values. */
    public NodeLoad {
        if (connections < 0) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: >= 0)");
        }
        if (!(cpuLoad >= 0 && cpuLoad <= 1)) {
            throw new IllegalArgumentException("cpuLoad: " + cpuLoad + " (expected: 0.0..1.0)");
        }
    }
}
