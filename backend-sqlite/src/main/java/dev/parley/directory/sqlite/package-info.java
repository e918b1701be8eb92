/**
 * The directory in SQLite ({@code directory.type: sqlite}), one file in WAL mode, schema version 3
 * ({@code PRAGMA user_version}; older files are migrated at start):
 * <pre>
 * users         (id PK, username UNIQUE, display_name, password_hash, created_at)
 * devices       (id PK, user_id, name, token_hash BLOB UNIQUE, created_at)   index (user_id, created_at, id)
 * conversations (id PK, kind 'direct'|'group', title, description, created_at)
 * members       (conversation_id, user_id) PK -&gt; role, joined_seq,          index (user_id, conversation_id)
 *               joined_at, WITHOUT ROWID
 * direct_pairs  (user_lo, user_hi) PK -&gt; conversation_id, WITHOUT ROWID      user_lo &lt; user_hi
 * cursors       (device_id, conversation_id) PK -&gt; seq, WITHOUT ROWID
 * receipts      (conversation_id, user_id) PK -&gt; delivered_seq, read_seq,      index (user_id, conversation_id)
 *               WITHOUT ROWID
 * presence      (user_id PK, last_seen, visibility 'everyone'|'contacts'|'nobody')
 * former_members (conversation_id, user_id) PK -&gt; joined_seq, left_seq      index (user_id, conversation_id)
 * push_registrations (device_id PK, user_id, kind, address, topic, p256dh,   index (user_id); UNIQUE (kind, address)
 *               auth, updated_at)
 * user_settings (user_id PK, push_previews 0|1)
 * mutes         (conversation_id, user_id) PK -&gt; until, WITHOUT ROWID       index (user_id, conversation_id)
 * </pre>
 * Tables keyed by one integer keep SQLite's rowid (their id is it); the pair-keyed ones are {@code WITHOUT ROWID}
 * so the key is the row. All tables are {@code STRICT}.
 *
 * <p>Durability: {@code synchronous=FULL} by default, so that a commit is on disk when it returns. {@code NORMAL}
 * (configurable) would be safe against a crashed process and never corrupts the file, but may lose the last
 * commits on power failure; the message store fsyncs every batch, so after such a loss it could hold messages of a
 * direct conversation whose row the directory lost, and the next message would open a new conversation beside
 * that history. Directory writes are rare (sign-ups, logins, first messages, one cursor batch per flush interval),
 * so FULL costs little.
 */
package dev.parley.directory.sqlite;
