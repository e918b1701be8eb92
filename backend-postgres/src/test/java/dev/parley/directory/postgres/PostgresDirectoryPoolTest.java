package dev.parley.directory.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.parley.core.StorageException;
import dev.parley.directory.Conversation;
import dev.parley.directory.Member;
import dev.parley.directory.User;
import dev.parley.protocol.ErrorCode;
import dev.parley.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** When every pooled connection is busy, a call waits {@code pool.waitMillis}, then fails with {@code unavailable}. */
@ExtendWith(PostgresExtension.class)
class PostgresDirectoryPoolTest {
    private static final int POOL_SIZE = 2;
    private static final int WAIT_MILLIS = 1_000;

    @Test
    void callFailsWithUnavailableAfterWaitingTheBoundWhenEveryConnectionIsBusy(PostgresExtension.Server pg)
        throws Exception {
        String url = pg.createDatabase("pool_exhausted");
        ExecutorService threads = Executors.newFixedThreadPool(POOL_SIZE);
        try (PostgresDirectory directory = new PostgresDirectory(
                 new PostgresDirectoryConfig(url, pg.user(), pg.password(), POOL_SIZE, WAIT_MILLIS));
             Connection outside = DriverManager.getConnection(url, pg.user(), pg.password())) {
            User alice = new User(1, "alice", "Alice", "h", 0);
            directory.createUser(alice);
            directory.createGroup(new Conversation(10, Conversation.Kind.GROUP, "g", null,
                List.of(new Member(alice.id(), Member.Role.ADMIN, 0, 0)), 0));

            // Another session holds the group's row, so membership changes wait for it, each on a pool connection.
            outside.setAutoCommit(false);
            try (Statement s = outside.createStatement()) {
                s.execute("SELECT id FROM conversations WHERE id = 10 FOR UPDATE");
            }
            List<Future<List<Member>>> stuck = new ArrayList<>();
            for (int i = 0; i < POOL_SIZE; i++) {
                Member m = new Member(100 + i, Member.Role.MEMBER, 5, 5);
                stuck.add(threads.submit(() -> directory.addMembers(10, List.of(m), 50)));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingOnLocks(outside) == POOL_SIZE);
            assertThat(directory.database().pool().getHikariPoolMXBean().getActiveConnections()).isEqualTo(POOL_SIZE);

            long t0 = System.nanoTime();
            StorageException e = catchThrowableOfType(StorageException.class, () -> directory.findUser(alice.id()));
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("pool of %d exhausted: the call failed after %d ms (pool.waitMillis=%d)%n", POOL_SIZE,
                waitedMs, WAIT_MILLIS);

            assertThat(e).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e).hasMessage("directory: no database connection free within " + WAIT_MILLIS
                + " ms (pool.size=" + POOL_SIZE + ")");
            assertThat(waitedMs).as("waited ms").isBetween(WAIT_MILLIS - 50L, WAIT_MILLIS + 1_000L);

            // Once the lock is gone the stuck calls finish and the directory serves again: nothing was lost.
            outside.rollback();
            for (Future<List<Member>> f : stuck) {
                assertThat(f.get(10, TimeUnit.SECONDS)).hasSize(1);
            }
            assertThat(directory.findUser(alice.id())).contains(alice);
            assertThat(directory.conversation(10).orElseThrow().members()).containsExactlyInAnyOrder(1L, 100L, 101L);
        } finally {
            threads.shutdownNow();
        }
    }

    private static int waitingOnLocks(Connection c) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
            + " WHERE datname = current_database() AND wait_event_type = 'Lock'");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
