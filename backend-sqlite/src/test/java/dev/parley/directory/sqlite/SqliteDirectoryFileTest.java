package dev.parley.directory.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.StorageException;
import dev.parley.directory.Conversation;
import dev.parley.directory.Member;
import dev.parley.directory.User;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to the SQLite file: its modes, and refusing a file of another schema version. */
class SqliteDirectoryFileTest {
    @TempDir
    Path dir;

    @Test
    void fileIsInWalModeWithTheSchemaVersion() throws Exception {
        Path file = dir.resolve("a/b/directory.db");
        try (SqliteDirectory directory = new SqliteDirectory(file)) {
            directory.createUser(new User(1, "alice", "Alice", "hash", 5));
        }

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            assertThat(string(s, "PRAGMA journal_mode")).isEqualTo("wal");
            assertThat(string(s, "PRAGMA user_version")).isEqualTo(String.valueOf(SqliteDirectory.SCHEMA_VERSION));
            assertThat(string(s, "SELECT username FROM users WHERE id = 1")).isEqualTo("alice");
        }
    }

    @Test
    void fileOfAnotherSchemaVersionIsRefused() throws Exception {
        Path file = dir.resolve("directory.db");
        new SqliteDirectory(file).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = 7");
        }

        assertThatThrownBy(() -> new SqliteDirectory(file)).isInstanceOf(StorageException.class)
            .hasMessageContaining("schema version 7 (this Parley knows up to " + SqliteDirectory.SCHEMA_VERSION);
    }

    @Test
    void fileOfVersionOneIsMigratedKeepingItsData() throws Exception {
        Path file = dir.resolve("directory.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String ddl : SqliteDirectory.MIGRATIONS.getFirst()) {
                s.execute(ddl);
            }
            s.execute("PRAGMA user_version = 1");
            s.execute("INSERT INTO users (id, username, created_at) VALUES (1, 'alice', 5), (2, 'bob', 5)");
            s.execute("INSERT INTO conversations (id, kind, created_at) VALUES (10, 'direct', 5)");
            s.execute("INSERT INTO members (conversation_id, user_id) VALUES (10, 1), (10, 2)");
            s.execute("INSERT INTO direct_pairs (user_lo, user_hi, conversation_id) VALUES (1, 2, 10)");
        }

        try (SqliteDirectory directory = new SqliteDirectory(file)) {
            Conversation direct = directory.directConversation(2, 1, 99, 6);
            assertThat(direct.id()).isEqualTo(10);
            assertThat(direct.member(1)).isEqualTo(new Member(1, Member.Role.MEMBER, 0, 0));
            assertThat(directory.formerMemberships(1)).isEmpty();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            assertThat(string(s, "PRAGMA user_version")).isEqualTo(String.valueOf(SqliteDirectory.SCHEMA_VERSION));
        }
    }

    @Test
    void directConversationOfAUserWithHimselfIsRefused() {
        try (SqliteDirectory directory = new SqliteDirectory(dir.resolve("directory.db"))) {
            assertThatThrownBy(() -> directory.directConversation(5, 5, 10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("userB: 5 (expected: a user other than userA)");
        }
    }

    @Test
    void useAfterCloseFailsAsStorageException() {
        SqliteDirectory directory = new SqliteDirectory(dir.resolve("directory.db"));
        directory.close();

        assertThatThrownBy(() -> directory.findUser(1)).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> directory.createUser(new User(1, "alice", "Alice", "hash", 5)))
            .isInstanceOf(StorageException.class);
    }

    private static String string(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
