/**
 * The node registry in Redis ({@code nodes.type: redis}): one hash, {@code <prefix>nodes}, with one field per live
 * node (its id) valued {@code expiresAt,heartbeatAt,connections,cpuLoad,wsUrl}, rewritten by the node at every
 * heartbeat; readers skip entries whose {@code expiresAt} has passed.
 */
package dev.parley.cluster.redis;
