/**
 * The directory in PostgreSQL ({@code directory.type: postgres}), for nodes that share one directory. The schema is
 * made and migrated by Flyway at start ({@code db/migration/postgres/V1__directory.sql}, history in
 * {@code flyway_schema_history}); its tables mirror the SQLite directory's:
 * <pre>
 * users          (id PK, username UNIQUE, display_name, password_hash, created_at)
 * devices        (id PK, user_id, name, token_hash bytea UNIQUE, created_at)   index (user_id, created_at, id)
 * conversations  (id PK, kind 'direct'|'group', title, description, created_at)
 * members        (conversation_id FK, user_id) PK -&gt; role, joined_seq,      index (user_id, conversation_id)
 *                joined_at
 * direct_pairs   (user_lo, user_hi) PK -&gt; conversation_id FK                user_lo &lt; user_hi
 * former_members (conversation_id FK, user_id) PK -&gt; joined_seq, left_seq   index (user_id, conversation_id)
 * cursors        (device_id FK ON DELETE CASCADE, conversation_id) PK -&gt; seq
 * receipts       (conversation_id, user_id) PK -&gt; delivered_seq, read_seq    index (user_id, conversation_id)
 * presence       (user_id PK, last_seen, visibility 'everyone'|'contacts'|'nobody')
 * push_registrations (device_id PK FK ON DELETE CASCADE, user_id, kind,      index (user_id); UNIQUE (kind, address)
 *                address, topic, p256dh, auth, updated_at)
 * user_settings  (user_id PK, push_previews boolean)
 * mutes          (conversation_id, user_id) PK -&gt; until                      index (user_id, conversation_id)
 * </pre>
 * Ids are {@code bigint}, times epoch ms {@code bigint}. Why each index exists: the module's README.
 */
package dev.parley.directory.postgres;
