package dev.parley.directory.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.parley.core.BackendConfig;
import dev.parley.core.Providers;
import dev.parley.core.Resources;
import dev.parley.core.StorageException;
import dev.parley.directory.Directory;
import dev.parley.directory.DirectoryProvider;
import dev.parley.directory.User;
import dev.parley.protocol.ErrorCode;
import dev.parley.testkit.PostgresExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What is particular to PostgreSQL: configuration, the provider, the Flyway schema, failures to connect. */
@ExtendWith(PostgresExtension.class)
class PostgresDirectorySetupTest {

    @Test
    void providerOfTypePostgresReadsTheDirectorySection(PostgresExtension.Server pg) {
        String url = pg.createDatabase("setup_provider");
        BackendConfig config = section(Map.of("url", url, "user", pg.user(), "password", pg.password(),
            "pool.size", "3", "pool.waitMillis", "700"));

        DirectoryProvider provider = Providers.find(DirectoryProvider.class, config, DirectoryProvider::type);
        try (Directory directory = provider.create(config, Resources.of(1, Clock.systemUTC()))) {
            assertThat(provider).isInstanceOf(PostgresDirectoryProvider.class);
            assertThat(directory).isInstanceOf(PostgresDirectory.class);
            directory.createUser(new User(1, "alice", "Alice", "h", 0));
            assertThat(directory.findUserByUsername("alice")).isPresent();
            var pool = ((PostgresDirectory) directory).database().pool();
            assertThat(pool.getMaximumPoolSize()).isEqualTo(3);
            assertThat(pool.getConnectionTimeout()).isEqualTo(700);
        }
    }

    @Test
    void configDefaultsAndBadValues() {
        PostgresDirectoryConfig defaults = PostgresDirectoryConfig.from(section(Map.of()));
        assertThat(defaults).isEqualTo(new PostgresDirectoryConfig(PostgresDirectoryConfig.DEFAULT_URL,
            PostgresDirectoryConfig.DEFAULT_USER, null, PostgresDirectoryConfig.DEFAULT_POOL_SIZE,
            PostgresDirectoryConfig.DEFAULT_POOL_WAIT_MILLIS));

        assertThatThrownBy(() -> PostgresDirectoryConfig.from(section(Map.of("url", "jdbc:mysql://db/parley"))))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("directory.url: \"jdbc:mysql://db/parley\" (expected: jdbc:postgresql://host:port/database)");
        assertThatThrownBy(() -> PostgresDirectoryConfig.from(section(Map.of("pool.size", "0"))))
            .hasMessage("directory.pool.size: \"0\" (expected: an integer in 1..1000)");
        assertThatThrownBy(() -> PostgresDirectoryConfig.from(section(Map.of("pool.waitMillis", "100"))))
            .hasMessage("directory.pool.waitMillis: \"100\" (expected: an integer in 250..600000)");
        assertThatThrownBy(() -> PostgresDirectoryConfig.from(section(Map.of("user", " "))))
            .hasMessage("directory.user: missing (expected: a PostgreSQL role)");
        assertThat(PostgresDirectoryConfig.of("jdbc:postgresql://h/d", "u", "secret").toString())
            .doesNotContain("secret");
    }

    @Test
    void schemaIsMadeByFlywayOnceAndDataSurvivesARestart(PostgresExtension.Server pg) throws Exception {
        String url = pg.createDatabase("setup_schema");
        PostgresDirectoryConfig config = PostgresDirectoryConfig.of(url, pg.user(), pg.password());
        try (PostgresDirectory directory = new PostgresDirectory(config)) {
            directory.createUser(new User(1, "alice", "Alice", "h", 0));
        }
        try (PostgresDirectory again = new PostgresDirectory(config)) {
            assertThat(again.findUser(1)).isPresent();
        }

        try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, description, success FROM flyway_schema_history"
                 + " WHERE version IS NOT NULL ORDER BY installed_rank")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("1");
            assertThat(rs.getString(2)).isEqualTo("directory");
            assertThat(rs.getBoolean(3)).isTrue();
            assertThat(rs.next()).as("one migration, applied once").isFalse();
        }
    }

    @Test
    void aDatabaseThatCannotBeReachedFailsAsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/parley?connectTimeout=2";

        StorageException e = catchThrowableOfType(StorageException.class,
            () -> new PostgresDirectory(PostgresDirectoryConfig.of(url, "parley", "x")));

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).startsWith("directory: migrating the schema of " + url + " failed:")
            .contains("Connection", "refused");
    }

    @Test
    void aWrongPasswordFailsNamingTheCause(PostgresExtension.Server pg) {
        String url = pg.createDatabase("setup_password");

        assertThatThrownBy(() -> new PostgresDirectory(PostgresDirectoryConfig.of(url, pg.user(), "wrong")))
            .isInstanceOf(StorageException.class)
            .hasMessageContaining("password authentication failed for user \"parley\"");
    }

    @Test
    void useAfterCloseFailsAsStorageException(PostgresExtension.Server pg) {
        String url = pg.createDatabase("setup_closed");
        PostgresDirectory directory = new PostgresDirectory(PostgresDirectoryConfig.of(url, pg.user(), pg.password()));
        directory.close();

        assertThatThrownBy(() -> directory.findUser(1)).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> directory.createUser(new User(1, "alice", "Alice", "h", 0)))
            .isInstanceOf(StorageException.class);
    }

    @Test
    void directConversationOfAUserWithHimselfIsRefused(PostgresExtension.Server pg) {
        String url = pg.createDatabase("setup_self");
        try (PostgresDirectory directory = new PostgresDirectory(
            PostgresDirectoryConfig.of(url, pg.user(), pg.password()))) {
            assertThatThrownBy(() -> directory.directConversation(5, 5, 10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("userB: 5 (expected: a user other than userA)");
        }
    }

    private static BackendConfig section(Map<String, String> options) {
        return new BackendConfig("directory", "postgres", new HashMap<>(options), Path.of("unused"));
    }
}
