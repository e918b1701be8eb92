package dev.parley.gateway;

import dev.parley.cluster.DiscoveryService;
import dev.parley.cluster.NodeInfo;
import dev.parley.core.ParleyException;
import dev.parley.protocol.ErrorCode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/discovery}, without authentication (a client asks before it logs in):
 * {@code {"url","nodeId","nodes":[{"nodeId","url"}...]}}, the node to connect to and every live node best first.
 * Blocks for the node registry: runs on the REST handler's blocking executor.
 */
final class DiscoveryRoute {
    private DiscoveryRoute() {
    }

    static FullHttpResponse answer(DiscoveryService discovery, FullHttpRequest req) {
        if (discovery == null) {
            throw new ParleyException(ErrorCode.NOT_FOUND, "discovery is not configured on this server");
        }
        DiscoveryService.Choice choice = discovery.choose();
        String self = selfUrl(discovery, req);
        List<Map<String, Object>> nodes = new ArrayList<>(choice.ranked().size());
        for (NodeInfo n : choice.ranked()) {
            nodes.add(Map.of("nodeId", n.nodeId(), "url", url(n, discovery, self)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("url", url(choice.node(), discovery, self));
        body.put("nodeId", choice.node().nodeId());
        body.put("nodes", nodes);
        // HttpResponses.json sets Cache-Control: no-store: the answer changes with every heartbeat
        return HttpResponses.json(HttpResponseStatus.OK, body);
    }

    /**
     * This node's URL as the client reached it, when {@code server.publicUrl} is not configured (the derived one
     * names the bound address, often {@code localhost}); {@code null} to keep the announced one.
     */
    private static String selfUrl(DiscoveryService discovery, FullHttpRequest req) {
        if (discovery.urlConfigured()) {
            return null;
        }
        try {
            String base = RestHandler.baseUrl(req); // http(s)://host[:port], from Host and X-Forwarded-Proto
            return "ws" + base.substring(4) + GatewayInitializer.WS_PATH;
        } catch (ParleyException noUsableHost) {
            return null;
        }
    }

    private static String url(NodeInfo n, DiscoveryService discovery, String self) {
        return self != null && n.nodeId() == discovery.nodeId() ? self : n.wsUrl();
    }
}
