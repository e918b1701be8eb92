package dev.parley.directory.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.directory.Conversation;
import dev.parley.directory.Directory;
import dev.parley.directory.GroupFullException;
import dev.parley.directory.Member;
import dev.parley.directory.User;
import dev.parley.directory.UsernameTakenException;
import dev.parley.push.PushKind;
import dev.parley.push.PushRegistration;
import dev.parley.testkit.PostgresExtension;
import dev.parley.testkit.Race;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two directories on one database, as two nodes of a cluster would have: the contract's races, run across them.
 * Nothing is coordinated in the JVM, so this passes only if the database does the work.
 */
@ExtendWith(PostgresExtension.class)
class PostgresDirectoryNodesTest {
    private static final int THREADS = 8;

    private Directory[] nodes;

    @BeforeEach
    void open(PostgresExtension.Server pg, TestInfo test) {
        String url = pg.createDatabase("nodes_" + test.getTestMethod().orElseThrow().getName().toLowerCase());
        nodes = new Directory[2];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new PostgresDirectory(PostgresDirectoryConfig.of(url, pg.user(), pg.password()));
        }
    }

    @AfterEach
    void close() {
        for (Directory d : nodes) {
            d.close();
        }
    }

    private Directory node(int i) {
        return nodes[i % nodes.length];
    }

    @Test
    void oneUsernameHasOneOwnerAcrossNodes() {
        for (int round = 0; round < 5; round++) {
            String name = "racer" + round;
            int base = round * 100;
            List<Race.Outcome<Long>> outcomes = Race.run(THREADS, i -> {
                node(i).createUser(new User(base + i + 1, name, name, "h", 0));
                return (long) base + i + 1;
            });

            assertThat(outcomes).filteredOn(Race.Outcome::succeeded).hasSize(1);
            assertThat(outcomes).filteredOn(o -> !o.succeeded())
                .allSatisfy(o -> assertThat(o.error()).isInstanceOf(UsernameTakenException.class));
        }
    }

    @Test
    void oneDirectConversationPerPairAcrossNodes() {
        for (int round = 0; round < 5; round++) {
            long a = 1000 + round * 2;
            long b = a + 1;
            int r = round;
            List<Race.Outcome<Conversation>> outcomes = Race.run(THREADS,
                i -> node(i).directConversation(i % 2 == 0 ? a : b, i % 2 == 0 ? b : a, 50_000 + r * 100 + i, 0));

            Set<Long> ids = new HashSet<>();
            for (Race.Outcome<Conversation> o : outcomes) {
                assertThat(o.error()).isNull();
                assertThat(o.value().members()).containsExactlyInAnyOrder(a, b);
                ids.add(o.value().id());
            }
            assertThat(ids).hasSize(1);
            assertThat(node(0).conversationsOf(a)).extracting(Conversation::id).containsExactlyElementsOf(ids);
        }
    }

    @Test
    void aGroupNeverGrowsPastItsLimitAcrossNodes() {
        node(0).createGroup(new Conversation(7, Conversation.Kind.GROUP, "g", null,
            List.of(new Member(1, Member.Role.ADMIN, 0, 0)), 0));

        List<Race.Outcome<List<Member>>> outcomes = Race.run(THREADS,
            i -> node(i).addMembers(7, List.of(new Member(100 + i, Member.Role.MEMBER, 2, 2)), 5));

        assertThat(outcomes).filteredOn(Race.Outcome::succeeded).hasSize(4);
        assertThat(outcomes).filteredOn(o -> !o.succeeded())
            .allSatisfy(o -> assertThat(o.error()).isInstanceOf(GroupFullException.class));
        assertThat(node(1).conversation(7).orElseThrow().size()).isEqualTo(5);
    }

    @Test
    void concurrentDemotionsAcrossNodesKeepOneAdmin() {
        node(0).createGroup(new Conversation(7, Conversation.Kind.GROUP, "g", null, List.of(
            new Member(1, Member.Role.ADMIN, 0, 0), new Member(2, Member.Role.ADMIN, 0, 0)), 0));

        Race.run(2, i -> node(i).setRole(7, i + 1, Member.Role.MEMBER));

        assertThat(node(0).conversation(7).orElseThrow().roster()).filteredOn(Member::isAdmin).hasSize(1);
    }

    @Test
    void oneAddressRegisteredByManyDevicesAtOnceEndsOnOne() {
        User alice = new User(1, "alice", "Alice", "h", 0);
        node(0).createUser(alice);
        for (int i = 0; i < THREADS; i++) {
            node(0).createDevice(new dev.parley.directory.Device(10 + i, alice.id(), "d", i), new byte[] {(byte) i});
        }

        List<Race.Outcome<Object>> outcomes = Race.run(THREADS, i -> {
            node(i).savePushRegistration(new PushRegistration(alice.id(), 10 + i, PushKind.FCM, "same", null, null,
                null, 0));
            return null;
        });

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
        assertThat(node(1).pushRegistrations(List.of(alice.id()))).hasSize(1);
    }
}
