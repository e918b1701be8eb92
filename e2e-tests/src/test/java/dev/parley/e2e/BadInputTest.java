package dev.parley.e2e;

import static dev.parley.e2e.TestServer.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.client.ConnectOptions;
import dev.parley.client.ParleyApiException;
import dev.parley.client.ParleyConnection;
import dev.parley.client.ParleyErrorException;
import dev.parley.client.RawResponse;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input gets a clear error, and nothing is lost or corrupted by it. */
class BadInputTest {
    @TempDir
    Path dir;
    TestServer server;
    TestServer.User alice;
    TestServer.User bob;
    ParleyConnection a;
    ParleyConnection b;

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(dir, Map.of("websocket.authTimeoutSeconds", "1",
            "accounts.loginFailuresPerAccountPerMinute", "3"));
        alice = server.newUser("alice");
        bob = server.newUser("bob");
        a = server.connect(alice);
        b = server.client().connect(bob.token(), ConnectOptions.defaults().withAutoAck(true)).join();
        a.awaitSynced(T);
        b.awaitSynced(T);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ServerFrame.Error nextError() {
        return a.awaitFrame(ServerFrame.Error.class, T);
    }

    /** The connection still works and lost nothing: a message goes through. */
    private void stillWorks() {
        ServerFrame.Sent s = a.sendToUser(bob.id(), "still here").join();
        ServerFrame.Message m = b.awaitFrame(ServerFrame.Message.class, x -> x.seq() == s.seq(), T);
        assertThat(m.body()).isEqualTo("still here");
    }

    @Test
    void malformedJsonUnknownTypeAndMissingFieldsKeepTheConnection() {
        a.sendRaw("{not json");
        assertThat(nextError().code()).isEqualTo(ErrorCode.BAD_REQUEST);
        a.sendRaw("{\"type\":\"teleport\"}");
        assertThat(nextError().message()).contains("teleport");
        a.sendRaw("{\"body\":\"no type\"}");
        assertThat(nextError().code()).isEqualTo(ErrorCode.BAD_REQUEST);
        a.sendRaw("[1,2,3]");
        assertThat(nextError().code()).isEqualTo(ErrorCode.BAD_REQUEST);
        a.sendRaw("{\"type\":\"send\",\"clientMsgId\":\"x1\",\"body\":\"no recipient\"}");
        ServerFrame.Error e = nextError();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e.ref()).isEqualTo("x1");
        assertThat(e.message()).contains("send.to");
        a.sendRaw("{\"type\":\"send\",\"to\":{\"user\":\"" + bob.id() + "\"},\"body\":\"no id\"}");
        assertThat(nextError().message()).contains("clientMsgId");
        a.sendRaw("{\"type\":\"delivered\",\"conversationId\":\"1\",\"seq\":\"abc\"}");
        assertThat(nextError().code()).isEqualTo(ErrorCode.BAD_REQUEST);
        a.sendRaw("{\"type\":\"send\",\"clientMsgId\":\"x2\",\"to\":{\"user\":\"bob\"},\"body\":\"bad id\"}");
        assertThat(nextError().ref()).isEqualTo("x2");
        stillWorks();
    }

    @Test
    void bodyLimitCountsCodePoints() {
        String max = "😀".repeat(100_000); // 200,000 UTF-16 chars, 400,000 bytes: within the frame limit
        ServerFrame.Sent ok = a.sendToUser(bob.id(), max).join();
        assertThat(b.awaitFrame(ServerFrame.Message.class, m -> m.seq() == ok.seq(), T).body()).isEqualTo(max);

        String over = "a".repeat(100_001);
        assertThatThrownBy(() -> a.send(new ClientFrame.Send("big", ClientFrame.Target.user(bob.id()), over, null))
            .join())
            .isInstanceOf(CompletionException.class)
            .cause().isInstanceOfSatisfying(ParleyErrorException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        stillWorks();
        assertThat(server.client().history(bob.token(), ok.conversationId(), null, null, 200).messages())
            .extracting(ServerFrame.Message::body).doesNotContain(over);
    }

    @Test
    void frameOverOneMebibyteClosesWith1009() throws Exception {
        String huge = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(1 << 20) + "\"}";
        a.sendRaw(huge);
        assertThat(a.closeFuture().get(10, TimeUnit.SECONDS).code()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        // Bob is unaffected, and Alice can come back.
        ParleyConnection again = server.connect(alice);
        a = again;
        stillWorks();
    }

    @Test
    void framesBeforeAuthBadTokenAndSilenceAreRefused() throws Exception {
        try (RawSocket raw = new RawSocket(server.port())) {
            raw.send("{\"type\":\"ping\"}");
            assertThat(raw.next()).contains("\"unauthorized\"");
            assertThat(raw.awaitClose()).isEqualTo(CloseCodes.UNAUTHORIZED);
        }
        try (RawSocket raw = new RawSocket(server.port())) {
            raw.send("{\"type\":\"auth\",\"token\":\"nope\"}");
            assertThat(raw.next()).contains("\"unauthorized\"");
            assertThat(raw.awaitClose()).isEqualTo(CloseCodes.UNAUTHORIZED);
        }
        try (RawSocket raw = new RawSocket(server.port())) {
            assertThat(raw.awaitClose()).isEqualTo(CloseCodes.AUTH_TIMEOUT); // auth timeout is 1 s in this test
        }
        assertThatThrownBy(() -> server.client().connect("not-a-token").join())
            .hasCauseInstanceOf(ParleyErrorException.class);
        stillWorks();
    }

    @Test
    void revokedAndLoggedOutDevicesAreClosedAndRefused() throws Exception {
        var laptop = server.anotherDevice(bob);
        ParleyConnection l = server.connect(laptop);
        l.awaitSynced(T);
        long t0 = System.nanoTime();
        server.client().revokeDevice(bob.token(), laptop.deviceId());
        assertThat(l.closeFuture().get(1, TimeUnit.SECONDS).code()).isEqualTo(CloseCodes.UNAUTHORIZED);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        assertThatThrownBy(() -> server.client().connect(laptop.token()).join())
            .hasCauseInstanceOf(ParleyErrorException.class);
        assertThatThrownBy(() -> server.client().conversations(laptop.token()))
            .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThat(server.client().devices(bob.token())).hasSize(1);
        // Revoking someone else's device is not possible.
        assertThatThrownBy(() -> server.client().revokeDevice(alice.token(), bob.device().deviceId()))
            .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(404));

        server.client().logout(alice.token());
        assertThat(a.closeFuture().get(1, TimeUnit.SECONDS).code()).isEqualTo(CloseCodes.UNAUTHORIZED);
        assertThatThrownBy(() -> server.client().devices(alice.token()))
            .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void unknownRecipientsAndOthersConversationsAreRefused() {
        assertThatThrownBy(() -> a.sendToUser("987654321", "anyone?").join())
            .cause().isInstanceOfSatisfying(ParleyErrorException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> a.sendToUser(alice.id(), "me").join())
            .cause().isInstanceOfSatisfying(ParleyErrorException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        var carol = server.newUser("carol");
        ParleyConnection c = server.connect(carol);
        String conv = a.sendToUser(bob.id(), "private").join().conversationId();
        assertThatThrownBy(() -> c.sendToConversation(conv, "let me in").join())
            .cause().isInstanceOfSatisfying(ParleyErrorException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        c.delivered(conv, 1);
        assertThat(c.awaitFrame(ServerFrame.Error.class, T).code()).isEqualTo(ErrorCode.FORBIDDEN);
        c.typing(conv);
        assertThat(c.awaitFrame(ServerFrame.Error.class, T).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(b.pollFrame(ServerFrame.Typing.class, Duration.ofMillis(200))).isEmpty();
        stillWorks();
    }

    @Test
    void duplicateClientMsgIdIsAnsweredAgainButDeliveredOnce() {
        ClientFrame.Send frame = new ClientFrame.Send("same-id", ClientFrame.Target.user(bob.id()), "once", null);
        ServerFrame.Sent first = a.send(frame).join();
        ServerFrame.Sent again = a.send(frame).join();
        assertThat(again).isEqualTo(first);
        assertThat(b.awaitFrame(ServerFrame.Message.class, T).body()).isEqualTo("once");
        assertThat(b.pollFrame(ServerFrame.Message.class, Duration.ofMillis(300))).isEmpty();
        // Also from another device of the same user, and after a restart.
        var phone = server.anotherDevice(alice);
        ParleyConnection p = server.connect(phone);
        assertThat(p.send(frame).join().seq()).isEqualTo(first.seq());
        assertThat(server.client().history(bob.token(), first.conversationId(), null, null, null).messages())
            .hasSize(1);
    }

    @Test
    void accountsRefuseBadNamesWeakPasswordsAndCaseTwins() {
        var c = server.client();
        String name = TestServer.uniqueName("dora");
        c.register(name, TestServer.PASSWORD, "Dora");
        assertThatThrownBy(() -> c.register(name.toUpperCase(), TestServer.PASSWORD, "Twin"))
            .isInstanceOfSatisfying(ParleyApiException.class, e -> {
                assertThat(e.status()).isEqualTo(409);
                assertThat(e.code()).isEqualTo(ErrorCode.USERNAME_TAKEN);
            });
        assertThat(c.login(name.toUpperCase(), TestServer.PASSWORD, "x").userId()).isNotEmpty();
        assertThatThrownBy(() -> c.register(TestServer.uniqueName("weak"), "short", null))
            .isInstanceOfSatisfying(ParleyApiException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.WEAK_PASSWORD));
        for (String bad : new String[] {"ab", "has space", "emoji😀", "x".repeat(33), "slash/"}) {
            assertThatThrownBy(() -> c.register(bad, TestServer.PASSWORD, null))
                .as(bad).isInstanceOfSatisfying(ParleyApiException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
        RawResponse r = c.rawRequest("POST", "/v1/accounts", null, "{\"username\":");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("\"bad_request\"");
        r = c.rawRequest("POST", "/v1/accounts", null, "{\"username\":42,\"password\":\"xxxxxxxxxx\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(c.rawRequest("GET", "/v1/nowhere", null, null).status()).isEqualTo(404);
        r = c.rawRequest("GET", "/v1/accounts", null, null);
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("Allow")).contains("POST");
        assertThat(r.body()).contains("method not allowed");
        r = c.rawRequest("POST", "/v1/accounts", null, "{\"username\":\"" + "x".repeat(1 << 20) + "\"}");
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body()).contains("\"too_large\"");
    }

    @Test
    void loginBruteForceIsThrottledPerAccount() {
        var c = server.client();
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> c.login(alice.username(), "wrong password", "x"))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        }
        assertThatThrownBy(() -> c.login(alice.username(), TestServer.PASSWORD, "x"))
            .isInstanceOfSatisfying(ParleyApiException.class, e -> {
                assertThat(e.status()).isEqualTo(429);
                assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                assertThat(e.retryAfterSeconds()).isPresent();
            });
        // Other accounts are not affected.
        assertThat(c.login(bob.username(), TestServer.PASSWORD, "y").token()).isNotEmpty();
    }
}
