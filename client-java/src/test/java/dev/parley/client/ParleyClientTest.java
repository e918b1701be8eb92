package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.MediaRef;
import dev.parley.protocol.ServerFrame;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** REST calls against a canned JDK HTTP server: request shape, answer parsing, error mapping. */
class ParleyClientTest {
    record Seen(String method, String uri, String authorization, String contentType, String body) {
    }

    record Canned(int status, String body, Map<String, String> headers) {
    }

    private final Map<String, Canned> answers = new ConcurrentHashMap<>();
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private HttpServer server;
    private ParleyClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        client = ParleyClient.create(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"));
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(),
            ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Content-Type"), body));
        Canned c = answers.getOrDefault(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath(),
            new Canned(404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no route\"}}", Map.of()));
        c.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        byte[] out = c.body().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(c.status(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            ex.getResponseBody().write(out);
        }
        ex.close();
    }

    private void answer(String route, int status, String body) {
        answers.put(route, new Canned(status, body, Map.of()));
    }

    @Test
    void registerPostsJsonAndParsesTheAccount() throws Exception {
        answer("POST /v1/accounts", 201, "{\"userId\":\"17\",\"username\":\"alice\"}");
        assertThat(client.register("alice", "pw pw pw pw", "Alice A.")).isEqualTo(new Account("17", "alice"));
        Seen s = seen.take();
        assertThat(s.uri()).isEqualTo("/v1/accounts");
        assertThat(s.contentType()).isEqualTo("application/json");
        assertThat(s.authorization()).isNull();
        assertThat(s.body())
            .isEqualTo("{\"username\":\"alice\",\"password\":\"pw pw pw pw\",\"displayName\":\"Alice A.\"}");
    }

    @Test
    void loginAcceptsNumericIdsAndHidesTheTokenInToString() {
        answer("POST /v1/sessions", 201, "{\"token\":\"t0k\",\"userId\":17,\"deviceId\":9007199254740993}");
        Credentials c = client.login("alice", "pw", null);
        assertThat(c).isEqualTo(new Credentials("t0k", "17", "9007199254740993"));
        assertThat(c.toString()).doesNotContain("t0k");
    }

    @Test
    void errorBodyBecomesParleyApiException() {
        answer("POST /v1/accounts", 409, "{\"error\":{\"code\":\"username_taken\",\"message\":\"alice is taken\"}}");
        assertThatThrownBy(() -> client.register("alice", "pw", null))
            .isInstanceOfSatisfying(ParleyApiException.class, e -> {
                assertThat(e.status()).isEqualTo(409);
                assertThat(e.code()).isEqualTo(ErrorCode.USERNAME_TAKEN);
                assertThat(e.errorMessage()).isEqualTo("alice is taken");
                assertThat(e.retryAfterSeconds()).isEmpty();
                assertThat(e.retriable()).isFalse();
                assertThat(e).hasMessage("HTTP 409 username_taken: alice is taken");
            });
    }

    @Test
    void rateLimitCarriesRetryAfter() {
        answers.put("POST /v1/sessions", new Canned(429,
            "{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\"}}", Map.of("Retry-After", "7")));
        assertThatThrownBy(() -> client.login("alice", "pw", "phone"))
            .isInstanceOfSatisfying(ParleyApiException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                assertThat(e.retryAfterSeconds()).hasValue(7);
                assertThat(e.retriable()).isTrue();
            });
    }

    @Test
    void authenticatedCallsCarryTheBearerTokenAndEncodeParameters() throws Exception {
        answer("GET /v1/users", 200, "{\"userId\":\"5\",\"username\":\"bob smith\",\"displayName\":null}");
        assertThat(client.findUser("tok", "bob smith&x")).isEqualTo(new UserProfile("5", "bob smith", null));
        Seen s = seen.take();
        assertThat(s.authorization()).isEqualTo("Bearer tok");
        assertThat(s.uri()).isEqualTo("/v1/users?username=bob%20smith%26x");
    }

    @Test
    void historyParsesEntriesWithOrWithoutTypeAndSendsOnlyGivenCursors() throws Exception {
        answer("GET /v1/conversations/c%2F1/messages", 200, """
            {"messages":[
              {"type":"message","conversationId":"c/1","seq":4,"messageId":"m4","from":"1","fromDevice":"2",
               "clientMsgId":"k4","body":"hi","ts":10},
              {"conversationId":"c/1","seq":5,"messageId":"m5","from":"1","fromDevice":"2","clientMsgId":"k5",
               "body":"yo","ts":11,"media":{"mediaId":"md","mimeType":"image/png","size":3}}
            ],"hasMore":true}""");
        HistoryPage page = client.history("tok", "c/1", 6L, null, 2);
        assertThat(page.hasMore()).isTrue();
        assertThat(page.messages()).extracting(m -> m.seq()).containsExactly(4L, 5L);
        assertThat(page.messages().get(1).media().mimeType()).isEqualTo("image/png");
        assertThat(page.firstSeq()).isEqualTo(4);
        assertThat(seen.take().uri()).isEqualTo("/v1/conversations/c%2F1/messages?beforeSeq=6&limit=2");
    }

    @Test
    void conversationsDevicesGroupsAndReceipts() {
        answer("GET /v1/conversations", 200, """
            {"conversations":[
              {"conversationId":"3","kind":"group","title":"team","lastSeq":12,"unread":2},
              {"conversationId":"4","kind":"direct","title":"Bob","peerUserId":"7","lastSeq":1,
               "lastMessage":{"conversationId":"4","seq":1,"messageId":"m","from":"7","fromDevice":"8",
                              "clientMsgId":"k","body":"hi","ts":5}}
            ]}""");
        answer("GET /v1/devices", 200, "{\"devices\":[{\"deviceId\":\"9\",\"name\":\"laptop\",\"createdAt\":5}]}");
        answer("POST /v1/groups", 201, "{\"conversationId\":\"3\",\"name\":\"team\",\"members\":[\"1\",\"2\"]}");
        answer("GET /v1/groups/3", 200, "{\"conversationId\":\"3\",\"name\":\"team\","
            + "\"members\":[{\"userId\":\"1\",\"role\":\"admin\"},{\"userId\":\"2\",\"role\":\"member\"}]}");
        answer("GET /v1/conversations/3/messages/12/receipts", 200,
            "{\"receipts\":[{\"userId\":\"2\",\"delivered\":true,\"read\":false}]}");
        assertThat(client.conversations("t")).containsExactly(
            new ConversationSummary("3", "group", "team", 12, 2L, null, null, null),
            new ConversationSummary("4", "direct", "Bob", 1, null, "7",
                new ServerFrame.Message("4", 1, "m", "7", "8", "k", "hi", 5, null, null), null));
        assertThat(client.devices("t")).containsExactly(new Device("9", "laptop", 5L, null));
        assertThat(client.createGroup("t", "team", List.of("2")).memberIds()).containsExactly("1", "2");
        assertThat(client.group("t", "3").members()).contains(new GroupMember("1", "admin"));
        assertThat(client.receipts("t", "3", 12)).containsExactly(new MessageReceipt("2", true, false));
    }

    @Test
    void noContentAnswersAreFine() throws Exception {
        answer("DELETE /v1/sessions/current", 204, "");
        answer("DELETE /v1/devices/9", 204, "");
        client.logout("t");
        client.revokeDevice("t", "9");
        assertThat(seen.take().method()).isEqualTo("DELETE");
    }

    @Test
    void rawRequestNeverThrowsOnStatus() {
        answer("POST /v1/accounts", 400, "{\"error\":{\"code\":\"bad_request\",\"message\":\"username: missing\"}}");
        RawResponse r = client.rawRequest("POST", "/v1/accounts", null, "{\"password\":1");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("bad_request");
        assertThat(r.header("content-length")).isPresent();
        assertThat(r.isSuccess()).isFalse();
    }

    @Test
    void nonJsonErrorBodyFallsBackToTheStatus() {
        answer("GET /v1/conversations", 502, "<html>bad gateway</html>");
        assertThatThrownBy(() -> client.conversations("t")).isInstanceOfSatisfying(ParleyApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
            assertThat(e.wireCode()).isNull();
            assertThat(e.errorMessage()).isEqualTo("<html>bad gateway</html>");
        });
    }

    @Test
    void mediaUploadHashesAnnouncesAndPuts() throws Exception {
        String sha = ParleyClient.sha256Hex("abc".getBytes(StandardCharsets.UTF_8));
        assertThat(sha).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        answer("POST /v1/media", 201, "{\"mediaId\":\"md1\",\"uploadUrl\":\"/upload/md1?sig=x\",\"expiresAt\":1000}");
        answers.put("HEAD /upload/md1", new Canned(200, "", Map.of("Upload-Offset", "0", "Upload-Length", "3")));
        answer("PUT /upload/md1", 201, MEDIA_MD1);
        assertThat(client.uploadMedia("t", "abc".getBytes(StandardCharsets.UTF_8), "text/plain")).isEqualTo("md1");
        assertThat(seen.take().body()).contains("\"sha256\":\"" + sha + "\"").contains("\"size\":3");
        assertThat(seen.take().method()).isEqualTo("HEAD");
        Seen put = seen.take();
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.uri()).isEqualTo("/upload/md1?sig=x");
        assertThat(put.authorization()).isNull();
        assertThat(put.body()).isEqualTo("abc");
    }

    private static final String MEDIA_MD1 = "{\"mediaId\":\"md1\",\"media\":{\"mediaId\":\"md1\","
        + "\"mimeType\":\"text/plain\",\"size\":3,\"thumbnail\":false}}";

    @Test
    void mediaUploadContinuesFromWhatArrivedBefore() throws Exception {
        MediaUpload slot = new MediaUpload("md1", false, "/upload/md1?sig=x", false, List.of(), null);
        answers.put("HEAD /upload/md1", new Canned(200, "", Map.of("Upload-Offset", "1", "Upload-Length", "3")));
        answer("PATCH /upload/md1", 201, MEDIA_MD1);

        MediaRef ref = client.finishUpload("t", slot, "abc".getBytes(StandardCharsets.UTF_8));

        assertThat(ref).isEqualTo(new MediaRef("md1", "text/plain", 3L, null, null, false));
        assertThat(seen.take().method()).isEqualTo("HEAD");
        Seen patch = seen.take();
        assertThat(patch.method()).isEqualTo("PATCH");
        assertThat(patch.contentType()).isEqualTo("application/offset+octet-stream");
        assertThat(patch.body()).isEqualTo("bc");
    }

    @Test
    void mediaUploadInPartsSendsTheMissingPartsThenCompletes() throws Exception {
        answer("POST /v1/media", 201, "{\"mediaId\":\"md1\",\"direct\":true,\"expiresAt\":1000,\"parts\":["
            + "{\"number\":1,\"offset\":0,\"length\":2,\"url\":\"/store/p1\"},"
            + "{\"number\":2,\"offset\":2,\"length\":2,\"received\":true},"
            + "{\"number\":3,\"offset\":4,\"length\":1,\"url\":\"/store/p3\"}]}");
        answer("PUT /store/p1", 200, "");
        answer("PUT /store/p3", 200, "");
        answer("POST /v1/media/md1/complete", 200, MEDIA_MD1);

        assertThat(client.uploadMedia("t", "abcde".getBytes(StandardCharsets.UTF_8), "text/plain")).isEqualTo("md1");

        seen.take();
        assertThat(List.of(seen.take(), seen.take())).extracting(Seen::uri, Seen::body)
            .containsExactly(tuple("/store/p1", "ab"), tuple("/store/p3", "e"));
        Seen complete = seen.take();
        assertThat(complete.uri()).isEqualTo("/v1/media/md1/complete");
        assertThat(complete.authorization()).isEqualTo("Bearer t");
    }

    @Test
    void mediaUploadStopsAtARefusal() {
        MediaUpload slot = new MediaUpload("md1", false, "/store/whole", true, List.of(), null);
        answer("PUT /store/whole", 200, "");
        answer("POST /v1/media/md1/complete", 400,
            "{\"error\":{\"code\":\"bad_request\",\"message\":\"upload: the content's SHA-256 is ...\"}}");
        assertThatThrownBy(() -> client.finishUpload("t", slot, new byte[] {1, 2}))
            .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void healthIsTrueOnlyFor200AndFalseWhenUnreachable() throws Exception {
        answer("GET /v1/health", 200, "{\"status\":\"ok\"}");
        assertThat(client.health()).isTrue();
        client.awaitHealthy(Duration.ofSeconds(1));
        answer("GET /v1/health", 503, "");
        assertThat(client.health()).isFalse();
        assertThatThrownBy(() -> client.awaitHealthy(Duration.ofMillis(200)))
            .isInstanceOf(ParleyTimeoutException.class);
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (ParleyClient down = ParleyClient.create(URI.create("http://127.0.0.1:" + port))) {
            assertThat(down.health()).isFalse();
        }
    }

    @Test
    void rejectsBadBaseUrls() {
        assertThatThrownBy(() -> ParleyClient.create(URI.create("ws://127.0.0.1:1")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: an http:// or https:// URL");
    }
}
