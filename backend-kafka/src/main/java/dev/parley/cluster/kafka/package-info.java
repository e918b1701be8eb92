/**
 * The cluster bus on Apache Kafka ({@code bus.type: kafka}): one topic, keyed records (8-byte big-endian key, the
 * event's bytes as value) so that a key keeps its partition and its order; every node reads every partition from its
 * end, without a consumer group.
 */
package dev.parley.cluster.kafka;
