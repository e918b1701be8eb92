package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.Credentials;
import dev.parley.client.GroupInfo;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes in this JVM on the shared scaled backends, joined by the in-JVM bus ({@code bus.type: memory}): users
 * on different nodes chat, get receipts and typing, and a device of the same user on another node stays in step,
 * exactly as on one node. Runs in the scaled end-to-end pass, where PostgreSQL, Cassandra and Redis are up. The
 * child-process cluster over Kafka is {@code ClusterTest}.
 */
@EnabledIf("dev.parley.e2e.ScaledBackends#enabled")
class ClusterRelayTest {
    @TempDir
    Path dir;

    private final List<TestServer> nodes = new ArrayList<>();

    @BeforeEach
    void startNodes() throws InterruptedException {
        String bus = "cluster-" + UUID.randomUUID();
        for (int i = 1; i <= 3; i++) {
            nodes.add(new TestServer(dir.resolve("node" + i), Map.of("server.nodeId", Integer.toString(i),
                "bus.type", "memory", "bus.name", bus)));
        }
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(TestServer::close);
    }

    private TestServer node(int i) {
        return nodes.get(i - 1);
    }

    @Test
    void usersOnDifferentNodesChatWithReceiptsTypingAndOtherDevices() throws Exception {
        var alice = node(1).newUser("alice");
        var bob = node(1).newUser("bob");
        Credentials aliceLaptopC = node(1).anotherDevice(alice);
        ParleyConnection alicePhone = node(1).connectSynced(alice);
        ParleyConnection bobPhone = node(2).connectSynced(bob);
        ParleyConnection aliceLaptop = node(3).connectSynced(aliceLaptopC);

        ServerFrame.Sent sent = alicePhone.sendToUser(bob.id(), "hello across nodes").join();
        ServerFrame.Message got = bobPhone.awaitFrame(ServerFrame.Message.class, T);
        assertThat(got.body()).isEqualTo("hello across nodes");
        assertThat(got.seq()).isEqualTo(sent.seq());
        // Alice's laptop on the third node shows what her phone sent.
        assertThat(aliceLaptop.awaitFrame(ServerFrame.Message.class, T).seq()).isEqualTo(sent.seq());

        bobPhone.read(sent.conversationId(), sent.seq());
        for (ParleyConnection c : List.of(alicePhone, aliceLaptop)) {
            ServerFrame.Receipt r = c.awaitFrame(ServerFrame.Receipt.class, x -> x.status().equals("read"), T);
            assertThat(r.userId()).isEqualTo(bob.id());
            assertThat(r.seq()).isEqualTo(sent.seq());
        }

        bobPhone.typing(sent.conversationId());
        assertThat(alicePhone.awaitFrame(ServerFrame.Typing.class, T).userId()).isEqualTo(bob.id());
        assertThat(aliceLaptop.awaitFrame(ServerFrame.Typing.class, T).userId()).isEqualTo(bob.id());

        // Bob answers from node 2: both of Alice's devices get it, on nodes 1 and 3.
        ServerFrame.Sent answer = bobPhone.sendToUser(alice.id(), "hi!").join();
        assertThat(alicePhone.awaitFrame(ServerFrame.Message.class, T).seq()).isEqualTo(answer.seq());
        assertThat(aliceLaptop.awaitFrame(ServerFrame.Message.class, T).seq()).isEqualTo(answer.seq());
    }

    @Test
    void concurrentSendersOnEveryNodeGiveEveryDeviceOneIdenticalOrder() throws Exception {
        var owner = node(1).newUser("owner");
        List<TestServer.User> users = new ArrayList<>(List.of(owner));
        for (int i = 0; i < 5; i++) {
            users.add(node(1).newUser("member"));
        }
        GroupInfo group = node(1).client().createGroup(owner.token(), "three nodes",
            users.subList(1, users.size()).stream().map(TestServer.User::id).toList());
        List<ParleyConnection> conns = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            conns.add(node(1 + i % 3).connectSynced(users.get(i)));
        }
        int perSender = 40;
        List<CompletableFuture<ServerFrame.Sent>> sends = new ArrayList<>();
        for (int k = 0; k < perSender; k++) {
            for (int i = 0; i < 3; i++) { // one sender per node: seqs are handed out on three nodes at once
                sends.add(conns.get(i).sendToConversation(group.conversationId(), "m" + i + "-" + k));
            }
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, java.util.concurrent.TimeUnit.SECONDS);

        int total = 3 * perSender;
        List<List<Long>> orders = new ArrayList<>();
        for (int i = 3; i < conns.size(); i++) { // the members who did not send see all of them
            List<Long> seqs = conns.get(i).awaitMessages(group.conversationId(), total + 1, Duration.ofSeconds(30))
                .stream().map(ServerFrame.Message::seq).toList();
            orders.add(seqs);
        }
        for (List<Long> seqs : orders) {
            assertThat(seqs).isSorted().doesNotHaveDuplicates();
            assertThat(seqs.get(seqs.size() - 1) - seqs.get(0)).isEqualTo(total);
        }
        assertThat(orders).allSatisfy(o -> assertThat(o).isEqualTo(orders.get(0)));
    }

    @Test
    void aMemberRemovedOnOneNodeGetsNothingMoreOnAnother() throws Exception {
        var admin = node(1).newUser("admin");
        var carol = node(1).newUser("carol");
        var dave = node(1).newUser("dave");
        GroupInfo group = node(1).client().createGroup(admin.token(), "removal", List.of(carol.id(), dave.id()));
        ParleyConnection adminConn = node(1).connectSynced(admin);
        ParleyConnection carolConn = node(2).connectSynced(carol);
        ParleyConnection daveConn = node(3).connectSynced(dave);

        node(1).client().removeMember(admin.token(), group.conversationId(), carol.id());
        ServerFrame.Message notice = carolConn.awaitFrame(ServerFrame.Message.class,
            m -> m.system() != null && "removed".equals(m.system().event()), T);
        daveConn.awaitFrame(ServerFrame.Message.class, m -> m.seq() == notice.seq(), T);

        // Dave sends from node 3, whose cache learned the change from the bus: Carol, on node 2, sees nothing.
        ServerFrame.Sent after = daveConn.sendToConversation(group.conversationId(), "carol is gone").join();
        assertThat(adminConn.awaitFrame(ServerFrame.Message.class, m -> m.seq() == after.seq(), T).body())
            .isEqualTo("carol is gone");
        Thread.sleep(500);
        assertThat(carolConn.inbox()).noneMatch(f -> f instanceof ServerFrame.Message m && m.seq() == after.seq());
    }

    @Test
    void aDeviceRevokedOnOneNodeIsDisconnectedOnAnother() throws Exception {
        var erin = node(1).newUser("erin");
        Credentials tablet = node(1).anotherDevice(erin);
        ParleyConnection tabletConn = node(2).connectSynced(tablet);

        node(1).client().revokeDevice(erin.token(), tablet.deviceId());

        assertThat(tabletConn.closeFuture().get(15, java.util.concurrent.TimeUnit.SECONDS).code()).isEqualTo(4401);
    }

    @Test
    void presenceAndPrivacyOfAUserOnAnotherNode() throws Exception {
        var frank = node(1).newUser("frank");
        var gina = node(1).newUser("gina");
        ParleyConnection frankConn = node(1).connectSynced(frank);
        frankConn.sendToUser(gina.id(), "so we share a conversation").join();
        frankConn.subscribePresence(gina.id()).join();
        assertThat(frankConn.awaitFrame(ServerFrame.Presence.class, T).online()).isFalse();

        ParleyConnection ginaConn = node(2).connectSynced(gina);

        assertThat(frankConn.awaitFrame(ServerFrame.Presence.class, p -> p.online(), T).userId())
            .isEqualTo(gina.id());

        // Gina hides her presence through node 2; Frank's subscription is on node 1.
        node(2).client().setPrivacy(gina.token(), dev.parley.client.LastSeenPrivacy.NOBODY);
        ServerFrame.Presence hidden = frankConn.awaitFrame(ServerFrame.Presence.class, p -> !p.online(), T);
        assertThat(hidden.lastSeen()).isNull();
        ginaConn.close();
    }
}
