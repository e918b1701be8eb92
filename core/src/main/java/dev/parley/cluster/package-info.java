/**
 * Many nodes as one service. {@link dev.parley.cluster.ClusterBus} is the port that carries events between nodes
 * (none for a single node, an in-JVM hub for tests, Kafka in {@code backend-kafka});
 * {@link dev.parley.cluster.ClusterRelay} writes new messages, receipts, typing and device closes to the
 * connections of every node through it, in {@code seq} order per conversation. {@link dev.parley.cluster.NodeRegistry}
 * keeps the live nodes with their address and load, from which {@link dev.parley.cluster.DiscoveryService} answers
 * {@code GET /v1/discovery} with the least-loaded one.
 */
package dev.parley.cluster;
