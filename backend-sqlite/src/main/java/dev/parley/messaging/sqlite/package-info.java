/**
 * The message store in SQLite ({@code messages.type: sqlite}), one file in WAL mode with {@code synchronous=FULL},
 * schema version 2 ({@code PRAGMA user_version}; older files are migrated at start):
 * <pre>
 * messages (conversation_id, seq, id, sender_user_id, sender_device_id, client_msg_id, body, media_json, ts,
 *           system_json, PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID, STRICT
 * UNIQUE INDEX messages_by_client_msg_id (sender_user_id, client_msg_id)   -- the idempotency key
 * </pre>
 * Messages are clustered by conversation and seq, so a page of history is one range scan. {@code media_json} is
 * the {@link dev.parley.protocol.MediaRef} as JSON, or NULL. One writer thread commits queued appends in batches
 * (group commit); see {@link dev.parley.messaging.sqlite.SqliteMessageStore}.
 */
package dev.parley.messaging.sqlite;
