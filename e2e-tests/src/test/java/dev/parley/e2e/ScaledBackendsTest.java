package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In the scaled run, proves the data really lands in the scaled backends (not in the embedded ones). */
class ScaledBackendsTest {
    @TempDir
    Path dir;

    @Test
    void connectionsAreRegisteredInRedis() throws Exception {
        assumeTrue(ScaledBackends.enabled(), "only in the scaled-backends run");
        var settings = ScaledBackends.settingsFor(dir);
        try (TestServer server = new TestServer(dir);
             RedisClient redis = RedisClient.create(settings.get("sessions.uri"))) {
            var alice = server.newUser("alice");
            try (var conn = server.connectSynced(alice); var r = redis.connect()) {
                String key = settings.get("sessions.keyPrefix") + "sessions:" + alice.id();
                assertThat(r.sync().hlen(key)).isEqualTo(1);
                conn.close();
                org.awaitility.Awaitility.await().atMost(T).until(() -> r.sync().hlen(key) == 0);
            }
        }
    }

    @Test
    void accountsAreInPostgres() throws Exception {
        assumeTrue(ScaledBackends.enabled(), "only in the scaled-backends run");
        var settings = ScaledBackends.settingsFor(dir);
        try (TestServer server = new TestServer(dir);
             var db = java.sql.DriverManager.getConnection(settings.get("directory.url"),
                 settings.get("directory.user"), settings.get("directory.password"));
             var q = db.prepareStatement("SELECT count(*) FROM users WHERE username = ?")) {
            var alice = server.newUser("alice");
            q.setString(1, alice.username());
            try (var rs = q.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
        assertThat(java.nio.file.Files.exists(dir.resolve("directory.db"))).isFalse();
    }
}
