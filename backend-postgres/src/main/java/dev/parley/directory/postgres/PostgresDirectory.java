package dev.parley.directory.postgres;

import dev.parley.directory.Conversation;
import dev.parley.directory.Device;
import dev.parley.directory.Directory;
import dev.parley.directory.FormerMember;
import dev.parley.directory.Member;
import dev.parley.directory.PresenceSettings;
import dev.parley.directory.ReceiptPosition;
import dev.parley.directory.SyncCursor;
import dev.parley.directory.User;
import dev.parley.directory.UsernameTakenException;
import dev.parley.push.PushKind;
import dev.parley.push.PushRegistration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link Directory} in PostgreSQL, shared by every node of a cluster (schema in the package description, created
 * and migrated by Flyway at start). Each call is one statement in auto-commit mode or one short transaction on a
 * pooled connection; batch reads pass their ids as one {@code bigint[]} ({@code = ANY(?)}), batch writes as parallel
 * arrays ({@code unnest}), so a call costs one round trip whatever its size. Race-freedom comes from the database
 * (unique keys, {@code ON CONFLICT}, row locks), not from the JVM, so it holds across nodes. Keeps no cache: callers
 * cache (see {@code ConversationCache}). Thread-safe.
 */
public final class PostgresDirectory implements Directory {
    private static final String USER_COLUMNS = "id, username, display_name, password_hash, created_at";
    private static final String DEVICE_COLUMNS = "id, user_id, name, created_at";
    private static final String RECEIPT_COLUMNS = "conversation_id, user_id, delivered_seq, read_seq";
    private static final String PUSH_COLUMNS = "device_id, user_id, kind, address, topic, p256dh, auth, updated_at";

    private static final String DIRECT_BY_PAIR = "SELECT " + Rows.CONVERSATION_COLUMNS + " FROM direct_pairs p"
        + " JOIN conversations c ON c.id = p.conversation_id"
        + " LEFT JOIN members m ON m.conversation_id = c.id"
        + " WHERE p.user_lo = ? AND p.user_hi = ?";
    /**
     * Claims the pair, and only if that succeeded creates the conversation and its two members, in one statement.
     * A concurrent caller's insert waits on the pair's key until the winner commits, then does nothing.
     */
    private static final String CREATE_DIRECT = """
        WITH pair AS (
            INSERT INTO direct_pairs (user_lo, user_hi, conversation_id) VALUES (?, ?, ?)
            ON CONFLICT (user_lo, user_hi) DO NOTHING
            RETURNING conversation_id
        ), conv AS (
            INSERT INTO conversations (id, kind, created_at) SELECT conversation_id, 'direct', ? FROM pair
            RETURNING id
        ), added AS (
            INSERT INTO members (conversation_id, user_id, role, joined_seq, joined_at)
            SELECT conv.id, u, 'member', 0, ? FROM conv CROSS JOIN unnest(ARRAY[?, ?]::bigint[]) AS u
        )
        SELECT count(*) FROM pair""";
    /**
     * Moves cursors forward. The batch is folded to one row per key (highest seq), kept to devices that exist (whose
     * rows are locked against a concurrent delete until commit), and written in key order so that concurrent
     * batches lock rows in the same order. A seq that is not higher writes nothing.
     */
    private static final String SAVE_CURSORS = """
        WITH batch AS (
            SELECT d, c, max(s) AS s FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) AS t(d, c, s) GROUP BY d, c
        ), live AS (
            SELECT id FROM devices WHERE id IN (SELECT d FROM batch) FOR KEY SHARE
        )
        INSERT INTO cursors (device_id, conversation_id, seq)
        SELECT b.d, b.c, b.s FROM batch b JOIN live ON live.id = b.d ORDER BY b.d, b.c
        ON CONFLICT (device_id, conversation_id) DO UPDATE SET seq = excluded.seq
        WHERE cursors.seq < excluded.seq""";
    /** Moves receipt positions forward, each column on its own, folded and ordered as {@link #SAVE_CURSORS}. */
    private static final String SAVE_RECEIPTS = """
        INSERT INTO receipts (conversation_id, user_id, delivered_seq, read_seq)
        SELECT c, u, max(d), max(r) FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) AS t(c, u, d, r)
        GROUP BY c, u ORDER BY c, u
        ON CONFLICT (conversation_id, user_id) DO UPDATE SET
            delivered_seq = greatest(receipts.delivered_seq, excluded.delivered_seq),
            read_seq = greatest(receipts.read_seq, excluded.read_seq)
        WHERE receipts.delivered_seq < excluded.delivered_seq OR receipts.read_seq < excluded.read_seq""";
    /** Sets a device's channel, if the device exists and is the user's (its row locked against a delete). */
    private static final String UPSERT_PUSH = """
        WITH device AS (SELECT id FROM devices WHERE id = ? AND user_id = ? FOR KEY SHARE)
        INSERT INTO push_registrations (device_id, user_id, kind, address, topic, p256dh, auth, updated_at)
        SELECT id, ?, ?, ?, ?, ?, ?, ? FROM device
        ON CONFLICT (device_id) DO UPDATE SET kind = excluded.kind, address = excluded.address,
            topic = excluded.topic, p256dh = excluded.p256dh, auth = excluded.auth, updated_at = excluded.updated_at""";

    /**
     * Serializes the registrations of one push address until commit. The key is a 64-bit hash of kind and address:
     * two addresses that share a hash merely wait for each other.
     */
    private static final String LOCK_ADDRESS = "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))";

    private final PostgresDatabase db;
    private final GroupMemberships groups;

    /**
     * Connects, and creates or migrates the schema.
     *
     * @throws dev.parley.core.StorageException {@code unavailable} if the database cannot be reached
     */
    public PostgresDirectory(PostgresDirectoryConfig config) {
        this.db = new PostgresDatabase("directory", config);
        this.groups = new GroupMemberships(db);
    }

    /** The connection pool, for tests in this package. */
    PostgresDatabase database() {
        return db;
    }

    // ---- users

    @Override
    public void createUser(User user) {
        db.call("createUser", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (" + USER_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?)")) {
                ps.setLong(1, user.id());
                ps.setString(2, user.username());
                ps.setString(3, user.displayName());
                ps.setString(4, user.passwordHash());
                ps.setLong(5, user.createdAt());
                return ps.executeUpdate();
            } catch (SQLException e) {
                if (PostgresDatabase.isUniqueViolation(e, "users_username_key")) {
                    throw new UsernameTakenException(user.username());
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<User> findUser(long userId) {
        return db.call("findUser", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + USER_COLUMNS + " FROM users WHERE id = ?")) {
                ps.setLong(1, userId);
                return users(ps).stream().findFirst();
            }
        });
    }

    @Override
    public Optional<User> findUserByUsername(String username) {
        return db.call("findUserByUsername", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + USER_COLUMNS
                + " FROM users WHERE username = ?")) {
                ps.setString(1, username);
                return users(ps).stream().findFirst();
            }
        });
    }

    @Override
    public Map<Long, User> findUsers(Collection<Long> userIds) {
        if (userIds.isEmpty()) {
            return Map.of();
        }
        return db.call("findUsers", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + USER_COLUMNS
                + " FROM users WHERE id = ANY(?)")) {
                ps.setArray(1, Rows.ids(c, userIds));
                Map<Long, User> users = new HashMap<>();
                for (User u : users(ps)) {
                    users.put(u.id(), u);
                }
                return users;
            }
        });
    }

    private static List<User> users(PreparedStatement ps) throws SQLException {
        List<User> users = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                users.add(new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)));
            }
        }
        return users;
    }

    // ---- devices

    @Override
    public void createDevice(Device device, byte[] tokenHash) {
        db.call("createDevice", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO devices (" + DEVICE_COLUMNS
                + ", token_hash) VALUES (?, ?, ?, ?, ?)")) {
                ps.setLong(1, device.id());
                ps.setLong(2, device.userId());
                ps.setString(3, device.name());
                ps.setLong(4, device.createdAt());
                ps.setBytes(5, tokenHash);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Device> findDeviceByTokenHash(byte[] tokenHash) {
        return db.call("findDeviceByTokenHash", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + DEVICE_COLUMNS
                + " FROM devices WHERE token_hash = ?")) {
                ps.setBytes(1, tokenHash);
                return devices(ps).stream().findFirst();
            }
        });
    }

    @Override
    public List<Device> devices(long userId) {
        return db.call("devices", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + DEVICE_COLUMNS
                + " FROM devices WHERE user_id = ? ORDER BY created_at, id")) {
                ps.setLong(1, userId);
                return devices(ps);
            }
        });
    }

    private static List<Device> devices(PreparedStatement ps) throws SQLException {
        List<Device> devices = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                devices.add(new Device(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4)));
            }
        }
        return devices;
    }

    /** Its cursors and push channel go with it ({@code ON DELETE CASCADE}), in the same statement. */
    @Override
    public boolean deleteDevice(long userId, long deviceId) {
        return db.call("deleteDevice", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM devices WHERE id = ? AND user_id = ?")) {
                ps.setLong(1, deviceId);
                ps.setLong(2, userId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    // ---- conversations

    @Override
    public Conversation directConversation(long userA, long userB, long newId, long now) {
        if (userA == userB) {
            throw new IllegalArgumentException("userB: " + userB + " (expected: a user other than userA)");
        }
        long lo = Math.min(userA, userB);
        long hi = Math.max(userA, userB);
        return db.call("directConversation", c -> {
            // Nearly always the pair exists already: one read, no write.
            Optional<Conversation> existing = directByPair(c, lo, hi);
            if (existing.isPresent()) {
                return existing.get();
            }
            try (PreparedStatement ps = c.prepareStatement(CREATE_DIRECT)) {
                ps.setLong(1, lo);
                ps.setLong(2, hi);
                ps.setLong(3, newId);
                ps.setLong(4, now);
                ps.setLong(5, now);
                ps.setLong(6, lo);
                ps.setLong(7, hi);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 1) {
                        return Conversation.direct(newId, lo, hi, now);
                    }
                }
            }
            // Another caller (thread or node) created it meanwhile, and has committed: this statement sees it.
            return directByPair(c, lo, hi).orElseThrow(() -> new SQLException("direct conversation of " + lo
                + " and " + hi + " neither created nor found"));
        });
    }

    private static Optional<Conversation> directByPair(Connection c, long lo, long hi) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DIRECT_BY_PAIR)) {
            ps.setLong(1, lo);
            ps.setLong(2, hi);
            return Rows.conversations(ps).stream().findFirst();
        }
    }

    @Override
    public Optional<Conversation> conversation(long conversationId) {
        return db.call("conversation", c -> Rows.conversation(c, conversationId));
    }

    @Override
    public List<Conversation> conversationsOf(long userId) {
        // One query for the conversations and all their members (not one query per conversation).
        return db.call("conversationsOf", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + Rows.CONVERSATION_COLUMNS
                + " FROM members mine"
                + " JOIN conversations c ON c.id = mine.conversation_id"
                + " JOIN members m ON m.conversation_id = mine.conversation_id"
                + " WHERE mine.user_id = ? ORDER BY c.id")) {
                ps.setLong(1, userId);
                return Rows.conversations(ps);
            }
        });
    }

    // ---- groups

    @Override
    public void createGroup(Conversation group) {
        groups.createGroup(group);
    }

    @Override
    public List<Member> addMembers(long conversationId, List<Member> members, int maxMembers) {
        return groups.addMembers(conversationId, members, maxMembers);
    }

    @Override
    public Optional<Removal> removeMember(long conversationId, long userId, long leftSeq) {
        return groups.removeMember(conversationId, userId, leftSeq);
    }

    @Override
    public void extendFormerMember(long conversationId, long userId, long leftSeq) {
        groups.extendFormerMember(conversationId, userId, leftSeq);
    }

    @Override
    public RoleChange setRole(long conversationId, long userId, Member.Role role) {
        return groups.setRole(conversationId, userId, role);
    }

    @Override
    public boolean updateGroup(long conversationId, String title, String description) {
        return groups.updateGroup(conversationId, title, description);
    }

    @Override
    public Optional<FormerMember> formerMember(long conversationId, long userId) {
        return groups.formerMember(conversationId, userId);
    }

    @Override
    public List<FormerMember> formerMemberships(long userId) {
        return groups.formerMemberships(userId);
    }

    // ---- cursors and receipts

    @Override
    public Map<Long, Long> cursors(long deviceId) {
        return db.call("cursors", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT conversation_id, seq FROM cursors WHERE device_id = ?")) {
                ps.setLong(1, deviceId);
                return longPairs(ps);
            }
        });
    }

    @Override
    public void saveCursors(Collection<SyncCursor> cursors) {
        if (cursors.isEmpty()) {
            return;
        }
        Long[] devices = new Long[cursors.size()];
        Long[] conversations = new Long[cursors.size()];
        Long[] seqs = new Long[cursors.size()];
        int i = 0;
        for (SyncCursor cursor : cursors) {
            devices[i] = cursor.deviceId();
            conversations[i] = cursor.conversationId();
            seqs[i] = cursor.seq();
            i++;
        }
        db.transaction("saveCursors", c -> {
            try (PreparedStatement ps = c.prepareStatement(SAVE_CURSORS)) {
                ps.setArray(1, Rows.bigints(c, devices));
                ps.setArray(2, Rows.bigints(c, conversations));
                ps.setArray(3, Rows.bigints(c, seqs));
                return ps.executeUpdate();
            }
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
        return db.call(op, c -> {
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
        Long[] conversations = new Long[positions.size()];
        Long[] users = new Long[positions.size()];
        Long[] delivered = new Long[positions.size()];
        Long[] read = new Long[positions.size()];
        int i = 0;
        for (ReceiptPosition p : positions) {
            conversations[i] = p.conversationId();
            users[i] = p.userId();
            delivered[i] = p.delivered();
            read[i] = p.read();
            i++;
        }
        db.transaction("saveReceipts", c -> {
            try (PreparedStatement ps = c.prepareStatement(SAVE_RECEIPTS)) {
                ps.setArray(1, Rows.bigints(c, conversations));
                ps.setArray(2, Rows.bigints(c, users));
                ps.setArray(3, Rows.bigints(c, delivered));
                ps.setArray(4, Rows.bigints(c, read));
                return ps.executeUpdate();
            }
        });
    }

    // ---- presence

    @Override
    public void saveLastSeen(long userId, long lastSeen) {
        db.call("saveLastSeen", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO presence (user_id, last_seen) VALUES (?, ?)"
                + " ON CONFLICT (user_id) DO UPDATE SET last_seen = excluded.last_seen"
                + " WHERE presence.last_seen < excluded.last_seen")) {
                ps.setLong(1, userId);
                ps.setLong(2, lastSeen);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void savePrivacy(long userId, PresenceSettings.Visibility visibility) {
        db.call("savePrivacy", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO presence (user_id, visibility) VALUES (?, ?)"
                + " ON CONFLICT (user_id) DO UPDATE SET visibility = excluded.visibility")) {
                ps.setLong(1, userId);
                ps.setString(2, visibility.wireName());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Map<Long, PresenceSettings> presenceSettings(Collection<Long> userIds) {
        if (userIds.isEmpty()) {
            return new HashMap<>();
        }
        return db.call("presenceSettings", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT user_id, last_seen, visibility FROM presence WHERE user_id = ANY(?)")) {
                ps.setArray(1, Rows.ids(c, userIds));
                Map<Long, PresenceSettings> result = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.put(rs.getLong(1), new PresenceSettings(rs.getLong(1), rs.getLong(2),
                            PresenceSettings.Visibility.fromWire(rs.getString(3))));
                    }
                }
                return result;
            }
        });
    }

    // ---- push channels, settings, mutes

    /**
     * Registrations of one address are serialized by a transaction-scoped advisory lock on its hash, so that of
     * devices registering it at once (on any node) exactly one ends up with it, the last to commit, and none fails.
     */
    @Override
    public void savePushRegistration(PushRegistration r) {
        db.transaction("savePushRegistration", c -> {
            try (PreparedStatement ps = c.prepareStatement(LOCK_ADDRESS)) {
                ps.setString(1, r.kind().wireName() + " " + r.address());
                ps.execute();
            }
            try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM push_registrations WHERE kind = ? AND address = ? AND device_id <> ?")) {
                ps.setString(1, r.kind().wireName());
                ps.setString(2, r.address());
                ps.setLong(3, r.deviceId());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(UPSERT_PUSH)) {
                ps.setLong(1, r.deviceId());
                ps.setLong(2, r.userId());
                ps.setLong(3, r.userId());
                ps.setString(4, r.kind().wireName());
                ps.setString(5, r.address());
                ps.setString(6, r.topic());
                ps.setString(7, r.p256dh());
                ps.setString(8, r.auth());
                ps.setLong(9, r.updatedAt());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean deletePushRegistration(long deviceId, String address) {
        return db.call("deletePushRegistration", c -> {
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
        return db.call("pushRegistrations", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + PUSH_COLUMNS
                + " FROM push_registrations WHERE user_id = ANY(?)")) {
                ps.setArray(1, Rows.ids(c, userIds));
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
        db.call("savePushPreviews", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO user_settings (user_id, push_previews)"
                + " VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET push_previews = excluded.push_previews")) {
                ps.setLong(1, userId);
                ps.setBoolean(2, previews);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Set<Long> pushPreviews(Collection<Long> userIds) {
        if (userIds.isEmpty()) {
            return Set.of();
        }
        return db.call("pushPreviews", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT user_id FROM user_settings"
                + " WHERE user_id = ANY(?) AND push_previews")) {
                ps.setArray(1, Rows.ids(c, userIds));
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
        db.call("saveMute", c -> {
            try (PreparedStatement ps = c.prepareStatement(until <= 0
                ? "DELETE FROM mutes WHERE user_id = ? AND conversation_id = ?"
                : "INSERT INTO mutes (user_id, conversation_id, until) VALUES (?, ?, ?)"
                    + " ON CONFLICT (conversation_id, user_id) DO UPDATE SET until = excluded.until")) {
                ps.setLong(1, userId);
                ps.setLong(2, conversationId);
                if (until > 0) {
                    ps.setLong(3, until);
                }
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Map<Long, Long> mutes(long conversationId, Collection<Long> userIds) {
        if (userIds.isEmpty()) {
            return Map.of();
        }
        return db.call("mutes", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT user_id, until FROM mutes"
                + " WHERE conversation_id = ? AND user_id = ANY(?)")) {
                ps.setLong(1, conversationId);
                ps.setArray(2, Rows.ids(c, userIds));
                return longPairs(ps);
            }
        });
    }

    @Override
    public Map<Long, Long> mutesOf(long userId) {
        return db.call("mutesOf", c -> {
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
