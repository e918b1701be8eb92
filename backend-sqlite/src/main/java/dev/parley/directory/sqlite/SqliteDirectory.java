package dev.parley.directory.sqlite;

import dev.parley.core.ParleyException;
import dev.parley.directory.Conversation;
import dev.parley.directory.Device;
import dev.parley.directory.Directory;
import dev.parley.directory.FormerMember;
import dev.parley.directory.GroupFullException;
import dev.parley.directory.Member;
import dev.parley.directory.PresenceSettings;
import dev.parley.directory.ReceiptPosition;
import dev.parley.directory.SyncCursor;
import dev.parley.directory.User;
import dev.parley.directory.UsernameTakenException;
import dev.parley.protocol.ErrorCode;
import dev.parley.push.PushKind;
import dev.parley.push.PushRegistration;
import dev.parley.sqlite.SqliteDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The embedded {@link Directory}: one SQLite file (schema in the package description). Writes are serialized on one
 * connection under a lock, each in a {@code BEGIN IMMEDIATE} transaction; reads use a pool of read-only connections
 * and never wait for writes. Thread-safe.
 */
public final class SqliteDirectory implements Directory {
    /** Version 1: accounts, direct conversations, cursors, receipts, presence. */
    private static final List<String> V1 = List.of("""
        CREATE TABLE users (
            id            INTEGER PRIMARY KEY,
            username      TEXT    NOT NULL UNIQUE,
            display_name  TEXT,
            password_hash TEXT,
            created_at    INTEGER NOT NULL
        ) STRICT""", """
        CREATE TABLE devices (
            id         INTEGER PRIMARY KEY,
            user_id    INTEGER NOT NULL,
            name       TEXT,
            token_hash BLOB    NOT NULL UNIQUE,
            created_at INTEGER NOT NULL
        ) STRICT""",
        "CREATE INDEX devices_by_user ON devices (user_id, created_at, id)", """
        CREATE TABLE conversations (
            id         INTEGER PRIMARY KEY,
            kind       TEXT    NOT NULL CHECK (kind IN ('direct', 'group')),
            title      TEXT,
            created_at INTEGER NOT NULL
        ) STRICT""", """
        CREATE TABLE members (
            conversation_id INTEGER NOT NULL,
            user_id         INTEGER NOT NULL,
            PRIMARY KEY (conversation_id, user_id)
        ) WITHOUT ROWID, STRICT""",
        "CREATE INDEX members_by_user ON members (user_id, conversation_id)", """
        CREATE TABLE direct_pairs (
            user_lo         INTEGER NOT NULL,
            user_hi         INTEGER NOT NULL,
            conversation_id INTEGER NOT NULL,
            PRIMARY KEY (user_lo, user_hi),
            CHECK (user_lo < user_hi)
        ) WITHOUT ROWID, STRICT""", """
        CREATE TABLE cursors (
            device_id       INTEGER NOT NULL,
            conversation_id INTEGER NOT NULL,
            seq             INTEGER NOT NULL,
            PRIMARY KEY (device_id, conversation_id)
        ) WITHOUT ROWID, STRICT""", """
        CREATE TABLE receipts (
            conversation_id INTEGER NOT NULL,
            user_id         INTEGER NOT NULL,
            delivered_seq   INTEGER NOT NULL,
            read_seq        INTEGER NOT NULL,
            PRIMARY KEY (conversation_id, user_id)
        ) WITHOUT ROWID, STRICT""",
        "CREATE INDEX receipts_by_user ON receipts (user_id, conversation_id)", """
        CREATE TABLE presence (
            user_id    INTEGER PRIMARY KEY,
            last_seen  INTEGER NOT NULL DEFAULT 0,
            visibility TEXT    NOT NULL DEFAULT 'everyone' CHECK (visibility IN ('everyone', 'contacts', 'nobody'))
        ) STRICT""");

    /** Version 2: groups (roles, the seq a member joined at, former members, descriptions). */
    private static final List<String> V2 = List.of(
        "ALTER TABLE conversations ADD COLUMN description TEXT",
        "ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member'))",
        "ALTER TABLE members ADD COLUMN joined_seq INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE members ADD COLUMN joined_at INTEGER NOT NULL DEFAULT 0", """
        CREATE TABLE former_members (
            conversation_id INTEGER NOT NULL,
            user_id         INTEGER NOT NULL,
            joined_seq      INTEGER NOT NULL,
            left_seq        INTEGER NOT NULL,
            PRIMARY KEY (conversation_id, user_id)
        ) WITHOUT ROWID, STRICT""",
        "CREATE INDEX former_members_by_user ON former_members (user_id, conversation_id)");

    /** Version 3: push channels of devices, push previews, muted conversations. */
    private static final List<String> V3 = List.of("""
        CREATE TABLE push_registrations (
            device_id  INTEGER PRIMARY KEY,
            user_id    INTEGER NOT NULL,
            kind       TEXT    NOT NULL CHECK (kind IN ('apns', 'fcm', 'webpush', 'unifiedpush')),
            address    TEXT    NOT NULL,
            topic      TEXT,
            p256dh     TEXT,
            auth       TEXT,
            updated_at INTEGER NOT NULL
        ) STRICT""",
        "CREATE INDEX push_registrations_by_user ON push_registrations (user_id)",
        "CREATE UNIQUE INDEX push_registrations_by_address ON push_registrations (kind, address)", """
        CREATE TABLE user_settings (
            user_id       INTEGER PRIMARY KEY,
            push_previews INTEGER NOT NULL DEFAULT 0 CHECK (push_previews IN (0, 1))
        ) STRICT""", """
        CREATE TABLE mutes (
            conversation_id INTEGER NOT NULL,
            user_id         INTEGER NOT NULL,
            until           INTEGER NOT NULL,
            PRIMARY KEY (conversation_id, user_id)
        ) WITHOUT ROWID, STRICT""",
        "CREATE INDEX mutes_by_user ON mutes (user_id, conversation_id)");

    static final List<List<String>> MIGRATIONS = List.of(V1, V2, V3);
    static final int SCHEMA_VERSION = MIGRATIONS.size();

    private static final String USER_COLUMNS = "id, username, display_name, password_hash, created_at";
    private static final String DEVICE_COLUMNS = "id, user_id, name, created_at";
    private static final String CONVERSATION_COLUMNS =
        "c.id, c.kind, c.title, c.description, c.created_at, m.user_id, m.role, m.joined_seq, m.joined_at";
    private static final String FORMER_MEMBER_QUERY =
        "SELECT conversation_id, user_id, joined_seq, left_seq FROM former_members";
    private static final String INSERT_MEMBER =
        "INSERT INTO members (conversation_id, user_id, role, joined_seq, joined_at) VALUES (?, ?, ?, ?, ?)";
    private static final String DIRECT_BY_PAIR = "SELECT " + CONVERSATION_COLUMNS + " FROM direct_pairs p"
        + " JOIN conversations c ON c.id = p.conversation_id"
        + " LEFT JOIN members m ON m.conversation_id = c.id"
        + " WHERE p.user_lo = ? AND p.user_hi = ?";
    // Only moves forward, and only for devices that still exist: a device deleted while its cursors were pending
    // in memory does not come back as orphan rows.
    private static final String UPSERT_CURSOR = "INSERT INTO cursors (device_id, conversation_id, seq)"
        + " SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM devices WHERE id = ?)"
        + " ON CONFLICT (device_id, conversation_id) DO UPDATE SET seq = max(seq, excluded.seq)";

    private static final String UPSERT_RECEIPT = "INSERT INTO receipts (conversation_id, user_id, delivered_seq,"
        + " read_seq) VALUES (?, ?, ?, ?) ON CONFLICT (conversation_id, user_id) DO UPDATE SET"
        + " delivered_seq = max(delivered_seq, excluded.delivered_seq), read_seq = max(read_seq, excluded.read_seq)";
    private static final String PUSH_COLUMNS = "device_id, user_id, kind, address, topic, p256dh, auth, updated_at";
    private static final String RECEIPT_COLUMNS = "conversation_id, user_id, delivered_seq, read_seq";

    private final SqliteDatabase db;

    /** Opens (or creates) the directory in this file, with default settings. */
    public SqliteDirectory(Path file) {
        this(SqliteDirectoryConfig.defaults(file));
    }

    public SqliteDirectory(SqliteDirectoryConfig config) {
        this.db = SqliteDatabase.open(config.file(), config.databaseOptions());
        try {
            db.migrate(MIGRATIONS);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    // ---- users

    @Override
    public void createUser(User user) {
        db.transaction("createUser", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (" + USER_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?)")) {
                ps.setLong(1, user.id());
                ps.setString(2, user.username());
                ps.setString(3, user.displayName());
                ps.setString(4, user.passwordHash());
                ps.setLong(5, user.createdAt());
                ps.executeUpdate();
            } catch (SQLException e) {
                if (SqliteDatabase.isUniqueViolation(e, "users.username")) {
                    throw new UsernameTakenException(user.username());
                }
                throw e;
            }
            return null;
        });
    }

    @Override
    public Optional<User> findUser(long userId) {
        return db.read("findUser", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + USER_COLUMNS + " FROM users WHERE id = ?")) {
                ps.setLong(1, userId);
                return oneUser(ps);
            }
        });
    }

    @Override
    public Optional<User> findUserByUsername(String username) {
        return db.read("findUserByUsername", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + USER_COLUMNS
                + " FROM users WHERE username = ?")) {
                ps.setString(1, username);
                return oneUser(ps);
            }
        });
    }

    @Override
    public Map<Long, User> findUsers(Collection<Long> userIds) {
        if (userIds.isEmpty()) {
            return Map.of();
        }
        return db.read("findUsers", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + USER_COLUMNS
                + " FROM users WHERE id IN (SELECT value FROM json_each(?))")) {
                ps.setString(1, SqliteDatabase.jsonArray(new LinkedHashSet<>(userIds)));
                Map<Long, User> users = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        User u = user(rs);
                        users.put(u.id(), u);
                    }
                }
                return users;
            }
        });
    }

    private static Optional<User> oneUser(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(user(rs)) : Optional.empty();
        }
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5));
    }

    // ---- devices

    @Override
    public void createDevice(Device device, byte[] tokenHash) {
        db.transaction("createDevice", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO devices (" + DEVICE_COLUMNS
                + ", token_hash) VALUES (?, ?, ?, ?, ?)")) {
                ps.setLong(1, device.id());
                ps.setLong(2, device.userId());
                ps.setString(3, device.name());
                ps.setLong(4, device.createdAt());
                ps.setBytes(5, tokenHash);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<Device> findDeviceByTokenHash(byte[] tokenHash) {
        return db.read("findDeviceByTokenHash", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + DEVICE_COLUMNS
                + " FROM devices WHERE token_hash = ?")) {
                ps.setBytes(1, tokenHash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(device(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<Device> devices(long userId) {
        return db.read("devices", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + DEVICE_COLUMNS
                + " FROM devices WHERE user_id = ? ORDER BY created_at, id")) {
                ps.setLong(1, userId);
                List<Device> devices = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        devices.add(device(rs));
                    }
                }
                return devices;
            }
        });
    }

    @Override
    public boolean deleteDevice(long userId, long deviceId) {
        return db.transaction("deleteDevice", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM devices WHERE id = ? AND user_id = ?")) {
                ps.setLong(1, deviceId);
                ps.setLong(2, userId);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            for (String table : List.of("cursors", "push_registrations")) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE device_id = ?")) {
                    ps.setLong(1, deviceId);
                    ps.executeUpdate();
                }
            }
            return true;
        });
    }

    private static Device device(ResultSet rs) throws SQLException {
        return new Device(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4));
    }

    // ---- conversations

    @Override
    public Conversation directConversation(long userA, long userB, long newId, long now) {
        if (userA == userB) {
            throw new IllegalArgumentException("userB: " + userB + " (expected: a user other than userA)");
        }
        long lo = Math.min(userA, userB);
        long hi = Math.max(userA, userB);
        // Nearly always the pair exists already: look without taking the write lock.
        Optional<Conversation> existing = db.read("directConversation", c -> directByPair(c, lo, hi));
        if (existing.isPresent()) {
            return existing.get();
        }
        // Check again inside the write transaction: only one writer at a time, so only one creates the pair.
        return db.transaction("directConversation", c -> {
            Optional<Conversation> raced = directByPair(c, lo, hi);
            if (raced.isPresent()) {
                return raced.get();
            }
            try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO conversations (id, kind, title, created_at) VALUES (?, 'direct', NULL, ?)")) {
                ps.setLong(1, newId);
                ps.setLong(2, now);
                ps.executeUpdate();
            }
            Conversation conv = Conversation.direct(newId, lo, hi, now);
            insertMembers(c, newId, conv.roster());
            try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO direct_pairs (user_lo, user_hi, conversation_id) VALUES (?, ?, ?)")) {
                ps.setLong(1, lo);
                ps.setLong(2, hi);
                ps.setLong(3, newId);
                ps.executeUpdate();
            }
            return conv;
        });
    }

    private static Optional<Conversation> directByPair(Connection c, long lo, long hi) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DIRECT_BY_PAIR)) {
            ps.setLong(1, lo);
            ps.setLong(2, hi);
            return conversations(ps).stream().findFirst();
        }
    }

    @Override
    public Optional<Conversation> conversation(long conversationId) {
        return db.read("conversation", c -> conversation(c, conversationId));
    }

    @Override
    public List<Conversation> conversationsOf(long userId) {
        // One query for the conversations and all their members (not one query per conversation).
        return db.read("conversationsOf", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CONVERSATION_COLUMNS + " FROM members mine"
                + " JOIN conversations c ON c.id = mine.conversation_id"
                + " JOIN members m ON m.conversation_id = mine.conversation_id"
                + " WHERE mine.user_id = ? ORDER BY c.id")) {
                ps.setLong(1, userId);
                return conversations(ps);
            }
        });
    }

    /** Folds rows of {@link #CONVERSATION_COLUMNS} (one per member, grouped by conversation) into conversations. */
    private static List<Conversation> conversations(PreparedStatement ps) throws SQLException {
        Map<Long, Header> headers = new LinkedHashMap<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long id = rs.getLong(1);
                Header h = headers.get(id);
                if (h == null) {
                    Conversation.Kind kind = Conversation.Kind.valueOf(rs.getString(2).toUpperCase(Locale.ROOT));
                    h = new Header(id, kind, rs.getString(3), rs.getString(4), rs.getLong(5), new ArrayList<>(2));
                    headers.put(id, h);
                }
                long member = rs.getLong(6);
                if (!rs.wasNull()) { // LEFT JOIN: a conversation without members has one row of NULL
                    h.members().add(new Member(member, Member.Role.fromWire(rs.getString(7)), rs.getLong(8),
                        rs.getLong(9)));
                }
            }
        }
        List<Conversation> result = new ArrayList<>(headers.size());
        for (Header h : headers.values()) {
            result.add(new Conversation(h.id(), h.kind(), h.title(), h.description(), h.members(), h.createdAt()));
        }
        return result;
    }

    private record Header(long id, Conversation.Kind kind, String title, String description, long createdAt,
                          List<Member> members) {
    }

    private static void insertMembers(Connection c, long conversationId, List<Member> members) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_MEMBER)) {
            for (Member m : members) {
                ps.setLong(1, conversationId);
                ps.setLong(2, m.userId());
                ps.setString(3, m.role().wireName());
                ps.setLong(4, m.joinedSeq());
                ps.setLong(5, m.joinedAt());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static Optional<Conversation> conversation(Connection c, long conversationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CONVERSATION_COLUMNS + " FROM conversations c"
            + " LEFT JOIN members m ON m.conversation_id = c.id WHERE c.id = ?")) {
            ps.setLong(1, conversationId);
            return conversations(ps).stream().findFirst();
        }
    }

    // ---- groups

    @Override
    public void createGroup(Conversation group) {
        if (!group.isGroup()) {
            throw new IllegalArgumentException("group: " + group + " (expected: kind GROUP)");
        }
        if (group.roster().stream().noneMatch(Member::isAdmin)) {
            throw new IllegalArgumentException("group: " + group + " has no admin");
        }
        db.transaction("createGroup", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO conversations (id, kind, title, description, created_at) VALUES (?, 'group', ?, ?, ?)")) {
                ps.setLong(1, group.id());
                ps.setString(2, group.title());
                ps.setString(3, group.description());
                ps.setLong(4, group.createdAt());
                ps.executeUpdate();
            }
            insertMembers(c, group.id(), group.roster());
            return null;
        });
    }

    @Override
    public List<Member> addMembers(long conversationId, List<Member> members, int maxMembers) {
        return db.transaction("addMembers", c -> {
            Conversation group = existingGroup(c, conversationId);
            Map<Long, Member> fresh = new LinkedHashMap<>();
            for (Member m : members) {
                if (!group.hasMember(m.userId())) {
                    fresh.putIfAbsent(m.userId(), m);
                }
            }
            if (group.size() + fresh.size() > maxMembers) {
                throw new GroupFullException(conversationId, group.size(), fresh.size(), maxMembers);
            }
            List<Member> added = List.copyOf(fresh.values());
            insertMembers(c, conversationId, added);
            try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM former_members WHERE conversation_id = ? AND user_id = ?")) {
                for (Member m : added) {
                    ps.setLong(1, conversationId);
                    ps.setLong(2, m.userId());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return added;
        });
    }

    private static Conversation existingGroup(Connection c, long conversationId) throws SQLException {
        return conversation(c, conversationId).filter(Conversation::isGroup).orElseThrow(() -> new ParleyException(
            ErrorCode.NOT_FOUND, "conversation: " + conversationId + " (no such group)"));
    }

    @Override
    public Optional<Removal> removeMember(long conversationId, long userId, long leftSeq) {
        return db.transaction("removeMember", c -> {
            Conversation group = existingGroup(c, conversationId);
            Member gone = group.member(userId);
            if (gone == null) {
                return Optional.<Removal>empty();
            }
            try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM members WHERE conversation_id = ? AND user_id = ?")) {
                ps.setLong(1, conversationId);
                ps.setLong(2, userId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO former_members (conversation_id, user_id,"
                + " joined_seq, left_seq) VALUES (?, ?, ?, ?) ON CONFLICT (conversation_id, user_id) DO UPDATE"
                + " SET joined_seq = excluded.joined_seq, left_seq = excluded.left_seq")) {
                ps.setLong(1, conversationId);
                ps.setLong(2, userId);
                ps.setLong(3, gone.joinedSeq());
                ps.setLong(4, Math.max(leftSeq, gone.joinedSeq() - 1));
                ps.executeUpdate();
            }
            Long promoted = null;
            List<Member> rest = group.roster().stream().filter(m -> m.userId() != userId).toList();
            if (!rest.isEmpty() && rest.stream().noneMatch(Member::isAdmin)) {
                Member oldest = rest.stream().min(Comparator.comparingLong(Member::joinedAt)
                    .thenComparingLong(Member::joinedSeq).thenComparingLong(Member::userId)).orElseThrow();
                updateRole(c, conversationId, oldest.userId(), Member.Role.ADMIN);
                promoted = oldest.userId();
            }
            return Optional.of(new Removal(gone, promoted));
        });
    }

    private static void updateRole(Connection c, long conversationId, long userId, Member.Role role)
        throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "UPDATE members SET role = ? WHERE conversation_id = ? AND user_id = ?")) {
            ps.setString(1, role.wireName());
            ps.setLong(2, conversationId);
            ps.setLong(3, userId);
            ps.executeUpdate();
        }
    }

    @Override
    public void extendFormerMember(long conversationId, long userId, long leftSeq) {
        db.transaction("extendFormerMember", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE former_members SET left_seq = max(left_seq, ?)"
                + " WHERE conversation_id = ? AND user_id = ?")) {
                ps.setLong(1, leftSeq);
                ps.setLong(2, conversationId);
                ps.setLong(3, userId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public RoleChange setRole(long conversationId, long userId, Member.Role role) {
        return db.transaction("setRole", c -> {
            Conversation group = existingGroup(c, conversationId);
            Member m = group.member(userId);
            if (m == null) {
                return RoleChange.NOT_A_MEMBER;
            }
            if (m.role() == role) {
                return RoleChange.UNCHANGED;
            }
            if (m.isAdmin() && group.roster().stream().filter(Member::isAdmin).count() == 1) {
                return RoleChange.LAST_ADMIN;
            }
            updateRole(c, conversationId, userId, role);
            return RoleChange.CHANGED;
        });
    }

    @Override
    public boolean updateGroup(long conversationId, String title, String description) {
        return db.transaction("updateGroup", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE conversations SET title = ?, description = ?"
                + " WHERE id = ? AND kind = 'group'")) {
                ps.setString(1, title);
                ps.setString(2, description);
                ps.setLong(3, conversationId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<FormerMember> formerMember(long conversationId, long userId) {
        return db.read("formerMember", c -> {
            try (PreparedStatement ps = c.prepareStatement(FORMER_MEMBER_QUERY + " WHERE conversation_id = ?"
                + " AND user_id = ?")) {
                ps.setLong(1, conversationId);
                ps.setLong(2, userId);
                return formerMembers(ps).stream().findFirst();
            }
        });
    }

    @Override
    public List<FormerMember> formerMemberships(long userId) {
        return db.read("formerMemberships", c -> {
            try (PreparedStatement ps = c.prepareStatement(FORMER_MEMBER_QUERY + " WHERE user_id = ?")) {
                ps.setLong(1, userId);
                return formerMembers(ps);
            }
        });
    }

    private static List<FormerMember> formerMembers(PreparedStatement ps) throws SQLException {
        List<FormerMember> result = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                result.add(new FormerMember(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
            }
        }
        return result;
    }

    // ---- cursors

    @Override
    public Map<Long, Long> cursors(long deviceId) {
        return db.read("cursors", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT conversation_id, seq FROM cursors WHERE device_id = ?")) {
                ps.setLong(1, deviceId);
                Map<Long, Long> cursors = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        cursors.put(rs.getLong(1), rs.getLong(2));
                    }
                }
                return cursors;
            }
        });
    }

    @Override
    public void saveCursors(Collection<SyncCursor> cursors) {
        if (cursors.isEmpty()) {
            return;
        }
        db.transaction("saveCursors", c -> {
            try (PreparedStatement ps = c.prepareStatement(UPSERT_CURSOR)) {
                for (SyncCursor cursor : cursors) {
                    ps.setLong(1, cursor.deviceId());
                    ps.setLong(2, cursor.conversationId());
                    ps.setLong(3, cursor.seq());
                    ps.setLong(4, cursor.deviceId());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public Map<Long, ReceiptPosition> receipts(long conversationId) {
        return receiptQuery("receipts", "SELECT " + RECEIPT_COLUMNS + " FROM receipts WHERE conversation_id = ?",
            conversationId, true);
    }

    @Override
    public Map<Long, ReceiptPosition> receiptsOf(long userId) {
        return receiptQuery("receiptsOf", "SELECT " + RECEIPT_COLUMNS + " FROM receipts WHERE user_id = ?", userId,
            false);
    }

    private Map<Long, ReceiptPosition> receiptQuery(String op, String sql, long key, boolean byUser) {
        return db.read(op, c -> {
            Map<Long, ReceiptPosition> result = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ReceiptPosition p = new ReceiptPosition(rs.getLong(1), rs.getLong(2), rs.getLong(3),
                            rs.getLong(4));
                        result.put(byUser ? p.userId() : p.conversationId(), p);
                    }
                }
            }
            return result;
        });
    }

    @Override
    public void saveReceipts(Collection<ReceiptPosition> positions) {
        if (positions.isEmpty()) {
            return;
        }
        db.transaction("saveReceipts", c -> {
            try (PreparedStatement ps = c.prepareStatement(UPSERT_RECEIPT)) {
                for (ReceiptPosition p : positions) {
                    ps.setLong(1, p.conversationId());
                    ps.setLong(2, p.userId());
                    ps.setLong(3, p.delivered());
                    ps.setLong(4, p.read());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public void saveLastSeen(long userId, long lastSeen) {
        db.transaction("saveLastSeen", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO presence (user_id, last_seen) VALUES (?, ?)"
                + " ON CONFLICT (user_id) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)")) {
                ps.setLong(1, userId);
                ps.setLong(2, lastSeen);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void savePrivacy(long userId, PresenceSettings.Visibility visibility) {
        db.transaction("savePrivacy", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO presence (user_id, visibility) VALUES (?, ?)"
                + " ON CONFLICT (user_id) DO UPDATE SET visibility = excluded.visibility")) {
                ps.setLong(1, userId);
                ps.setString(2, visibility.wireName());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Map<Long, PresenceSettings> presenceSettings(Collection<Long> userIds) {
        Map<Long, PresenceSettings> result = new HashMap<>();
        if (userIds.isEmpty()) {
            return result;
        }
        List<Long> ids = List.copyOf(new LinkedHashSet<>(userIds));
        return db.read("presenceSettings", c -> {
            for (int from = 0; from < ids.size(); from += 500) {
                List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
                String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement ps = c.prepareStatement(
                    "SELECT user_id, last_seen, visibility FROM presence WHERE user_id IN (" + marks + ")")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setLong(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            result.put(rs.getLong(1), new PresenceSettings(rs.getLong(1), rs.getLong(2),
                                PresenceSettings.Visibility.fromWire(rs.getString(3))));
                        }
                    }
                }
            }
            return result;
        });
    }

    // ---- push channels, settings, mutes

    @Override
    public void savePushRegistration(PushRegistration r) {
        db.transaction("savePushRegistration", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM push_registrations WHERE kind = ? AND address = ? AND device_id <> ?")) {
                ps.setString(1, r.kind().wireName());
                ps.setString(2, r.address());
                ps.setLong(3, r.deviceId());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO push_registrations (" + PUSH_COLUMNS
                + ") SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM devices WHERE id = ? AND user_id = ?)"
                + " ON CONFLICT (device_id) DO UPDATE SET kind = excluded.kind, address = excluded.address,"
                + " topic = excluded.topic, p256dh = excluded.p256dh, auth = excluded.auth,"
                + " updated_at = excluded.updated_at")) {
                ps.setLong(1, r.deviceId());
                ps.setLong(2, r.userId());
                ps.setString(3, r.kind().wireName());
                ps.setString(4, r.address());
                ps.setString(5, r.topic());
                ps.setString(6, r.p256dh());
                ps.setString(7, r.auth());
                ps.setLong(8, r.updatedAt());
                ps.setLong(9, r.deviceId());
                ps.setLong(10, r.userId());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean deletePushRegistration(long deviceId, String address) {
        return db.transaction("deletePushRegistration", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM push_registrations WHERE device_id = ?"
                + (address == null ? "" : " AND address = ?"))) {
                ps.setLong(1, deviceId);
                if (address != null) {
                    ps.setString(2, address);
                }
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<PushRegistration> pushRegistrations(Collection<Long> userIds) {
        if (userIds.isEmpty()) {
            return List.of();
        }
        return db.read("pushRegistrations", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + PUSH_COLUMNS
                + " FROM push_registrations WHERE user_id IN (SELECT value FROM json_each(?))")) {
                ps.setString(1, SqliteDatabase.jsonArray(new LinkedHashSet<>(userIds)));
                List<PushRegistration> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(new PushRegistration(rs.getLong(2), rs.getLong(1),
                            PushKind.fromWire(rs.getString(3)), rs.getString(4), rs.getString(5), rs.getString(6),
                            rs.getString(7), rs.getLong(8)));
                    }
                }
                return result;
            }
        });
    }

    @Override
    public void savePushPreviews(long userId, boolean previews) {
        db.transaction("savePushPreviews", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO user_settings (user_id, push_previews)"
                + " VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET push_previews = excluded.push_previews")) {
                ps.setLong(1, userId);
                ps.setInt(2, previews ? 1 : 0);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Set<Long> pushPreviews(Collection<Long> userIds) {
        if (userIds.isEmpty()) {
            return Set.of();
        }
        return db.read("pushPreviews", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT user_id FROM user_settings"
                + " WHERE push_previews = 1 AND user_id IN (SELECT value FROM json_each(?))")) {
                ps.setString(1, SqliteDatabase.jsonArray(new LinkedHashSet<>(userIds)));
                Set<Long> result = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(rs.getLong(1));
                    }
                }
                return result;
            }
        });
    }

    @Override
    public void saveMute(long userId, long conversationId, long until) {
        db.transaction("saveMute", c -> {
            try (PreparedStatement ps = c.prepareStatement(until <= 0
                ? "DELETE FROM mutes WHERE user_id = ? AND conversation_id = ?"
                : "INSERT INTO mutes (user_id, conversation_id, until) VALUES (?, ?, ?)"
                    + " ON CONFLICT (conversation_id, user_id) DO UPDATE SET until = excluded.until")) {
                ps.setLong(1, userId);
                ps.setLong(2, conversationId);
                if (until > 0) {
                    ps.setLong(3, until);
                }
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Map<Long, Long> mutes(long conversationId, Collection<Long> userIds) {
        if (userIds.isEmpty()) {
            return Map.of();
        }
        return db.read("mutes", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT user_id, until FROM mutes"
                + " WHERE conversation_id = ? AND user_id IN (SELECT value FROM json_each(?))")) {
                ps.setLong(1, conversationId);
                ps.setString(2, SqliteDatabase.jsonArray(new LinkedHashSet<>(userIds)));
                return longPairs(ps);
            }
        });
    }

    @Override
    public Map<Long, Long> mutesOf(long userId) {
        return db.read("mutesOf", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT conversation_id, until FROM mutes WHERE user_id = ?")) {
                ps.setLong(1, userId);
                return longPairs(ps);
            }
        });
    }

    private static Map<Long, Long> longPairs(PreparedStatement ps) throws SQLException {
        Map<Long, Long> result = new HashMap<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                result.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return result;
    }

    @Override
    public void close() {
        db.close();
    }
}
