/**
 * The message store in Apache Cassandra ({@code messages.type: cassandra}), schema version 1 (kept in
 * {@code schema_migrations}, applied by {@link dev.parley.cassandra.CassandraMigrator}):
 * <pre>
 * messages (conversation_id, bucket, seq, id, sender_user_id, sender_device_id, client_msg_id, body, media_json, ts,
 *           system_json, PRIMARY KEY ((conversation_id, bucket), seq))   -- bucket = (seq - 1) / bucket.size
 * message_keys (sender_user_id, client_msg_id, conversation_id, seq, id,
 *               PRIMARY KEY ((sender_user_id, client_msg_id)))          -- the idempotency key
 * conversation_heads (conversation_id PRIMARY KEY, last_seq)          -- written USING TIMESTAMP last_seq
 * settings (name PRIMARY KEY, value)                                   -- bucket_size, fixed at creation
 * </pre>
 * A conversation's messages are spread over partitions of {@code bucket.size} seqs, so no partition grows without
 * bound; a page of history reads one or two of them. Rows of {@code messages} are only ever written by lightweight
 * transactions, which is what keeps seqs dense and unique across nodes; see
 * {@link dev.parley.messaging.cassandra.CassandraMessageStore} and the module README.
 */
package dev.parley.messaging.cassandra;
