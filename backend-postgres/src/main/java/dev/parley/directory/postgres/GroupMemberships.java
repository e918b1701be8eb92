package dev.parley.directory.postgres;

import dev.parley.core.ParleyException;
import dev.parley.directory.Conversation;
import dev.parley.directory.Directory;
import dev.parley.directory.FormerMember;
import dev.parley.directory.GroupFullException;
import dev.parley.directory.Member;
import dev.parley.protocol.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The group half of {@link PostgresDirectory}: creation, members joining and leaving, roles, former members.
 *
 * <p>Every membership change first locks the group's {@code conversations} row ({@code FOR NO KEY UPDATE}), then
 * reads the roster in a later statement: changes to one group are serialized across all nodes, and each sees the
 * roster as the previous one committed it (READ COMMITTED takes a new snapshot per statement, so reading the roster
 * in the locking statement itself could miss a change committed while it waited).
 */
final class GroupMemberships {
    private static final String FORMER_MEMBER_QUERY =
        "SELECT conversation_id, user_id, joined_seq, left_seq FROM former_members";

    private final PostgresDatabase db;

    GroupMemberships(PostgresDatabase db) {
        this.db = db;
    }

    void createGroup(Conversation group) {
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
            Rows.insertMembers(c, group.id(), group.roster());
            return null;
        });
    }

    List<Member> addMembers(long conversationId, List<Member> members, int maxMembers) {
        return db.transaction("addMembers", c -> {
            Map<Long, Member> roster = lockedRoster(c, conversationId);
            Map<Long, Member> fresh = new LinkedHashMap<>();
            for (Member m : members) {
                if (!roster.containsKey(m.userId())) {
                    fresh.putIfAbsent(m.userId(), m);
                }
            }
            if (roster.size() + fresh.size() > maxMembers) {
                throw new GroupFullException(conversationId, roster.size(), fresh.size(), maxMembers);
            }
            List<Member> added = List.copyOf(fresh.values());
            if (added.isEmpty()) {
                return added;
            }
            Rows.insertMembers(c, conversationId, added);
            try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM former_members WHERE conversation_id = ? AND user_id = ANY(?)")) {
                ps.setLong(1, conversationId);
                ps.setArray(2, Rows.ids(c, fresh.keySet()));
                ps.executeUpdate();
            }
            return added;
        });
    }

    Optional<Directory.Removal> removeMember(long conversationId, long userId, long leftSeq) {
        return db.transaction("removeMember", c -> {
            Map<Long, Member> roster = lockedRoster(c, conversationId);
            Member gone = roster.remove(userId);
            if (gone == null) {
                return Optional.<Directory.Removal>empty();
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
            if (!roster.isEmpty() && roster.values().stream().noneMatch(Member::isAdmin)) {
                Member oldest = roster.values().stream().min(Comparator.comparingLong(Member::joinedAt)
                    .thenComparingLong(Member::joinedSeq).thenComparingLong(Member::userId)).orElseThrow();
                updateRole(c, conversationId, oldest.userId(), Member.Role.ADMIN);
                promoted = oldest.userId();
            }
            return Optional.of(new Directory.Removal(gone, promoted));
        });
    }

    void extendFormerMember(long conversationId, long userId, long leftSeq) {
        db.call("extendFormerMember", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE former_members SET left_seq = ?"
                + " WHERE conversation_id = ? AND user_id = ? AND left_seq < ?")) {
                ps.setLong(1, leftSeq);
                ps.setLong(2, conversationId);
                ps.setLong(3, userId);
                ps.setLong(4, leftSeq);
                return ps.executeUpdate();
            }
        });
    }

    Directory.RoleChange setRole(long conversationId, long userId, Member.Role role) {
        return db.transaction("setRole", c -> {
            Map<Long, Member> roster = lockedRoster(c, conversationId);
            Member m = roster.get(userId);
            if (m == null) {
                return Directory.RoleChange.NOT_A_MEMBER;
            }
            if (m.role() == role) {
                return Directory.RoleChange.UNCHANGED;
            }
            if (m.isAdmin() && roster.values().stream().filter(Member::isAdmin).count() == 1) {
                return Directory.RoleChange.LAST_ADMIN;
            }
            updateRole(c, conversationId, userId, role);
            return Directory.RoleChange.CHANGED;
        });
    }

    boolean updateGroup(long conversationId, String title, String description) {
        return db.call("updateGroup", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE conversations SET title = ?, description = ?"
                + " WHERE id = ? AND kind = 'group'")) {
                ps.setString(1, title);
                ps.setString(2, description);
                ps.setLong(3, conversationId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    Optional<FormerMember> formerMember(long conversationId, long userId) {
        return db.call("formerMember", c -> {
            try (PreparedStatement ps = c.prepareStatement(FORMER_MEMBER_QUERY
                + " WHERE conversation_id = ? AND user_id = ?")) {
                ps.setLong(1, conversationId);
                ps.setLong(2, userId);
                return formerMembers(ps).stream().findFirst();
            }
        });
    }

    List<FormerMember> formerMemberships(long userId) {
        return db.call("formerMemberships", c -> {
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

    /**
     * Locks a group against other membership changes until the transaction ends, then reads its roster.
     *
     * @throws ParleyException {@code not_found} if there is no such group
     */
    private static Map<Long, Member> lockedRoster(Connection c, long conversationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT kind FROM conversations WHERE id = ? FOR NO KEY UPDATE")) {
            ps.setLong(1, conversationId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !"group".equals(rs.getString(1))) {
                    throw new ParleyException(ErrorCode.NOT_FOUND,
                        "conversation: " + conversationId + " (no such group)");
                }
            }
        }
        return Rows.roster(c, conversationId);
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
}
