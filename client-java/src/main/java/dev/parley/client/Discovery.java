package dev.parley.client;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * Where to connect, as {@code GET /v1/discovery} answers ({@link ParleyClient#discover}).
 *
 * @param url    the WebSocket URL of the node to connect to ({@code ws://} or {@code wss://})
 * @param nodeId that node's id
 * @param nodes  every live node, best first (the chosen one first)
 */
public record Discovery(URI url, int nodeId, List<Node> nodes) {
    /** Checks for nulls and copies the list. */
    public Discovery {
        Objects.requireNonNull(url, "url");
        nodes = List.copyOf(nodes);
    }

    /**
     * One live node.
     *
     * @param nodeId the node's id
     * @param url    its WebSocket URL
     */
    public record Node(int nodeId, URI url) {
        /** Checks for nulls. */
        public Node {
            Objects.requireNonNull(url, "url");
        }
    }
}
