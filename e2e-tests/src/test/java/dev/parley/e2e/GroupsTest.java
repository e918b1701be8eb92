package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static dev.parley.e2e.WalkthroughTest.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.client.ConversationSummary;
import dev.parley.client.Credentials;
import dev.parley.client.GroupInfo;
import dev.parley.client.GroupMember;
import dev.parley.client.HistoryPage;
import dev.parley.client.MessageInfo;
import dev.parley.client.MessageReceipt;
import dev.parley.client.ParleyApiException;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import dev.parley.client.ParleyErrorException;
import dev.parley.client.RawResponse;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group chats through the SDK: create, rename, add, remove, leave, roles, the last-admin rule, the size limit,
 * system messages, history from the join on, receipts per member, and 403 for everything a caller may not do.
 */
class GroupsTest {
    /** How long to wait for something that must not arrive. */
    static final Duration QUIET = Duration.ofMillis(300);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void createdGroupIsListedAndEveryMemberGetsItsMessages() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var carol = server.newUser("carol");
            Credentials aliceLaptopC = server.anotherDevice(alice);
            ParleyConnection a = server.connectSynced(alice);
            ParleyConnection aLaptop = server.connectSynced(aliceLaptopC);
            ParleyConnection b = server.connectSynced(bob);
            ParleyClient client = server.client();

            GroupInfo g = client.createGroup(alice.token(), "Weekend trip", List.of(bob.id(), carol.id()));
            String id = g.conversationId();
            assertThat(id).isNotBlank();
            assertThat(g.name()).isEqualTo("Weekend trip");
            assertThat(roles(g)).isEqualTo(Map.of(alice.id(), "admin", bob.id(), "member", carol.id(), "member"));

            // The full group JSON, as a member sees it.
            RawResponse r = client.rawRequest("GET", "/v1/groups/" + id, bob.token(), null);
            assertThat(r.status()).isEqualTo(200);
            JsonNode json = JSON.readTree(r.body());
            assertThat(json.path("conversationId").isTextual()).as("ids are strings: %s", r.body()).isTrue();
            assertThat(json.path("conversationId").asText()).isEqualTo(id);
            assertThat(json.path("name").asText()).isEqualTo("Weekend trip");
            assertThat(json.hasNonNull("createdAt")).as("createdAt in %s", r.body()).isTrue();
            assertThat(json.path("maxMembers").asInt()).as("maxMembers in %s", r.body()).isEqualTo(1024);
            assertThat(json.path("members").isArray()).isTrue();
            assertThat(json.path("members").size()).isEqualTo(3);
            for (JsonNode m : json.path("members")) {
                assertThat(m.path("userId").isTextual()).as("member %s", m).isTrue();
                assertThat(m.path("role").asText()).as("member %s", m).isIn("admin", "member");
                assertThat(m.hasNonNull("joinedAt")).as("joinedAt of member %s", m).isTrue();
            }

            // "created" is seq 1, live on every connected device of every member, the creator's included.
            for (ParleyConnection x : List.of(a, aLaptop, b)) {
                ServerFrame.Message created = awaitSystem(x, id, "created");
                assertThat(created.seq()).isEqualTo(1);
                assertThat(created.from()).isEqualTo(alice.id());
                assertThat(created.fromDevice()).isEqualTo("0");
                assertThat(created.system().actor()).isEqualTo(alice.id());
                assertThat(created.system().name()).isEqualTo("Weekend trip");
                assertThat(created.body()).isNotBlank();
            }

            // Listed as a group, titled with its name, for every member.
            for (var u : List.of(alice, bob, carol)) {
                ConversationSummary s = summary(server, u.token(), id);
                assertThat(s.kind()).isEqualTo("group");
                assertThat(s.title()).isEqualTo("Weekend trip");
                assertThat(s.lastSeq()).isEqualTo(1);
            }

            // A message reaches the other members' devices and the sender's other device, not the sending one.
            ServerFrame.Sent sent = a.sendToConversation(id, "hi all").join();
            assertThat(sent.conversationId()).isEqualTo(id);
            assertThat(sent.seq()).isEqualTo(2);
            for (ParleyConnection x : List.of(b, aLaptop)) {
                ServerFrame.Message m = x.awaitFrame(ServerFrame.Message.class, f -> f.seq() == 2, T);
                assertThat(m.conversationId()).isEqualTo(id);
                assertThat(m.body()).isEqualTo("hi all");
                assertThat(m.from()).isEqualTo(alice.id());
                assertThat(m.fromDevice()).isEqualTo(alice.device().deviceId());
                assertThat(m.messageId()).isEqualTo(sent.messageId());
                assertThat(m.system()).isNull();
            }
            assertThat(a.pollFrame(ServerFrame.Message.class, QUIET)).isEmpty();

            // Carol was offline: her first connection gets both in its backlog, in order.
            ParleyConnection c = server.connectSynced(carol);
            assertThat(c.awaitMessages(id, 2, Duration.ZERO)).extracting(ServerFrame.Message::seq)
                .containsExactly(1L, 2L);
            ServerFrame.Sent reply = c.sendToConversation(id, "hello from carol").join();
            assertThat(reply.seq()).isEqualTo(3);
            for (ParleyConnection x : List.of(a, aLaptop, b)) {
                ServerFrame.Message m = x.awaitFrame(ServerFrame.Message.class, f -> f.seq() == 3, T);
                assertThat(m.from()).isEqualTo(carol.id());
                assertThat(m.body()).isEqualTo("hello from carol");
            }

            // Rename and describe: a system message on every member's device, and the new name everywhere.
            GroupInfo renamed = client.updateGroup(alice.token(), id, "Trip 2027", "Bring snacks");
            assertThat(renamed.name()).isEqualTo("Trip 2027");
            assertThat(renamed.description()).isEqualTo("Bring snacks");
            for (ParleyConnection x : List.of(a, b, c)) {
                ServerFrame.Message upd = awaitSystem(x, id, "updated");
                assertThat(upd.seq()).isEqualTo(4);
                assertThat(upd.from()).isEqualTo(alice.id());
                assertThat(upd.fromDevice()).isEqualTo("0");
                assertThat(upd.system().actor()).isEqualTo(alice.id());
                assertThat(upd.system().name()).isEqualTo("Trip 2027");
                assertThat(upd.system().description()).isEqualTo("Bring snacks");
                assertThat(upd.body()).isNotBlank();
            }
            GroupInfo seen = client.group(carol.token(), id);
            assertThat(seen.name()).isEqualTo("Trip 2027");
            assertThat(seen.description()).isEqualTo("Bring snacks");
            assertThat(summary(server, bob.token(), id).title()).isEqualTo("Trip 2027");
            // Only the description: the name stays.
            GroupInfo described = client.updateGroup(alice.token(), id, null, "Bring more snacks");
            assertThat(described.name()).isEqualTo("Trip 2027");
            assertThat(described.description()).isEqualTo("Bring more snacks");
            assertThat(client.group(bob.token(), id).name()).isEqualTo("Trip 2027");

            // History holds the system messages with their fields, in seq order with the others.
            List<ServerFrame.Message> h = fullHistory(server, bob.token(), id);
            assertThat(seqs(h)).containsExactlyElementsOf(range(1, 5));
            assertThat(h.get(0).system().event()).isEqualTo("created");
            assertThat(h.get(1).system()).isNull();
            assertThat(h.get(1).body()).isEqualTo("hi all");
            assertThat(h.get(3).system().event()).isEqualTo("updated");
            assertThat(h.get(3).fromDevice()).isEqualTo("0");
            assertThat(h.get(4).system().event()).isEqualTo("updated");
            assertThat(h.get(4).system().description()).isEqualTo("Bring more snacks");
        }
    }

    @Test
    void badInputIsRefusedAndChangesNothing() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            ParleyClient client = server.client();

            // 201 with every field, a description of the maximum length included.
            String desc = "d".repeat(1000);
            RawResponse r = client.rawRequest("POST", "/v1/groups", alice.token(),
                "{\"name\":\"Book club\",\"description\":\"" + desc + "\",\"members\":[\"" + bob.id() + "\"]}");
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            JsonNode created = JSON.readTree(r.body());
            String id = created.path("conversationId").asText();
            assertThat(id).isNotBlank();
            assertThat(created.path("name").asText()).isEqualTo("Book club");
            assertThat(created.path("description").asText()).isEqualTo(desc);
            assertThat(created.path("members").size()).isEqualTo(2);
            assertThat(client.createGroup(alice.token(), "n".repeat(100), List.of(bob.id())).name())
                .isEqualTo("n".repeat(100));
            int aliceGroups = groups(server, alice.token()).size();
            int bobGroups = groups(server, bob.token()).size();
            assertThat(aliceGroups).isEqualTo(2);

            // Name: 1..100 characters after trimming; description: at most 1000.
            for (String bad : List.of("", "   ", "x".repeat(101))) {
                assertApiError(() -> client.createGroup(alice.token(), bad, List.of(bob.id())), 400,
                    ErrorCode.BAD_REQUEST);
            }
            r = client.rawRequest("POST", "/v1/groups", alice.token(), "{\"members\":[\"" + bob.id() + "\"]}");
            assertThat(r.status()).as("no name: %s", r.body()).isEqualTo(400);
            r = client.rawRequest("POST", "/v1/groups", alice.token(),
                "{\"name\":\"ok\",\"description\":\"" + "d".repeat(1001) + "\",\"members\":[\"" + bob.id()
                    + "\"]}");
            assertThat(r.status()).as("description of 1001: %s", r.body()).isEqualTo(400);
            assertThat(r.body()).contains("\"bad_request\"");

            // An unknown member: 404, and no group was made.
            assertApiError(() -> client.createGroup(alice.token(), "Ghosts", List.of(bob.id(), "987654321")), 404,
                ErrorCode.NOT_FOUND);
            assertThat(groups(server, alice.token())).hasSize(aliceGroups);
            assertThat(groups(server, bob.token())).hasSize(bobGroups);

            // The same limits on update, which changes nothing when refused.
            State before = state(server, alice.token(), id);
            long seqBefore = lastSeq(server, alice.token(), id);
            assertApiError(() -> client.updateGroup(alice.token(), id, "   ", null), 400, ErrorCode.BAD_REQUEST);
            assertApiError(() -> client.updateGroup(alice.token(), id, "x".repeat(101), null), 400,
                ErrorCode.BAD_REQUEST);
            assertApiError(() -> client.updateGroup(alice.token(), id, null, "d".repeat(1001)), 400,
                ErrorCode.BAD_REQUEST);
            assertThat(state(server, alice.token(), id)).isEqualTo(before);
            assertThat(lastSeq(server, alice.token(), id)).isEqualTo(seqBefore);

            // GET of an unknown id or of a direct conversation: 404.
            ParleyConnection a = server.connect(alice);
            String direct = a.sendToUser(bob.id(), "hi").join().conversationId();
            assertApiError(() -> client.group(alice.token(), direct), 404, ErrorCode.NOT_FOUND);
            assertApiError(() -> client.group(alice.token(), "12345"), 404, ErrorCode.NOT_FOUND);
            assertThat(summary(server, alice.token(), direct).kind()).isEqualTo("direct");
        }
    }

    @Test
    void addPromoteRemoveLeaveAndDemote() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var carol = server.newUser("carol");
            var dave = server.newUser("dave");
            ParleyConnection a = server.connectSynced(alice);
            ParleyConnection b = server.connectSynced(bob);
            ParleyConnection c = server.connectSynced(carol);
            ParleyConnection d = server.connectSynced(dave);
            ParleyClient client = server.client();
            String id = client.createGroup(alice.token(), "Team", List.of(bob.id(), carol.id())).conversationId();
            for (ParleyConnection x : List.of(a, b, c)) {
                awaitSystem(x, id, "created");
            }

            // Add: Dave joins as a member; Bob, already in, is skipped.
            GroupInfo added = client.addMembers(alice.token(), id, List.of(dave.id(), bob.id()));
            assertThat(added.memberIds()).doesNotHaveDuplicates();
            assertThat(roles(added)).isEqualTo(Map.of(alice.id(), "admin", bob.id(), "member",
                carol.id(), "member", dave.id(), "member"));
            for (ParleyConnection x : List.of(a, b, c, d)) {
                ServerFrame.Message m = awaitSystem(x, id, "added");
                assertThat(m.seq()).isEqualTo(2);
                assertThat(m.from()).isEqualTo(alice.id());
                assertThat(m.fromDevice()).isEqualTo("0");
                assertThat(m.system().actor()).isEqualTo(alice.id());
                assertThat(m.system().users()).containsExactly(dave.id());
                assertThat(m.body()).containsIgnoringCase("dave");
            }
            // Dave's device got nothing from before he joined.
            assertThat(d.pollFrame(ServerFrame.Message.class, QUIET)).isEmpty();

            // Promote Bob.
            GroupInfo promoted = client.setRole(alice.token(), id, bob.id(), "admin");
            assertThat(roles(promoted)).containsEntry(bob.id(), "admin").containsEntry(alice.id(), "admin");
            for (ParleyConnection x : List.of(a, b, c, d)) {
                ServerFrame.Message m = awaitSystem(x, id, "role");
                assertThat(m.seq()).isEqualTo(3);
                assertThat(m.system().actor()).isEqualTo(alice.id());
                assertThat(m.system().users()).containsExactly(bob.id());
                assertThat(m.system().role()).isEqualTo("admin");
            }

            // Bob, now an admin, removes Carol: 204, and she gets the message announcing it.
            RawResponse del = client.rawRequest("DELETE", "/v1/groups/" + id + "/members/" + carol.id(),
                bob.token(), null);
            assertThat(del.status()).as(del.body()).isEqualTo(204);
            for (ParleyConnection x : List.of(a, b, c, d)) {
                ServerFrame.Message m = awaitSystem(x, id, "removed");
                assertThat(m.seq()).isEqualTo(4);
                assertThat(m.system().actor()).isEqualTo(bob.id());
                assertThat(m.system().users()).containsExactly(carol.id());
            }
            assertThat(roles(client.group(alice.token(), id))).isEqualTo(Map.of(alice.id(), "admin",
                bob.id(), "admin", dave.id(), "member"));
            assertApiError(() -> client.removeMember(bob.token(), id, carol.id()), 404, ErrorCode.NOT_FOUND);
            assertApiError(() -> client.group(carol.token(), id), 403, ErrorCode.FORBIDDEN);

            // Dave leaves on his own.
            client.removeMember(dave.token(), id, dave.id());
            for (ParleyConnection x : List.of(a, b)) {
                ServerFrame.Message m = awaitSystem(x, id, "left");
                assertThat(m.seq()).isEqualTo(5);
                assertThat(m.system().actor()).isEqualTo(dave.id());
            }
            assertThat(roles(client.group(bob.token(), id))).isEqualTo(Map.of(alice.id(), "admin",
                bob.id(), "admin"));
            assertApiError(() -> client.group(dave.token(), id), 403, ErrorCode.FORBIDDEN);

            // Demote Bob again; then Alice, the last admin, cannot demote herself.
            GroupInfo demoted = client.setRole(alice.token(), id, bob.id(), "member");
            assertThat(roles(demoted)).isEqualTo(Map.of(alice.id(), "admin", bob.id(), "member"));
            ServerFrame.Message m = awaitSystem(b, id, "role");
            assertThat(m.seq()).isEqualTo(6);
            assertThat(m.system().users()).containsExactly(bob.id());
            assertThat(m.system().role()).isEqualTo("member");
            assertApiError(() -> client.setRole(alice.token(), id, alice.id(), "member"), 409, ErrorCode.CONFLICT);
            assertThat(roles(client.group(alice.token(), id))).isEqualTo(Map.of(alice.id(), "admin",
                bob.id(), "member"));
            assertThat(lastSeq(server, alice.token(), id)).isEqualTo(6);

            // Neither Carol (removed) nor Dave (left) got anything after their departure.
            assertThat(c.pollFrame(ServerFrame.Message.class, QUIET)).isEmpty();
            assertThat(d.inbox().stream().filter(f -> f instanceof ServerFrame.Message msg && msg.seq() > 5))
                .isEmpty();
            assertThat(seqs(fullHistory(server, alice.token(), id))).containsExactlyElementsOf(range(1, 6));
        }
    }

    @Test
    void lastAdminLeavingPromotesTheMemberWhoJoinedFirst() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var carol = server.newUser("carol"); // registered first: the lowest id, yet she joins last
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var dave = server.newUser("dave");
            ParleyConnection b = server.connectSynced(bob);
            ParleyClient client = server.client();
            String id = client.createGroup(alice.token(), "Club", List.of(bob.id())).conversationId();
            client.addMembers(alice.token(), id, List.of(carol.id())); // seq 2: Carol joins after Bob

            client.removeMember(alice.token(), id, alice.id()); // the only admin leaves
            assertThat(roles(client.group(bob.token(), id))).isEqualTo(Map.of(bob.id(), "admin",
                carol.id(), "member"));
            // Members see why: Alice's "left", then the server's promotion of Bob (no actor).
            ServerFrame.Message left = awaitSystem(b, id, "left");
            assertThat(left.seq()).isEqualTo(3);
            assertThat(left.system().actor()).isEqualTo(alice.id());
            ServerFrame.Message promotion = awaitSystem(b, id, "role");
            assertThat(promotion.seq()).isGreaterThan(left.seq());
            assertThat(promotion.system().users()).containsExactly(bob.id());
            assertThat(promotion.system().role()).isEqualTo("admin");
            assertThat(promotion.system().actor()).isNull();
            assertThat(promotion.fromDevice()).isEqualTo("0");

            // Bob can act as an admin now; Alice cannot any more.
            assertThat(client.updateGroup(bob.token(), id, "Bob's club", null).name()).isEqualTo("Bob's club");
            assertApiError(() -> client.updateGroup(alice.token(), id, "Mine again", null), 403,
                ErrorCode.FORBIDDEN);
            assertApiError(() -> client.group(alice.token(), id), 403, ErrorCode.FORBIDDEN);

            // When another admin stays, nobody is promoted: Dave (admin, joined last) keeps the group.
            client.addMembers(bob.token(), id, List.of(dave.id()));
            client.setRole(bob.token(), id, dave.id(), "admin");
            client.removeMember(bob.token(), id, bob.id());
            assertThat(roles(client.group(dave.token(), id))).isEqualTo(Map.of(carol.id(), "member",
                dave.id(), "admin"));
        }
    }

    @Test
    void sizeLimitCountsTheCreatorAndRefusesAllOrNothing() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("groups.maxMembers", "4"))) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var carol = server.newUser("carol");
            var dave = server.newUser("dave");
            var eve = server.newUser("eve");
            var frank = server.newUser("frank");
            ParleyClient client = server.client();

            // Five with the creator: refused, and nothing was made.
            assertApiError(() -> client.createGroup(alice.token(), "Too big",
                List.of(bob.id(), carol.id(), dave.id(), eve.id())), 409, ErrorCode.GROUP_FULL);
            for (var u : List.of(alice, bob, eve)) {
                assertThat(groups(server, u.token())).isEmpty();
            }

            // Exactly four: fine.
            String id = client.createGroup(alice.token(), "Four", List.of(bob.id(), carol.id(), dave.id()))
                .conversationId();
            RawResponse r = client.rawRequest("GET", "/v1/groups/" + id, alice.token(), null);
            assertThat(JSON.readTree(r.body()).path("maxMembers").asInt()).as(r.body()).isEqualTo(4);
            State full = state(server, alice.token(), id);
            assertThat(full.roles()).hasSize(4);

            assertApiError(() -> client.addMembers(alice.token(), id, List.of(eve.id())), 409, ErrorCode.GROUP_FULL);
            assertThat(state(server, alice.token(), id)).isEqualTo(full);
            assertThat(lastSeq(server, alice.token(), id)).isEqualTo(1);
            assertApiError(() -> client.group(eve.token(), id), 403, ErrorCode.FORBIDDEN);

            // Someone who is in already does not count, and adding him again is a no-op.
            assertThat(State.of(client.addMembers(alice.token(), id, List.of(bob.id())))).isEqualTo(full);
            assertThat(lastSeq(server, alice.token(), id)).isEqualTo(1);

            // Room for one: two at once are refused, all or nothing.
            client.removeMember(alice.token(), id, dave.id()); // seq 2
            State three = state(server, alice.token(), id);
            assertApiError(() -> client.addMembers(alice.token(), id, List.of(eve.id(), frank.id())), 409,
                ErrorCode.GROUP_FULL);
            assertThat(state(server, alice.token(), id)).isEqualTo(three);
            assertThat(lastSeq(server, alice.token(), id)).isEqualTo(2);
            // One new plus one already in fits.
            GroupInfo again = client.addMembers(alice.token(), id, List.of(eve.id(), bob.id()));
            assertThat(roles(again)).isEqualTo(Map.of(alice.id(), "admin", bob.id(), "member",
                carol.id(), "member", eve.id(), "member"));
            // A former member coming back counts like anyone new.
            assertApiError(() -> client.addMembers(alice.token(), id, List.of(dave.id())), 409, ErrorCode.GROUP_FULL);
            assertApiError(() -> client.group(dave.token(), id), 403, ErrorCode.FORBIDDEN);
        }
    }

    @Test
    void removedMemberSeesNothingNewLiveNorInHistory() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var carol = server.newUser("carol");
            Credentials bobLaptopC = server.anotherDevice(bob);
            ParleyConnection a = server.connectSynced(alice);
            ParleyConnection b1 = server.connectSynced(bob);
            ParleyConnection b2 = server.connectSynced(bobLaptopC);
            ParleyConnection c = server.connectSynced(carol);
            ParleyClient client = server.client();
            String id = client.createGroup(alice.token(), "Secrets", List.of(bob.id(), carol.id()))
                .conversationId();
            for (ParleyConnection x : List.of(a, b1, b2, c)) {
                awaitSystem(x, id, "created");
            }
            assertThat(a.sendToConversation(id, "before").join().seq()).isEqualTo(2);
            for (ParleyConnection x : List.of(b1, b2, c)) {
                x.awaitFrame(ServerFrame.Message.class, m -> m.seq() == 2, T);
            }

            client.removeMember(alice.token(), id, bob.id());
            long removedSeq = 3;
            // Both of Bob's devices learn it, and so does everyone else.
            for (ParleyConnection x : List.of(b1, b2, a, c)) {
                ServerFrame.Message m = awaitSystem(x, id, "removed");
                assertThat(m.seq()).isEqualTo(removedSeq);
                assertThat(m.system().actor()).isEqualTo(alice.id());
                assertThat(m.system().users()).containsExactly(bob.id());
            }

            // The group goes on without him: messages from both sides, and typing.
            assertThat(a.sendToConversation(id, "after 1").join().seq()).isEqualTo(4);
            assertThat(c.sendToConversation(id, "after 2").join().seq()).isEqualTo(5);
            c.awaitFrame(ServerFrame.Message.class, m -> m.seq() == 4, T);
            a.awaitFrame(ServerFrame.Message.class, m -> m.seq() == 5, T);
            c.typing(id);
            a.awaitFrame(ServerFrame.Typing.class, t -> t.userId().equals(carol.id()), T);
            for (ParleyConnection x : List.of(b1, b2)) {
                assertThat(x.pollFrame(ServerFrame.Message.class, QUIET)).isEmpty();
                assertThat(x.pollFrame(ServerFrame.Typing.class, Duration.ZERO)).isEmpty();
            }

            // He can no longer send; the refused message goes nowhere.
            ClientFrame.Send late = new ClientFrame.Send("late-1", ClientFrame.Target.conversation(id),
                "let me back in", null);
            assertThatThrownBy(() -> b1.send(late).join())
                .cause().isInstanceOfSatisfying(ParleyErrorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                    assertThat(e.ref()).isEqualTo("late-1");
                });
            assertThat(c.pollFrame(ServerFrame.Message.class, QUIET)).isEmpty();
            assertThat(lastSeq(server, alice.token(), id)).isEqualTo(5);

            // History: up to and including his removal, nothing after, however he asks.
            List<ServerFrame.Message> h = fullHistory(server, bob.token(), id);
            assertThat(seqs(h)).containsExactly(1L, 2L, removedSeq);
            assertThat(h.getLast().system().event()).isEqualTo("removed");
            assertThat(seqs(client.history(bob.token(), id).messages())).containsExactly(1L, 2L, removedSeq);
            assertThat(seqs(client.history(bob.token(), id, 100L, null, 50).messages()))
                .containsExactly(1L, 2L, removedSeq);
            HistoryPage after = client.history(bob.token(), id, null, removedSeq, 50);
            assertThat(after.messages()).isEmpty();
            assertThat(after.hasMore()).isFalse();

            // A reconnect brings nothing newer either.
            b2.close();
            ParleyConnection b3 = server.connectSynced(bobLaptopC);
            assertThat(b3.inbox().stream()
                .filter(f -> f instanceof ServerFrame.Message m && m.conversationId().equals(id))
                .map(f -> ((ServerFrame.Message) f).seq()))
                .allMatch(seq -> seq <= removedSeq);

            // Group info and receipts are closed to him.
            assertApiError(() -> client.group(bob.token(), id), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.messageInfo(bob.token(), id, 4), 403, ErrorCode.FORBIDDEN);
        }
    }

    @Test
    void membersAddedLaterSeeHistoryFromTheirJoinOn() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var dave = server.newUser("dave");
            Credentials daveLaptopC = server.anotherDevice(dave); // not connected until the end
            ParleyConnection a = server.connectSynced(alice);
            ParleyConnection d = server.connectSynced(dave);
            ParleyClient client = server.client();
            String id = client.createGroup(alice.token(), "Early birds", List.of(bob.id())).conversationId();
            for (int i = 1; i <= 3; i++) {
                assertThat(a.sendToConversation(id, "m" + i).join().seq()).isEqualTo(1 + i);
            }

            client.addMembers(alice.token(), id, List.of(dave.id())); // seq 5
            assertThat(a.sendToConversation(id, "m4").join().seq()).isEqualTo(6);

            // Live: Dave's connected device gets the "added" message and what follows, nothing older.
            List<ServerFrame.Message> live = d.awaitMessages(id, 2, T);
            assertThat(seqs(live)).containsExactly(5L, 6L);
            assertThat(live.get(0).system().event()).isEqualTo("added");
            assertThat(live.get(0).system().users()).containsExactly(dave.id());
            assertThat(live.get(1).body()).isEqualTo("m4");
            assertThat(d.pollFrame(ServerFrame.Message.class, QUIET)).isEmpty();

            // History starts at his join, however he asks.
            assertThat(seqs(fullHistory(server, dave.token(), id))).containsExactly(5L, 6L);
            assertThat(seqs(client.history(dave.token(), id).messages())).containsExactly(5L, 6L);
            HistoryPage older = client.history(dave.token(), id, 5L, null, 50);
            assertThat(older.messages()).isEmpty();
            assertThat(older.hasMore()).isFalse();
            HistoryPage first = client.history(dave.token(), id, null, 0L, 1);
            assertThat(seqs(first.messages())).containsExactly(5L);
            assertThat(first.hasMore()).isTrue();
            // Bob, there from the start, sees everything.
            assertThat(seqs(fullHistory(server, bob.token(), id))).containsExactlyElementsOf(range(1, 6));

            // His other device, connecting only now, gets the same backlog: from the "added" message on.
            ParleyConnection laptop = server.connectSynced(daveLaptopC);
            assertThat(seqs(laptop.awaitMessages(id, 2, Duration.ZERO))).containsExactly(5L, 6L);
            assertThat(laptop.pollFrame(ServerFrame.Message.class, QUIET)).isEmpty();

            // Removed and added again: what was said while he was out stays hidden from him.
            client.removeMember(alice.token(), id, dave.id()); // seq 7
            assertThat(a.sendToConversation(id, "while dave is out").join().seq()).isEqualTo(8);
            client.addMembers(alice.token(), id, List.of(dave.id())); // seq 9
            assertThat(a.sendToConversation(id, "welcome back").join().seq()).isEqualTo(10);
            List<Long> visible = seqs(fullHistory(server, dave.token(), id));
            assertThat(visible).doesNotContain(8L).contains(9L, 10L);
            assertThat(fullHistory(server, dave.token(), id)).extracting(ServerFrame.Message::body)
                .doesNotContain("while dave is out", "m1", "m2", "m3");
            List<ServerFrame.Message> back = d.awaitMessages(id, 2, T); // the removal, then the new join
            assertThat(seqs(back)).containsExactly(7L, 9L);
            assertThat(d.awaitFrame(ServerFrame.Message.class, T).seq()).isEqualTo(10);
        }
    }

    @Test
    void receiptsArePerMemberAndCountOnlyWhoWasThere() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var carol = server.newUser("carol");
            var dave = server.newUser("dave");
            var eve = server.newUser("eve");
            var mallory = server.newUser("mallory");
            ParleyConnection a = server.connectSynced(alice);
            ParleyConnection b = server.connectSynced(bob);
            ParleyConnection c = server.connectSynced(carol);
            ParleyConnection d = server.connectSynced(dave);
            ParleyConnection e = server.connectSynced(eve);
            ParleyClient client = server.client();
            String id = client.createGroup(alice.token(), "Readers", List.of(bob.id(), carol.id(), dave.id()))
                .conversationId();
            ServerFrame.Sent hello = a.sendToConversation(id, "hello").join();
            assertThat(hello.seq()).isEqualTo(2);
            for (ParleyConnection x : List.of(b, c, d)) {
                x.awaitFrame(ServerFrame.Message.class, m -> m.seq() == 2, T);
            }

            // Bob has it and reads it, Carol only has it: Alice gets a receipt per member and status.
            b.delivered(id, 2);
            assertThat(a.awaitFrame(ServerFrame.Receipt.class, receiptOf(bob.id(), "delivered"), T))
                .isEqualTo(new ServerFrame.Receipt(id, 2, bob.id(), "delivered"));
            b.read(id, 2);
            assertThat(a.awaitFrame(ServerFrame.Receipt.class, receiptOf(bob.id(), "read"), T))
                .isEqualTo(new ServerFrame.Receipt(id, 2, bob.id(), "read"));
            c.delivered(id, 2);
            assertThat(a.awaitFrame(ServerFrame.Receipt.class, receiptOf(carol.id(), "delivered"), T))
                .isEqualTo(new ServerFrame.Receipt(id, 2, carol.id(), "delivered"));

            // Message info: one entry per member but the sender, for the sender and for any member.
            for (var viewer : List.of(alice, bob)) {
                await().atMost(T).untilAsserted(() -> {
                    MessageInfo info = client.messageInfo(viewer.token(), id, 2);
                    assertThat(info.receipts()).containsExactlyInAnyOrder(
                        new MessageReceipt(bob.id(), true, true),
                        new MessageReceipt(carol.id(), true, false),
                        new MessageReceipt(dave.id(), false, false));
                    assertThat(info.deliveredToAll()).isFalse();
                    assertThat(info.readByAll()).isFalse();
                });
            }

            // Eve joins after the message: it does not wait for her.
            client.addMembers(alice.token(), id, List.of(eve.id())); // seq 3
            c.read(id, 2);
            d.delivered(id, 2);
            d.read(id, 2);
            a.awaitFrame(ServerFrame.Receipt.class, receiptOf(carol.id(), "read"), T);
            a.awaitFrame(ServerFrame.Receipt.class, receiptOf(dave.id(), "read"), T);
            await().atMost(T).untilAsserted(() -> {
                MessageInfo info = client.messageInfo(alice.token(), id, 2);
                assertThat(info.receipts()).containsExactlyInAnyOrder(
                    new MessageReceipt(bob.id(), true, true),
                    new MessageReceipt(carol.id(), true, true),
                    new MessageReceipt(dave.id(), true, true));
                assertThat(info.deliveredToAll()).isTrue();
                assertThat(info.readByAll()).isTrue();
            });

            // Dave leaves: a message after it counts Eve and not him; the old one no longer lists him.
            client.removeMember(dave.token(), id, dave.id()); // seq 4
            assertThat(a.sendToConversation(id, "second").join().seq()).isEqualTo(5);
            MessageInfo second = client.messageInfo(alice.token(), id, 5);
            assertThat(second.receipts()).containsExactlyInAnyOrder(
                new MessageReceipt(bob.id(), false, false),
                new MessageReceipt(carol.id(), false, false),
                new MessageReceipt(eve.id(), false, false));
            assertThat(second.deliveredToAll()).isFalse();
            assertThat(second.readByAll()).isFalse();
            MessageInfo first = client.messageInfo(alice.token(), id, 2);
            assertThat(first.receipts()).containsExactlyInAnyOrder(
                new MessageReceipt(bob.id(), true, true),
                new MessageReceipt(carol.id(), true, true));
            assertThat(first.readByAll()).isTrue();

            // One read covering two senders' messages reaches both senders.
            assertThat(c.sendToConversation(id, "from carol").join().seq()).isEqualTo(6);
            e.awaitFrame(ServerFrame.Message.class, m -> m.seq() == 6, T);
            e.read(id, 6);
            for (ParleyConnection sender : List.of(a, c)) {
                assertThat(sender.awaitFrame(ServerFrame.Receipt.class, receiptOf(eve.id(), "read"), T))
                    .isEqualTo(new ServerFrame.Receipt(id, 6, eve.id(), "read"));
            }

            // Someone who was never in the group sees nothing.
            assertApiError(() -> client.messageInfo(mallory.token(), id, 2), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.receipts(mallory.token(), id, 5), 403, ErrorCode.FORBIDDEN);
        }
    }

    @Test
    void everyForbiddenActionAnswers403AndChangesNothing() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice"); // admin
            var bob = server.newUser("bob"); // member
            var carol = server.newUser("carol"); // member
            var fred = server.newUser("fred"); // former member
            var mallory = server.newUser("mallory"); // never a member
            ParleyConnection a = server.connectSynced(alice);
            ParleyConnection c = server.connectSynced(carol);
            ParleyConnection f = server.connectSynced(fred);
            ParleyConnection m = server.connectSynced(mallory);
            ParleyClient client = server.client();
            String id = client.createGroup(alice.token(), "Private", List.of(bob.id(), carol.id(), fred.id()))
                .conversationId();
            a.sendToConversation(id, "members only").join(); // seq 2
            client.removeMember(alice.token(), id, fred.id()); // seq 3
            for (ParleyConnection x : List.of(a, c, f)) {
                awaitSystem(x, id, "removed"); // everything before it arrived before it: clear it all
                x.inbox().clear();
            }
            State before = state(server, alice.token(), id);
            assertThat(before.roles()).isEqualTo(Map.of(alice.id(), "admin", bob.id(), "member",
                carol.id(), "member"));
            long seqBefore = lastSeq(server, alice.token(), id);
            assertThat(seqBefore).isEqualTo(3);

            // Someone who was never a member: REST.
            String mt = mallory.token();
            assertApiError(() -> client.group(mt, id), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.history(mt, id), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.messageInfo(mt, id, 2), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.addMembers(mt, id, List.of(mallory.id())), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.updateGroup(mt, id, "Pwned", null), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.setRole(mt, id, bob.id(), "admin"), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.removeMember(mt, id, bob.id()), 403, ErrorCode.FORBIDDEN);
            // ... and over the WebSocket.
            for (var who : List.of(m, f)) {
                String ref = "intruder-" + who.userId();
                assertThatThrownBy(() -> who.send(new ClientFrame.Send(ref, ClientFrame.Target.conversation(id),
                    "hello?", null)).join())
                    .cause().isInstanceOfSatisfying(ParleyErrorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                        assertThat(e.ref()).isEqualTo(ref);
                    });
            }
            m.read(id, 2);
            assertThat(m.awaitFrame(ServerFrame.Error.class, e -> e.ref() == null, T).code())
                .isEqualTo(ErrorCode.FORBIDDEN);
            m.typing(id);
            assertThat(m.awaitFrame(ServerFrame.Error.class, e -> e.ref() == null, T).code())
                .isEqualTo(ErrorCode.FORBIDDEN);

            // A former member: no group info, no admin actions.
            String ft = fred.token();
            assertApiError(() -> client.group(ft, id), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.addMembers(ft, id, List.of(fred.id())), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.updateGroup(ft, id, "Fred's now", null), 403, ErrorCode.FORBIDDEN);

            // A member who is not an admin.
            String bt = bob.token();
            assertApiError(() -> client.addMembers(bt, id, List.of(mallory.id())), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.removeMember(bt, id, carol.id()), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.removeMember(bt, id, alice.id()), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.setRole(bt, id, carol.id(), "admin"), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.setRole(bt, id, bob.id(), "admin"), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.setRole(bt, id, alice.id(), "member"), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.updateGroup(bt, id, "Bob's now", null), 403, ErrorCode.FORBIDDEN);
            assertApiError(() -> client.updateGroup(bt, id, null, "new description"), 403, ErrorCode.FORBIDDEN);
            RawResponse raw = client.rawRequest("PATCH", "/v1/groups/" + id, bt, "{\"name\":\"Raw\"}");
            assertThat(raw.status()).isEqualTo(403);
            assertThat(raw.body()).contains("\"forbidden\"");

            // Nothing changed: same name, description, members and roles; no message; no one was told anything.
            assertThat(state(server, alice.token(), id)).isEqualTo(before);
            assertThat(state(server, bob.token(), id)).isEqualTo(before);
            assertThat(lastSeq(server, alice.token(), id)).isEqualTo(seqBefore);
            assertThat(summary(server, carol.token(), id).title()).isEqualTo("Private");
            assertThat(groups(server, mallory.token())).isEmpty();
            assertThat(c.pollFrame(ServerFrame.Message.class, QUIET)).isEmpty();
            assertThat(a.pollFrame(ServerFrame.Message.class, Duration.ZERO)).isEmpty();
            assertThat(c.pollFrame(ServerFrame.Typing.class, Duration.ZERO)).isEmpty();
            assertThat(f.pollFrame(ServerFrame.Message.class, Duration.ZERO)).isEmpty();
            // Members still work.
            ServerFrame.Sent ok = c.sendToConversation(id, "still fine").join();
            assertThat(ok.seq()).isEqualTo(seqBefore + 1);
            assertThat(a.awaitFrame(ServerFrame.Message.class, T).body()).isEqualTo("still fine");
        }
    }

    // ---- helpers, shared with GroupFanOutTest

    /** A group's name, description and members' roles: what a forbidden action must not change. */
    record State(String name, String description, Map<String, String> roles) {
        static State of(GroupInfo g) {
            return new State(g.name(), g.description(), GroupsTest.roles(g));
        }
    }

    static State state(TestServer server, String token, String groupId) {
        return State.of(server.client().group(token, groupId));
    }

    /** User id to role; fails on a member listed twice. */
    static Map<String, String> roles(GroupInfo g) {
        Map<String, String> roles = new TreeMap<>();
        for (GroupMember m : g.members()) {
            assertThat(roles.put(m.userId(), m.role())).as("%s listed twice in %s", m.userId(), g).isNull();
        }
        return roles;
    }

    static void assertApiError(ThrowingCallable call, int status, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ParleyApiException.class, e -> {
            assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
            assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
        });
    }

    /** Waits for the next system message of this event in a group, and removes it from the inbox. */
    static ServerFrame.Message awaitSystem(ParleyConnection c, String groupId, String event) {
        return c.awaitFrame(ServerFrame.Message.class, m -> groupId.equals(m.conversationId()) && m.system() != null
            && event.equals(m.system().event()), T);
    }

    static java.util.function.Predicate<ServerFrame.Receipt> receiptOf(String userId, String status) {
        return r -> r.userId().equals(userId) && r.status().equals(status);
    }

    /** Every message the caller may read, oldest first, page by page from the start. */
    static List<ServerFrame.Message> fullHistory(TestServer server, String token, String groupId) {
        List<ServerFrame.Message> all = new ArrayList<>();
        long after = 0;
        for (int pages = 0; pages < 100; pages++) {
            HistoryPage p = server.client().history(token, groupId, null, after, 200);
            all.addAll(p.messages());
            if (!p.hasMore() || p.messages().isEmpty()) {
                return all;
            }
            after = p.lastSeq();
        }
        throw new AssertionError("history of " + groupId + " does not end");
    }

    /** The seq of the newest message the caller may read. */
    static long lastSeq(TestServer server, String token, String groupId) {
        return server.client().history(token, groupId, null, null, 1).lastSeq();
    }

    static List<Long> seqs(List<ServerFrame.Message> messages) {
        return messages.stream().map(ServerFrame.Message::seq).toList();
    }

    static ConversationSummary summary(TestServer server, String token, String conversationId) {
        return server.client().conversations(token).stream()
            .filter(s -> s.conversationId().equals(conversationId)).findFirst()
            .orElseThrow(() -> new AssertionError(conversationId + " is not in the conversation list"));
    }

    static List<ConversationSummary> groups(TestServer server, String token) {
        return server.client().conversations(token).stream().filter(ConversationSummary::isGroup).toList();
    }
}
