package dev.parley.directory.postgres;

import dev.parley.directory.Conversation;
import dev.parley.directory.Member;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Reading conversations and members out of result sets, and the array parameters of batch statements. */
final class Rows {
    /** A conversation's columns and one member's, one row per member (NULL member columns when it has none). */
    static final String CONVERSATION_COLUMNS =
        "c.id, c.kind, c.title, c.description, c.created_at, m.user_id, m.role, m.joined_seq, m.joined_at";
    static final String CONVERSATION_BY_ID = "SELECT " + CONVERSATION_COLUMNS + " FROM conversations c"
        + " LEFT JOIN members m ON m.conversation_id = c.id WHERE c.id = ?";
    static final String MEMBER_COLUMNS = "user_id, role, joined_seq, joined_at";
    /** Inserts members from four parallel arrays: user ids, roles, joined seqs, joined times. */
    static final String INSERT_MEMBERS = "INSERT INTO members (conversation_id, " + MEMBER_COLUMNS + ")"
        + " SELECT ?, u, r, s, a FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::bigint[]) AS t(u, r, s, a)";

    private Rows() {
    }

    static Optional<Conversation> conversation(Connection c, long conversationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CONVERSATION_BY_ID)) {
            ps.setLong(1, conversationId);
            return conversations(ps).stream().findFirst();
        }
    }

    /** Folds rows of {@link #CONVERSATION_COLUMNS} (one per member, grouped by conversation) into conversations. */
    static List<Conversation> conversations(PreparedStatement ps) throws SQLException {
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
                if (!rs.wasNull()) { // LEFT JOIN: a conversation without members has one row of NULLs
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

    /** The current members of a conversation, by user id. */
    static Map<Long, Member> roster(Connection c, long conversationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + MEMBER_COLUMNS
            + " FROM members WHERE conversation_id = ?")) {
            ps.setLong(1, conversationId);
            Map<Long, Member> roster = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Member m = new Member(rs.getLong(1), Member.Role.fromWire(rs.getString(2)), rs.getLong(3),
                        rs.getLong(4));
                    roster.put(m.userId(), m);
                }
            }
            return roster;
        }
    }

    /** Inserts members of a conversation in one statement. */
    static void insertMembers(Connection c, long conversationId, Collection<Member> members) throws SQLException {
        if (members.isEmpty()) {
            return;
        }
        Long[] users = new Long[members.size()];
        String[] roles = new String[members.size()];
        Long[] seqs = new Long[members.size()];
        Long[] times = new Long[members.size()];
        int i = 0;
        for (Member m : members) {
            users[i] = m.userId();
            roles[i] = m.role().wireName();
            seqs[i] = m.joinedSeq();
            times[i] = m.joinedAt();
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_MEMBERS)) {
            ps.setLong(1, conversationId);
            ps.setArray(2, c.createArrayOf("bigint", users));
            ps.setArray(3, c.createArrayOf("text", roles));
            ps.setArray(4, c.createArrayOf("bigint", seqs));
            ps.setArray(5, c.createArrayOf("bigint", times));
            ps.executeUpdate();
        }
    }

    /** A {@code bigint[]} of distinct ids, for {@code = ANY(?)}: one parameter, however many ids. */
    static Array ids(Connection c, Collection<Long> ids) throws SQLException {
        return c.createArrayOf("bigint", new LinkedHashSet<>(ids).toArray(Long[]::new));
    }

    /** A {@code bigint[]}. */
    static Array bigints(Connection c, Long[] values) throws SQLException {
        return c.createArrayOf("bigint", values);
    }
}
