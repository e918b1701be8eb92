/**
 * What the SQLite backends share: {@link dev.parley.sqlite.SqliteDatabase} opens one database file in WAL mode with
 * a single write connection and a small pool of read-only connections, and translates {@code SQLException}s.
 */
package dev.parley.sqlite;
