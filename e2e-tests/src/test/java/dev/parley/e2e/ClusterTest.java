package dev.parley.e2e;

import static dev.parley.e2e.TestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.client.ConnectOptions;
import dev.parley.client.Credentials;
import dev.parley.client.GroupInfo;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import dev.parley.client.ParleySession;
import dev.parley.client.SessionOptions;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ServerFrame;
import dev.parley.testkit.KafkaExtension;
import dev.parley.testkit.RedisExtension;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three Parley nodes as child processes on loopback, sharing PostgreSQL, Cassandra, Redis (sessions, presence,
 * node registry) and a real Kafka broker (the bus): users on different nodes chat as on one node, and a node killed
 * with SIGKILL in the middle of traffic loses nothing that was acknowledged, while its clients find a live node
 * through discovery by themselves. Runs in the scaled end-to-end pass.
 */
@EnabledIf("dev.parley.e2e.ScaledBackends#enabled")
@ExtendWith(KafkaExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
    private static final Logger log = LoggerFactory.getLogger(ClusterTest.class);
    private static final Duration T = Duration.ofSeconds(30);
    private static final List<ChildServer> NODES = new ArrayList<>();
    private static Path dir;
    private static String topic;

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createTempDirectory("parley-cluster");
        topic = KafkaExtension.broker().newTopic();
        for (int n = 1; n <= 3; n++) {
            NODES.add(newNode(n));
        }
        for (ChildServer node : NODES) { // one after the other: side by side is slower on two cores
            node.start();
        }
    }

    private static ChildServer newNode(int n) throws java.io.IOException {
        {
            Map<String, String> settings = new HashMap<>();
            settings.put("server.nodeId", Integer.toString(n));
            settings.put("bus.type", "kafka");
            settings.put("bus.bootstrap.servers", KafkaExtension.broker().bootstrapServers());
            settings.put("bus.topic", topic);
            settings.put("bus.partitions", "4");
            settings.put("sessions.ttlSeconds", "3");
            settings.put("sessions.refreshSeconds", "1");
            settings.put("nodes.type", "redis");
            settings.put("nodes.uri", RedisExtension.server().uri().toString());
            settings.put("nodes.keyPrefix", topic + ":");
            // A node silent for half the TTL is passed over: with every node and server on one loaded two-core
            // machine, heartbeats can be late by a second or more, so leave them slack.
            settings.put("nodes.ttlSeconds", "6");
            settings.put("nodes.heartbeatMillis", "500");
            settings.put("sync.cursorFlushMillis", "50");
            return new ChildServer(dir.resolve("node" + n), settings);
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (ChildServer node : NODES) {
            node.close();
        }
    }

    private static ChildServer node(int n) {
        return NODES.get(n - 1);
    }

    private static URI[] seeds() {
        return NODES.stream().map(ChildServer::uri).toArray(URI[]::new);
    }

    private record Account(String username, String id, Credentials device) {
    }

    private static Account newUser(ParleyClient client, String prefix) {
        String name = TestServer.uniqueName(prefix);
        String id = client.register(name, PASSWORD, prefix).userId();
        return new Account(name, id, client.login(name, PASSWORD, "phone"));
    }

    @Test
    @Order(1)
    void usersOnThreeNodesChatWithReceiptsTypingAndTheirOtherDevices() throws Exception {
        try (ParleyClient c1 = ParleyClient.create(node(1).uri());
             ParleyClient c2 = ParleyClient.create(node(2).uri());
             ParleyClient c3 = ParleyClient.create(node(3).uri())) {
            Account alice = newUser(c1, "alice");
            Account bob = newUser(c1, "bob");
            Account carol = newUser(c1, "carol");
            Credentials aliceLaptopC = c1.login(alice.username(), PASSWORD, "laptop");
            ParleyConnection alicePhone = c1.connect(alice.device().token()).join();
            ParleyConnection bobPhone = c2.connect(bob.device().token()).join();
            ParleyConnection carolPhone = c3.connect(carol.device().token()).join();
            ParleyConnection aliceLaptop = c3.connect(aliceLaptopC.token()).join();
            for (ParleyConnection c : List.of(alicePhone, bobPhone, carolPhone, aliceLaptop)) {
                c.awaitSynced(T);
            }

            ServerFrame.Sent sent = alicePhone.sendToUser(bob.id(), "node 1 to node 2").join();
            assertThat(bobPhone.awaitFrame(ServerFrame.Message.class, T).body()).isEqualTo("node 1 to node 2");
            // Alice's laptop, on node 3, shows what her phone sent on node 1.
            assertThat(aliceLaptop.awaitFrame(ServerFrame.Message.class, T).seq()).isEqualTo(sent.seq());
            bobPhone.read(sent.conversationId(), sent.seq());
            assertThat(alicePhone.awaitFrame(ServerFrame.Receipt.class, r -> r.status().equals("read"), T).userId())
                .isEqualTo(bob.id());
            bobPhone.typing(sent.conversationId());
            assertThat(alicePhone.awaitFrame(ServerFrame.Typing.class, T).userId()).isEqualTo(bob.id());

            GroupInfo group = c3.createGroup(carol.device().token(), "three nodes", List.of(alice.id(), bob.id()));
            ServerFrame.Sent hello = carolPhone.sendToConversation(group.conversationId(), "from node 3").join();
            for (ParleyConnection c : List.of(alicePhone, bobPhone, aliceLaptop)) {
                assertThat(c.awaitFrame(ServerFrame.Message.class, m -> m.seq() == hello.seq(), T).body())
                    .isEqualTo("from node 3");
            }
        }
    }

    /**
     * Six members of one group, their reconnecting SDK sessions spread by discovery over the three nodes; one sender
     * per node sends continuously; the node holding the most sessions is killed with SIGKILL. Every message whose
     * {@code sent} arrived is in the history once, every device ends with every message of the others, in seq order,
     * and the killed node's clients are back on a live node within seconds.
     */
    @Test
    @Order(2)
    void killingANodeMidTrafficLosesNothingAcknowledged() throws Exception {
        int members = 6;
        List<Account> accounts = new ArrayList<>();
        List<ParleySession> sessions = new ArrayList<>();
        List<List<Long>> received = new ArrayList<>();
        try (ParleyClient client = ParleyClient.create(node(1).uri())) {
            for (int i = 0; i < members; i++) {
                accounts.add(newUser(client, "member"));
            }
            GroupInfo group = client.createGroup(accounts.get(0).device().token(), "kill -9",
                accounts.subList(1, members).stream().map(Account::id).toList());
            String conv = group.conversationId();
            for (int i = 0; i < members; i++) {
                List<Long> got = new CopyOnWriteArrayList<>();
                Set<Long> seen = ConcurrentHashMap.newKeySet();
                received.add(got);
                ConnectOptions options = ConnectOptions.defaults().withAutoAck(true).withListener(f -> {
                    if (f instanceof ServerFrame.Message m && m.conversationId().equals(conv) && seen.add(m.seq())) {
                        got.add(m.seq()); // arrival order, each (conversation, seq) once
                    }
                });
                ParleySession s = client.session(accounts.get(i).device().token(), options,
                    SessionOptions.defaults().withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                        .withDiscovery(seeds()));
                sessions.add(s);
            }
            Map<Integer, List<Integer>> byNode = new HashMap<>();
            for (int i = 0; i < members; i++) {
                int port = sessions.get(i).awaitConnected(T).uri().getPort();
                byNode.computeIfAbsent(port, p -> new ArrayList<>()).add(i);
            }
            log.info("sessions by node port: {}", byNode);
            int victimPort = byNode.entrySet().stream().max(Comparator.comparingInt(e -> e.getValue().size()))
                .orElseThrow().getKey();
            ChildServer victim = NODES.stream().filter(n -> n.port == victimPort).findFirst().orElseThrow();
            List<Integer> victims = byNode.get(victimPort);

            // One sender per node where possible: the first session found on each node.
            List<Integer> senders = byNode.values().stream().map(l -> l.get(0)).toList();
            Map<String, Long> acked = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int sender : senders) {
                ParleySession session = sessions.get(sender);
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int k = 0; !stop.get(); k++) {
                        String id = "s" + sender + "-" + k;
                        acked.put(id, sendUntilAcked(session, conv, id));
                        sleep(40);
                    }
                }));
            }

            Thread.sleep(1500);
            long killedAt = System.nanoTime();
            victim.kill9();
            for (int v : victims) {
                ParleySession s = sessions.get(v);
                await().atMost(T).until(() -> s.current().map(c -> c.isOpen() && c.uri().getPort() != victimPort)
                    .orElse(false));
            }
            long reconnectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            log.info("the {} sessions of the killed node were connected to live nodes {} ms after the kill",
                victims.size(), reconnectMs);
            Thread.sleep(1500);
            stop.set(true);
            for (Thread t : threads) {
                t.join(T.toMillis());
            }

            // The history (from a live node) has every acknowledged message exactly once.
            ChildServer live = NODES.stream().filter(n -> n != victim).findFirst().orElseThrow();
            List<ServerFrame.Message> history = new ArrayList<>();
            try (ParleyClient reader = ParleyClient.create(live.uri())) {
                Long after = 0L;
                while (true) {
                    var page = reader.history(accounts.get(0).device().token(), conv, null, after, 200);
                    history.addAll(page.messages());
                    if (!page.hasMore()) {
                        break;
                    }
                    after = page.messages().get(page.messages().size() - 1).seq();
                }
            }
            Map<String, Long> stored = new HashMap<>();
            for (ServerFrame.Message m : history) {
                if (m.system() == null) {
                    assertThat(stored.put(m.body(), m.seq())).as("stored once: " + m.body()).isNull();
                }
            }
            assertThat(acked).isNotEmpty();
            acked.forEach((id, seq) -> assertThat(stored.get(id)).as("acknowledged " + id).isEqualTo(seq));
            assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(acked.keySet());

            // Every device: the others' messages, each once, in seq order.
            for (int i = 0; i < members; i++) {
                String me = accounts.get(i).id();
                List<Long> expected = history.stream().filter(m -> !me.equals(m.from()) || m.system() != null)
                    .map(ServerFrame.Message::seq).toList();
                List<Long> got = received.get(i);
                int index = i;
                await().atMost(T).untilAsserted(() -> assertThat(got).as("member " + index)
                    .containsAll(expected.stream().filter(s -> s > 1).toList()));
                assertThat(got).as("member " + i + " order").isSorted().doesNotHaveDuplicates();
            }
            log.info("{} messages acknowledged and stored, {} devices complete; reconnection {} ms",
                acked.size(), members, reconnectMs);
            assertThat(reconnectMs).isLessThan(15_000);
        } finally {
            sessions.forEach(ParleySession::close);
        }
    }

    /** With connections open on the live nodes, a node that joins gets the next connections from discovery. */
    @Test
    @Order(3)
    void aFourthNodeGetsTheNewConnections() throws Exception {
        List<ChildServer> live = NODES.stream().filter(ChildServer::isAlive).toList();
        List<ParleyConnection> open = new ArrayList<>();
        List<ParleySession> newcomers = new ArrayList<>();
        List<ParleyClient> clients = new ArrayList<>();
        try (ParleyClient client = ParleyClient.create(live.get(0).uri())) {
            for (ChildServer n : live) {
                ParleyClient c = ParleyClient.create(n.uri()); // closed at the end: closing it closes its sockets
                clients.add(c);
                for (int i = 0; i < 2; i++) {
                    Account a = newUser(client, "busy");
                    ParleyConnection conn = c.connect(a.device().token()).join();
                    conn.awaitSynced(T);
                    open.add(conn);
                }
            }
            ChildServer fourth = newNode(4);
            NODES.add(fourth);
            fourth.start();

            await().atMost(T).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(client.discover().nodes()).anyMatch(n -> n.url().getPort() == fourth.port));
            // Each answer counts as a client sent to the chosen node until that node's next heartbeat (1 s here):
            // let the polling above be forgotten.
            Thread.sleep(2_000);
            // Three newcomers: the empty node gets them (at least two: heartbeats may lag on this loaded machine).
            List<Integer> landed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Account newcomer = newUser(client, "newcomer");
                ParleySession s = client.session(newcomer.device().token(), ConnectOptions.defaults(),
                    SessionOptions.defaults().withDiscovery(live.get(0).uri()));
                newcomers.add(s);
                landed.add(s.awaitConnected(T).uri().getPort());
            }
            log.info("a fourth node joined on port {}: three newcomers landed on {}", fourth.port, landed);
            assertThat(landed.stream().filter(p -> p == fourth.port).count()).isGreaterThanOrEqualTo(2);
        } finally {
            newcomers.forEach(ParleySession::close);
            open.forEach(ParleyConnection::close);
            clients.forEach(ParleyClient::close);
        }
    }

    /**
     * The nginx configuration of docs/nginx/parley.conf, run by Debian's nginx in front of every node, the killed one
     * included: registration, login and chat work through it, WebSockets are proxied, and the dead node is skipped.
     */
    @Test
    @Order(4)
    void theDocumentedNginxConfigurationProxiesRestAndWebSocketsToLiveNodes() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(Nginx.BINARY)),
            "nginx is not installed (.ci/run installs it)");
        try (Nginx nginx = Nginx.start(dir.resolve("nginx"), NODES.stream().map(n -> n.port).toList());
             ParleyClient client = ParleyClient.create(nginx.uri())) {
            Account alice = newUser(client, "alice");
            Account bob = newUser(client, "bob");
            List<Credentials> devices = List.of(alice.device(), bob.device(),
                client.login(alice.username(), PASSWORD, "laptop"), client.login(bob.username(), PASSWORD, "laptop"));
            List<ParleyConnection> conns = new ArrayList<>();
            for (Credentials d : devices) { // more connections than live nodes: some would go to the dead one
                conns.add(client.connect(d.token()).join());
            }
            for (ParleyConnection c : conns) {
                c.awaitSynced(T);
            }
            ServerFrame.Sent sent = conns.get(0).sendToUser(bob.id(), "through nginx").join();
            for (ParleyConnection c : List.of(conns.get(1), conns.get(3))) {
                assertThat(c.awaitFrame(ServerFrame.Message.class, T).seq()).isEqualTo(sent.seq());
            }
            assertThat(conns.get(2).awaitFrame(ServerFrame.Message.class, T).body()).isEqualTo("through nginx");
            conns.forEach(ParleyConnection::close);
        }
    }

    /**
     * Kafka, then Redis, restarted under users on two nodes: messages sent while the broker is down are acknowledged
     * (the store does not need the bus) and reach the other node once it is back, in order; after Redis comes back,
     * cross-node chat and discovery work again by themselves.
     */
    @Test
    @Order(5)
    void kafkaAndRedisRestartsLoseNothingAndDeliveryResumes() throws Exception {
        List<ChildServer> live = NODES.stream().filter(ChildServer::isAlive).toList();
        try (ParleyClient c1 = ParleyClient.create(live.get(0).uri());
             ParleyClient c2 = ParleyClient.create(live.get(1).uri())) {
            Account alice = newUser(c1, "alice");
            Account bob = newUser(c1, "bob");
            ParleyConnection aliceConn = c1.connect(alice.device().token()).join();
            ParleyConnection bobConn = c2.connect(bob.device().token()).join();
            aliceConn.awaitSynced(T);
            bobConn.awaitSynced(T);
            ServerFrame.Sent first = aliceConn.sendToUser(bob.id(), "before").join();
            assertThat(bobConn.awaitFrame(ServerFrame.Message.class, T).seq()).isEqualTo(first.seq());

            KafkaExtension.broker().stop();
            List<Long> sentWhileDown = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    sentWhileDown.add(aliceConn.sendToUser(bob.id(), "kafka down " + i).get(20, TimeUnit.SECONDS)
                        .seq());
                }
            } finally {
                KafkaExtension.broker().start();
            }
            List<Long> got = bobConn.awaitMessages(5, Duration.ofSeconds(90)).stream()
                .map(ServerFrame.Message::seq).toList();
            assertThat(got).containsExactlyElementsOf(sentWhileDown);

            RedisExtension.server().restart();
            ServerFrame.Sent afterRedis = aliceConn.sendToUser(bob.id(), "redis restarted").get(20, TimeUnit.SECONDS);
            assertThat(bobConn.awaitFrame(ServerFrame.Message.class, T).seq()).isEqualTo(afterRedis.seq());
            await().atMost(T).untilAsserted(() -> assertThat(c1.discover().nodes()).hasSize(live.size()));
        }
    }

    /** Sends with one clientMsgId until a {@code sent} comes back, through whatever connection the session has. */
    private static long sendUntilAcked(ParleySession session, String conv, String clientMsgId) {
        ClientFrame.Send frame = new ClientFrame.Send(clientMsgId, ClientFrame.Target.conversation(conv), clientMsgId,
            null);
        while (true) {
            try {
                ParleyConnection c = session.awaitConnected(T);
                return c.send(frame).get(5, TimeUnit.SECONDS).seq();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                sleep(100); // the connection died under the send: the same clientMsgId again, on the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
