package dev.parley.directory.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each lookup the directory makes is served by the index the README names for it. Sequential scans are priced out
 * ({@code enable_seqscan = off}), so a query that no index can serve still shows a Seq Scan, and fails here.
 */
@ExtendWith(PostgresExtension.class)
class PostgresDirectoryIndexTest {
    /** The WHERE clauses of the directory's queries, and the index that must serve each (or one of them). */
    private static final Map<String, String> QUERIES = new LinkedHashMap<>();

    static {
        QUERIES.put("SELECT * FROM users WHERE id = 1", "users_pkey");
        QUERIES.put("SELECT * FROM users WHERE username = 'alice'", "users_username_key");
        QUERIES.put("SELECT * FROM users WHERE id = ANY('{1,2,3}'::bigint[])", "users_pkey");
        QUERIES.put("SELECT * FROM devices WHERE token_hash = '\\x00'::bytea", "devices_token_hash_key");
        QUERIES.put("SELECT * FROM devices WHERE user_id = 1 ORDER BY created_at, id", "devices_by_user");
        QUERIES.put("DELETE FROM devices WHERE id = 1 AND user_id = 1", "devices_pkey");
        QUERIES.put("DELETE FROM cursors WHERE device_id = 1", "cursors_pkey"); // the cascade of a device delete
        QUERIES.put("DELETE FROM push_registrations WHERE device_id = 1", "push_registrations_pkey");
        QUERIES.put("SELECT * FROM direct_pairs WHERE user_lo = 1 AND user_hi = 2", "direct_pairs_pkey");
        QUERIES.put(Rows.CONVERSATION_BY_ID.replace("?", "1"), "members_pkey");
        QUERIES.put("SELECT * FROM conversations WHERE id = 1 FOR NO KEY UPDATE", "conversations_pkey");
        QUERIES.put("SELECT * FROM members WHERE conversation_id = 1", "members_pkey");
        QUERIES.put("SELECT * FROM members WHERE user_id = 1", "members_by_user");
        QUERIES.put("SELECT * FROM former_members WHERE conversation_id = 1 AND user_id = 2",
            "former_members_pkey|former_members_by_user"); // both hold both columns
        QUERIES.put("SELECT * FROM former_members WHERE user_id = 1", "former_members_by_user");
        QUERIES.put("SELECT * FROM cursors WHERE device_id = 1", "cursors_pkey");
        QUERIES.put("SELECT * FROM receipts WHERE conversation_id = 1", "receipts_pkey");
        QUERIES.put("SELECT * FROM receipts WHERE user_id = 1", "receipts_by_user");
        QUERIES.put("SELECT * FROM presence WHERE user_id = ANY('{1,2}'::bigint[])", "presence_pkey");
        QUERIES.put("SELECT * FROM push_registrations WHERE user_id = ANY('{1,2}'::bigint[])",
            "push_registrations_by_user");
        QUERIES.put("DELETE FROM push_registrations WHERE kind = 'fcm' AND address = 'a' AND device_id <> 1",
            "push_registrations_address_key");
        QUERIES.put("SELECT * FROM user_settings WHERE user_id = ANY('{1,2}'::bigint[]) AND push_previews",
            "user_settings_pkey");
        QUERIES.put("SELECT * FROM mutes WHERE conversation_id = 1 AND user_id = ANY('{1,2}'::bigint[])",
            "mutes_pkey|mutes_by_user");
        QUERIES.put("SELECT * FROM mutes WHERE user_id = 1", "mutes_by_user");
    }

    @Test
    void everyLookupUsesItsIndex(PostgresExtension.Server pg) throws Exception {
        String url = pg.createDatabase("indexes");
        new PostgresDirectory(PostgresDirectoryConfig.of(url, pg.user(), pg.password())).close(); // the schema
        List<String> wrong = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
             Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            for (Map.Entry<String, String> q : QUERIES.entrySet()) {
                String plan = plan(s, q.getKey());
                boolean indexed = Arrays.stream(q.getValue().split("\\|"))
                    .anyMatch(index -> plan.contains(" " + index + " "));
                if (!indexed || plan.contains("Seq Scan")) {
                    wrong.add(q.getKey() + "\n  expected index " + q.getValue() + ", plan:\n" + plan);
                }
            }
        }
        assertThat(wrong).as("queries not served by their index").isEmpty();
    }

    private static String plan(Statement s, String sql) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append(" \n");
            }
        }
        return plan.toString();
    }
}
