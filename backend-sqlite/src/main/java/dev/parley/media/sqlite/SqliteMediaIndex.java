package dev.parley.media.sqlite;

import dev.parley.core.BackendConfig;
import dev.parley.media.Media;
import dev.parley.media.MediaIndex;
import dev.parley.sqlite.SqliteDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The media index in its own SQLite file ({@code media.db} in the data directory): one row per item, one per
 * (item, conversation) it was shared in. Indexes: {@code media(sha256, state)} for reuse and reference counts,
 * {@code media(state, expires_at)} for the sweep of abandoned uploads, {@code media(created_at)} for retention.
 */
public final class SqliteMediaIndex implements MediaIndex {
    static final List<List<String>> MIGRATIONS = List.of(List.of(
        """
        CREATE TABLE media (
            media_id    INTEGER PRIMARY KEY,
            owner_user  INTEGER NOT NULL,
            sha256      TEXT    NOT NULL,
            size        INTEGER NOT NULL,
            mime_type   TEXT    NOT NULL,
            state       TEXT    NOT NULL,
            width       INTEGER,
            height      INTEGER,
            thumbnail   INTEGER NOT NULL,
            created_at  INTEGER NOT NULL,
            expires_at  INTEGER NOT NULL
        )""",
        "CREATE INDEX media_by_content ON media (sha256, state)",
        "CREATE INDEX media_by_expiry ON media (state, expires_at)",
        "CREATE INDEX media_by_age ON media (created_at)",
        """
        CREATE TABLE media_shares (
            media_id        INTEGER NOT NULL,
            conversation_id INTEGER NOT NULL,
            PRIMARY KEY (media_id, conversation_id)
        ) WITHOUT ROWID"""),
        List.of("ALTER TABLE media ADD COLUMN duration_ms INTEGER"));
    private static final String COLUMNS = "media_id, owner_user, sha256, size, mime_type, state, width, height, "
        + "thumbnail, created_at, expires_at, duration_ms";

    private final SqliteDatabase db;

    public SqliteMediaIndex(Path file, SqliteDatabase.Synchronous synchronous) {
        this.db = SqliteDatabase.open(file, new SqliteDatabase.Options("media", synchronous, 5_000, 2, 4 * 1024,
            2 * 1024, 1000));
        try {
            db.migrate(MIGRATIONS);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** From the {@code mediaIndex} section: {@code path} (default media.db), {@code synchronous} (default FULL). */
    public static SqliteMediaIndex from(BackendConfig config) {
        return new SqliteMediaIndex(config.path("path", "media.db"), SqliteDatabase.Synchronous.parse(
            config.section() + ".synchronous", config.get("synchronous", "FULL")));
    }

    @Override
    public void insert(Media m) {
        db.transaction("insertMedia", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO media (" + COLUMNS
                + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setLong(1, m.mediaId());
                ps.setLong(2, m.ownerUserId());
                ps.setString(3, m.sha256());
                ps.setLong(4, m.size());
                ps.setString(5, m.mimeType());
                ps.setString(6, m.state().name());
                setInt(ps, 7, m.width());
                setInt(ps, 8, m.height());
                ps.setInt(9, m.thumbnail() ? 1 : 0);
                ps.setLong(10, m.createdAt());
                ps.setLong(11, m.expiresAt());
                setLong(ps, 12, m.durationMs());
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setLong(i, v);
        }
    }

    private static Long getLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    private static Integer getInt(ResultSet rs, int i) throws SQLException {
        int v = rs.getInt(i);
        return rs.wasNull() ? null : v;
    }

    private static Media row(ResultSet rs) throws SQLException {
        return new Media(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getString(5),
            Media.State.valueOf(rs.getString(6)), getInt(rs, 7), getInt(rs, 8), rs.getInt(9) != 0, getLong(rs, 12),
            rs.getLong(10), rs.getLong(11));
    }

    private List<Media> list(String operation, String where, Object... args) {
        return db.read(operation, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM media WHERE " + where)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                List<Media> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Optional<Media> get(long mediaId) {
        return list("getMedia", "media_id = ?", mediaId).stream().findFirst();
    }

    @Override
    public Optional<Media> readyWithContent(String sha256) {
        return list("readyWithContent", "sha256 = ? AND state = 'READY' LIMIT 1", sha256).stream().findFirst();
    }

    @Override
    public boolean markReady(Media m) {
        return db.transaction("markReady", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE media SET state = 'READY', mime_type = ?, "
                + "width = ?, height = ?, thumbnail = ?, duration_ms = ?, expires_at = 0 "
                + "WHERE media_id = ? AND state = 'PENDING'")) {
                ps.setString(1, m.mimeType());
                setInt(ps, 2, m.width());
                setInt(ps, 3, m.height());
                ps.setInt(4, m.thumbnail() ? 1 : 0);
                setLong(ps, 5, m.durationMs());
                ps.setLong(6, m.mediaId());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public long delete(long mediaId) {
        return db.transaction("deleteMedia", c -> {
            String sha;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM media WHERE media_id = ? RETURNING sha256")) {
                ps.setLong(1, mediaId);
                try (ResultSet rs = ps.executeQuery()) {
                    sha = rs.next() ? rs.getString(1) : null;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM media_shares WHERE media_id = ?")) {
                ps.setLong(1, mediaId);
                ps.executeUpdate();
            }
            return sha == null ? 0L : count(c, sha);
        });
    }

    private static long count(Connection c, String sha256) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM media WHERE sha256 = ?")) {
            ps.setString(1, sha256);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public void share(long mediaId, long conversationId) {
        db.transaction("shareMedia", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "INSERT OR IGNORE INTO media_shares (media_id, conversation_id) VALUES (?, ?)")) {
                ps.setLong(1, mediaId);
                ps.setLong(2, conversationId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<Long> sharedIn(long mediaId) {
        return db.read("sharedIn", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT conversation_id FROM media_shares WHERE media_id = ?")) {
                ps.setLong(1, mediaId);
                List<Long> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getLong(1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<Media> expiredUploads(long now, int limit) {
        return list("expiredUploads", "state = 'PENDING' AND expires_at < ? LIMIT ?", now, limit);
    }

    @Override
    public List<Media> createdBefore(long before, int limit) {
        return list("createdBefore", "created_at < ? ORDER BY created_at LIMIT ?", before, limit);
    }

    @Override
    public void close() {
        db.close();
    }
}
