package dev.parley.cluster;

import java.util.Objects;

/**
 * One live node as the {@link NodeRegistry} lists it.
 *
 * @param nodeId      the node's {@code server.nodeId}, unique in the cluster
 * @param wsUrl       the public WebSocket URL of the node ({@code ws://host:port/v1/ws} or {@code wss://...})
 * @param connections the WebSocket connections open on the node at its last heartbeat
 * @param cpuLoad     the CPU load of the node's machine at its last heartbeat, 0.0 to 1.0 (0 when unknown)
 * @param heartbeatAt when the node last announced itself, epoch milliseconds of the node's clock
 */
public record NodeInfo(int nodeId, String wsUrl, int connections, double cpuLoad, long heartbeatAt) {
    /** Checks the values. */
    public NodeInfo {
        Objects.requireNonNull(wsUrl, "wsUrl");
        new NodeLoad(connections, cpuLoad); // the same bounds
    }

    /** The info of node {@code nodeId} at {@code url} with {@code load}, announced at {@code heartbeatAt}. */
    public static NodeInfo of(int nodeId, String url, NodeLoad load, long heartbeatAt) {
        return new NodeInfo(nodeId, url, load.connections(), load.cpuLoad(), heartbeatAt);
    }

    /** The load part. */
    public NodeLoad load() {
        return new NodeLoad(connections, cpuLoad);
    }
}
