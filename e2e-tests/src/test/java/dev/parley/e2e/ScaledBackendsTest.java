package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.testkit.CassandraExtension;
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

    @Test
    void messagesAreInCassandra() throws Exception {
        assumeTrue(ScaledBackends.enabled(), "only in the scaled-backends run");
        var settings = ScaledBackends.settingsFor(dir);
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            try (var a = server.connectSynced(alice)) {
                var sent = a.sendToUser(bob.id(), "stored in Cassandra").get();
                var point = CassandraExtension.server().contactPoint();
                try (var cql = com.datastax.oss.driver.api.core.CqlSession.builder().addContactPoint(point)
                    .withLocalDatacenter(CassandraExtension.server().datacenter()).build()) {
                    var row = cql.execute("SELECT body FROM " + settings.get("messages.keyspace")
                        + ".messages WHERE conversation_id = ? AND bucket = 0 AND seq = ?",
                        Long.parseLong(sent.conversationId()), sent.seq()).one();
                    assertThat(row).isNotNull();
                    assertThat(row.getString("body")).isEqualTo("stored in Cassandra");
                }
            }
        }
        assertThat(java.nio.file.Files.exists(dir.resolve("messages.db"))).isFalse();
    }

    @Test
    void aBusyDatabaseAnswers503AfterTheBoundAndLosesNothing() throws Exception {
        assumeTrue(ScaledBackends.enabled(), "only in the scaled-backends run");
        var settings = ScaledBackends.settingsFor(dir);
        try (TestServer server = new TestServer(dir, java.util.Map.of("directory.pool.size", "1",
                "directory.pool.waitMillis", "500"));
             var db = java.sql.DriverManager.getConnection(settings.get("directory.url"),
                 settings.get("directory.user"), settings.get("directory.password"))) {
            var alice = server.newUser("alice");
            var http = java.net.http.HttpClient.newHttpClient();
            var lookup = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port()
                    + "/v1/users?username=" + alice.username()))
                .header("Authorization", "Bearer " + alice.token()).build();
            // a long transaction elsewhere holds the users table: the server's only connection waits on it
            db.setAutoCommit(false);
            try (var lock = db.createStatement()) {
                lock.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
            }
            var first = http.sendAsync(lookup, java.net.http.HttpResponse.BodyHandlers.ofString());
            Thread.sleep(300); // the first request now holds the pool's one connection
            long t0 = System.nanoTime();
            var second = http.send(lookup, java.net.http.HttpResponse.BodyHandlers.ofString());
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;

            assertThat(second.statusCode()).isEqualTo(503);
            assertThat(second.body()).contains("\"unavailable\"").contains("no database connection free within 500 ms");
            assertThat(waitedMs).isBetween(400L, 5_000L);
            assertThat(first).isNotDone();
            db.rollback(); // the lock goes: the waiting request completes
            assertThat(first.get(15, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(http.send(lookup, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
        }
    }
}
