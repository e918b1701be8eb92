/**
 * Node-to-node delivery: the {@link dev.parley.cluster.ClusterBus} port that carries events between nodes, and the
 * in-process implementations (none for a single node, an in-memory hub for tests of several nodes in one JVM).
 */
package dev.parley.cluster;
