package dev.parley.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresExtensionTest {

    @Test
    void createdDatabaseIsEmptyAndOwnedByTheTestRole(PostgresExtension.Server pg) throws Exception {
        String url = pg.createDatabase("ext_fresh");

        assertThat(url).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/ext_fresh");
        try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
             Statement s = c.createStatement()) {
            assertThat(string(s, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).isEqualTo("0");
            assertThat(string(s, "SELECT current_user")).isEqualTo(PostgresExtension.USER);
            assertThat(string(s, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
            s.execute("CREATE TABLE t (x int)"); // the role owns the database
        }
    }

    @Test
    void theSameNameTwiceOrABadNameIsRefused(PostgresExtension.Server pg) {
        pg.createDatabase("ext_twice");

        assertThatThrownBy(() -> pg.createDatabase("ext_twice")).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("exists already");
        assertThatThrownBy(() -> pg.createDatabase("Bad-Name; DROP")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("Bad-Name");
    }

    @Test
    void aWrongPasswordIsRefused(PostgresExtension.Server pg) {
        String url = pg.createDatabase("ext_password");

        assertThatThrownBy(() -> DriverManager.getConnection(url, pg.user(), "wrong").close())
            .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
    }

    @Nested
    class AnotherClass {
        @Test
        void seesTheSameServer(PostgresExtension.Server pg) {
            assertThat(PostgresExtension.server()).isSameAs(pg);
            assertThat(pg.startupTime()).isPositive();
        }
    }

    private static String string(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
