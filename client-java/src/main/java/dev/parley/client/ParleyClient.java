package dev.parley.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.internal.Http;
import dev.parley.client.internal.Json;
import dev.parley.protocol.MediaRef;
import java.io.EOFException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Entry point of the Java SDK: the REST calls of Parley protocol v1 and {@link #connect} for the WebSocket.
 * Thread-safe; share one client per server (it holds one {@link HttpClient} for every call and connection).
 *
 * <pre>{@code
 * try (ParleyClient client = ParleyClient.create(URI.create("http://127.0.0.1:8080"))) {
 *     client.register("alice", "correct horse battery", "Alice");
 *     Credentials alice = client.login("alice", "correct horse battery", "laptop");
 *     try (ParleyConnection conn = client.connect(alice.token()).join()) {
 *         conn.sendToUser(bobId, "hello").join();
 *     }
 * }
 * }</pre>
 *
 * <p>REST methods block. A status outside 2xx throws {@link ParleyApiException}; a transport failure throws
 * {@link UncheckedIOException}. Tokens are passed per call, so one client serves many users.
 */
public final class ParleyClient implements AutoCloseable {
    /** How often one step of a media upload is tried when the connection breaks or the server answers 5xx. */
    private static final int UPLOAD_ATTEMPTS = 4;
    /** The longest a discovery request may take (less when the request timeout is shorter). */
    private static final Duration MAX_DISCOVERY_WAIT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final Http rest;
    private final URI baseUrl;
    /** Discovery requests wait at most this long: a node that does not answer is skipped for the next. */
    private final Duration discoveryTimeout;
    private final Executor callbacks;
    private final ExecutorService ownedCallbacks;
    private final ScheduledExecutorService timer;
    private final Set<ParleyConnection> connections = ConcurrentHashMap.newKeySet();

    private ParleyClient(URI baseUrl, ClientOptions options) {
        this.baseUrl = baseUrl;
        // HTTP/1.1: the JDK's default would add an h2c upgrade offer to plain-http requests, which Parley does not
        // speak; tests of the server should see exactly the request they make.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(options.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        this.rest = new Http(http, baseUrl, options.requestTimeout(), Clock.systemUTC());
        this.discoveryTimeout = options.requestTimeout().compareTo(MAX_DISCOVERY_WAIT) < 0 ? options.requestTimeout()
            : MAX_DISCOVERY_WAIT;
        if (options.callbackExecutor() != null) {
            this.callbacks = options.callbackExecutor();
            this.ownedCallbacks = null;
        } else {
            AtomicInteger n = new AtomicInteger();
            this.ownedCallbacks = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "parley-client-callback-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.callbacks = ownedCallbacks;
        }
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "parley-client-timer");
            thread.setDaemon(true);
            return thread;
        });
        // Cancelled heartbeats of closed connections must not pile up in the queue of a long-lived client.
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    /** A client for the server at {@code baseUrl} (e.g. {@code http://127.0.0.1:8080}) with default options. */
    public static ParleyClient create(URI baseUrl) {
        return create(baseUrl, ClientOptions.defaults());
    }

    /** A client for the server at {@code baseUrl} with these options. */
    public static ParleyClient create(URI baseUrl, ClientOptions options) {
        return new ParleyClient(Objects.requireNonNull(baseUrl, "baseUrl"), Objects.requireNonNull(options, "options"));
    }

    /** The server's base URL. */
    public URI baseUrl() {
        return baseUrl;
    }

    // ---- accounts and sessions

    /** Registers an account ({@code POST /v1/accounts}); {@code displayName} may be {@code null}. */
    public Account register(String username, String password, String displayName) {
        ObjectNode body = Json.object().put("username", username).put("password", password);
        if (displayName != null) {
            body.put("displayName", displayName);
        }
        return Json.account(rest.call("POST", "/v1/accounts", null, body));
    }

    /** Logs in, creating a new device ({@code POST /v1/sessions}); {@code deviceName} may be {@code null}. */
    public Credentials login(String username, String password, String deviceName) {
        ObjectNode body = Json.object().put("username", username).put("password", password);
        if (deviceName != null) {
            body.put("deviceName", deviceName);
        }
        return Json.credentials(rest.call("POST", "/v1/sessions", null, body));
    }

    /** Logs out: the token stops working and its sockets close ({@code DELETE /v1/sessions/current}). */
    public void logout(String token) {
        rest.call("DELETE", "/v1/sessions/current", requireToken(token), null);
    }

    /** The caller's devices ({@code GET /v1/devices}). */
    public List<Device> devices(String token) {
        return Json.devices(rest.call("GET", "/v1/devices", requireToken(token), null));
    }

    /** Revokes one of the caller's devices; its sockets close within a second ({@code DELETE /v1/devices/{id}}). */
    public void revokeDevice(String token, String deviceId) {
        rest.call("DELETE", "/v1/devices/" + Http.encode(deviceId), requireToken(token), null);
    }

    /** Finds a user by username ({@code GET /v1/users?username=}); throws with {@code not_found} when none. */
    public UserProfile findUser(String token, String username) {
        return Json.user(rest.call("GET", "/v1/users" + Http.query(Map.of("username", username)),
            requireToken(token), null));
    }

    /** Sets who may see the caller's presence ({@code PUT /v1/me/privacy}). */
    public void setPrivacy(String token, LastSeenPrivacy lastSeen) {
        rest.call("PUT", "/v1/me/privacy", requireToken(token), Json.object().put("lastSeen", lastSeen.wireName()));
    }

    // ---- push notifications

    /**
     * Registers the calling device's push channel ({@code PUT /v1/devices/current/push}), replacing the one it had.
     *
     * @param channel e.g. {@code {"kind":"fcm","token":"..."}}; see {@code docs/protocol.md}
     */
    public void registerPush(String token, Map<String, Object> channel) {
        rest.call("PUT", "/v1/devices/current/push", requireToken(token), dev.parley.protocol.FrameCodec.INSTANCE.mapper().valueToTree(channel));
    }

    /** Removes the calling device's push channel ({@code DELETE /v1/devices/current/push}). */
    public void unregisterPush(String token) {
        rest.call("DELETE", "/v1/devices/current/push", requireToken(token), null);
    }

    /** Whether the caller's push notifications may show message text ({@code PUT /v1/me/settings}). */
    public void setPushPreviews(String token, boolean previews) {
        rest.call("PUT", "/v1/me/settings", requireToken(token), Json.object().put("pushPreviews", previews));
    }

    /** Mutes a conversation's push notifications until {@code until} (epoch ms; {@code PUT .../mute}). */
    public void mute(String token, String conversationId, long until) {
        rest.call("PUT", "/v1/conversations/" + Http.encode(conversationId) + "/mute", requireToken(token),
            Json.object().put("until", until));
    }

    /** Lifts a mute ({@code DELETE /v1/conversations/{id}/mute}). */
    public void unmute(String token, String conversationId) {
        rest.call("DELETE", "/v1/conversations/" + Http.encode(conversationId) + "/mute", requireToken(token), null);
    }

    // ---- conversations and history

    /** The caller's conversations ({@code GET /v1/conversations}). */
    public List<ConversationSummary> conversations(String token) {
        return Json.conversations(rest.call("GET", "/v1/conversations", requireToken(token), null));
    }

    /**
     * One page of a conversation's history, ascending by {@code seq}. With neither cursor: the newest
     * {@code limit}; {@code beforeSeq=N}: the newest {@code limit} below N; {@code afterSeq=N}: the oldest
     * {@code limit} above N.
     *
     * @param beforeSeq a cursor, or {@code null}
     * @param afterSeq  a cursor, or {@code null}
     * @param limit     the page size (server default 50, max 200), or {@code null} for the default
     */
    public HistoryPage history(String token, String conversationId, Long beforeSeq, Long afterSeq, Integer limit) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("beforeSeq", beforeSeq);
        q.put("afterSeq", afterSeq);
        q.put("limit", limit);
        return Json.history(rest.call("GET", "/v1/conversations/" + Http.encode(conversationId) + "/messages"
            + Http.query(q), requireToken(token), null));
    }

    /** The newest page (default size) of a conversation's history. */
    public HistoryPage history(String token, String conversationId) {
        return history(token, conversationId, null, null, null);
    }

    /** Per member, whether a message was delivered and read, and whether by all ({@code GET .../receipts}). */
    public MessageInfo messageInfo(String token, String conversationId, long seq) {
        return Json.messageInfo(rest.call("GET", "/v1/conversations/" + Http.encode(conversationId) + "/messages/"
            + seq + "/receipts", requireToken(token), null));
    }

    /** Per member, whether a message was delivered and read ({@code GET .../messages/{seq}/receipts}). */
    public List<MessageReceipt> receipts(String token, String conversationId, long seq) {
        return Json.receipts(rest.call("GET", "/v1/conversations/" + Http.encode(conversationId) + "/messages/"
            + seq + "/receipts", requireToken(token), null));
    }

    // ---- groups

    /** Creates a group with the caller as admin and these other members ({@code POST /v1/groups}). */
    public GroupInfo createGroup(String token, String name, List<String> memberIds) {
        ObjectNode body = Json.object().put("name", name);
        ArrayNode members = body.putArray("members");
        memberIds.forEach(members::add);
        return Json.group(rest.call("POST", "/v1/groups", requireToken(token), body));
    }

    /** A group's name and members with roles ({@code GET /v1/groups/{id}}). */
    public GroupInfo group(String token, String conversationId) {
        return Json.group(rest.call("GET", "/v1/groups/" + Http.encode(conversationId), requireToken(token), null));
    }

    /** Adds members to a group; admins only ({@code POST /v1/groups/{id}/members}). Returns the group after. */
    public GroupInfo addMembers(String token, String conversationId, List<String> userIds) {
        ObjectNode body = Json.object();
        ArrayNode ids = body.putArray("userIds");
        userIds.forEach(ids::add);
        return Json.group(rest.call("POST", "/v1/groups/" + Http.encode(conversationId) + "/members",
            requireToken(token), body));
    }

    /**
     * Makes a member an admin ({@code "admin"}) or a plain member again ({@code "member"}); admins only
     * ({@code PUT /v1/groups/{id}/members/{userId}}). Returns the group after.
     */
    public GroupInfo setRole(String token, String conversationId, String userId, String role) {
        ObjectNode body = Json.object().put("role", role);
        return Json.group(rest.call("PUT", "/v1/groups/" + Http.encode(conversationId) + "/members/"
            + Http.encode(userId), requireToken(token), body));
    }

    /**
     * Renames a group and sets its description ({@code PATCH /v1/groups/{id}}); admins only. A {@code null}
     * argument leaves that field as it is. Returns the group after.
     */
    public GroupInfo updateGroup(String token, String conversationId, String name, String description) {
        ObjectNode body = Json.object();
        if (name != null) {
            body.put("name", name);
        }
        if (description != null) {
            body.put("description", description);
        }
        return Json.group(rest.call("PATCH", "/v1/groups/" + Http.encode(conversationId), requireToken(token),
            body));
    }

    /** Removes a member (admins), or leaves when {@code userId} is the caller's own id. */
    public void removeMember(String token, String conversationId, String userId) {
        rest.call("DELETE", "/v1/groups/" + Http.encode(conversationId) + "/members/" + Http.encode(userId),
            requireToken(token), null);
    }

    // ---- media

    /**
     * Announces a blob ({@code POST /v1/media}): either it exists already, or the answer says where to send it;
     * {@link #finishUpload} does that in every shape the server may ask for.
     *
     * @param sha256Hex the SHA-256 of the bytes, lower-case hex
     */
    public MediaUpload createMedia(String token, long size, String mimeType, String sha256Hex) {
        ObjectNode body = Json.object().put("size", size).put("mimeType", mimeType).put("sha256", sha256Hex);
        return Json.mediaUpload(rest.call("POST", "/v1/media", requireToken(token), body));
    }

    /**
     * Announces and, when the server lacks it, uploads a blob ({@link #finishUpload}: resuming after broken
     * connections); returns the media id to send.
     */
    public String uploadMedia(String token, byte[] bytes, String mimeType) {
        MediaUpload m = createMedia(token, bytes.length, mimeType, sha256Hex(bytes));
        if (!m.exists()) {
            finishUpload(token, m, bytes);
        }
        return m.mediaId();
    }

    /**
     * Sends the content of an upload announced by {@link #createMedia}, however the server wants it: to Parley's
     * upload URL (asking first how much arrived, then {@code PUT} or {@code PATCH} from there), straight to the
     * object store in one {@code PUT}, or in parts (only those missing); then {@link #completeMedia} for direct
     * uploads. A broken connection or a 5xx answer is retried a few times with backoff, continuing from what
     * arrived; when it still fails, calling this again with the same {@code upload} continues where it stopped.
     *
     * @return the verified media, as messages carry it
     * @throws ParleyApiException when the server refuses the content (400 verification failed, 413, 403...)
     */
    public MediaRef finishUpload(String token, MediaUpload upload, byte[] bytes) {
        if (upload.exists()) {
            throw new IllegalArgumentException("media " + upload.mediaId() + " exists: nothing to upload");
        }
        if (upload.inParts()) {
            retrying(attempt -> {
                // after a failure, ask which parts arrived (and for fresh URLs of the others)
                List<MediaPart> parts = attempt == 1 ? upload.parts() : mediaParts(token, upload.mediaId()).parts();
                for (MediaPart part : parts) {
                    if (!part.received()) {
                        rest.check(rest.sendBytes("PUT", part.url(), bytes, Math.toIntExact(part.offset()),
                            Math.toIntExact(part.length()), Map.of()));
                    }
                }
                return null;
            });
            return completeMedia(token, upload.mediaId());
        }
        if (upload.uploadUrl() == null) {
            throw new ParleyException("POST /v1/media: neither exists, uploadUrl nor parts in the answer " + upload);
        }
        if (upload.direct()) {
            retrying(attempt -> {
                rest.check(rest.sendBytes("PUT", upload.uploadUrl(), bytes, 0, bytes.length, Map.of()));
                return null;
            });
            return completeMedia(token, upload.mediaId());
        }
        return retrying(attempt -> {
            // Parley's tus-style URL: continue from what arrived (0 for a fresh upload)
            RawResponse head = rest.sendBytes("HEAD", upload.uploadUrl(), null, 0, 0, Map.of());
            rest.check(head);
            int offset = Math.toIntExact(Long.parseLong(head.header("Upload-Offset").orElse("0")));
            RawResponse r = offset == 0
                ? rest.sendBytes("PUT", upload.uploadUrl(), bytes, 0, bytes.length, Map.of())
                : rest.sendBytes("PATCH", upload.uploadUrl(), bytes, offset, bytes.length - offset, Map.of(
                    "Upload-Offset", Integer.toString(offset),
                    "Content-Type", "application/offset+octet-stream"));
            rest.check(r);
            if (r.status() == 204) { // the body ended early (the connection broke on the way): ask again
                throw new UncheckedIOException(new EOFException("upload: the server received a short body"));
            }
            return Json.mediaRef(Json.parse(r.body()));
        });
    }

    /**
     * Runs {@code step} (given the attempt number, from 1) until it returns; a broken connection, a 5xx or a 429 is
     * tried again after a backoff with jitter, up to {@link #UPLOAD_ATTEMPTS} times; anything else is thrown.
     */
    private static <T> T retrying(IntFunction<T> step) {
        for (int attempt = 1; ; attempt++) {
            try {
                return step.apply(attempt);
            } catch (RuntimeException e) {
                boolean retriable = e instanceof UncheckedIOException
                    || e instanceof ParleyApiException api && (api.status() >= 500 || api.status() == 429);
                if (!retriable || attempt >= UPLOAD_ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep((100L << attempt) + ThreadLocalRandom.current().nextLong(100));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * How far one of the caller's uploads in parts is, with fresh URLs for the missing parts
     * ({@code GET /v1/media/{id}/parts}).
     */
    public UploadProgress mediaParts(String token, String mediaId) {
        return Json.uploadProgress(rest.call("GET", "/v1/media/" + Http.encode(mediaId) + "/parts",
            requireToken(token), null));
    }

    /**
     * Has the server verify and store an upload that went straight to the object store
     * ({@code POST /v1/media/{id}/complete}); idempotent.
     */
    public MediaRef completeMedia(String token, String mediaId) {
        return Json.mediaRef(rest.call("POST", "/v1/media/" + Http.encode(mediaId) + "/complete",
            requireToken(token), null));
    }

    /** Pre-signed download URLs of a blob ({@code GET /v1/media/{id}/url}); 403 unless the caller may see it. */
    public MediaUrl mediaUrl(String token, String mediaId) {
        return Json.mediaUrl(rest.call("GET", "/v1/media/" + Http.encode(mediaId) + "/url", requireToken(token),
            null));
    }

    /** Downloads from a (pre-signed) URL, absolute or relative to the base URL. */
    public byte[] download(String url) {
        return rest.getBytes(url, null);
    }

    /** The lower-case hex SHA-256 of {@code bytes}, as {@link #createMedia} expects. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    // ---- health and raw access

    /** Whether {@code GET /v1/health} answers 200; {@code false} for any other status or when unreachable. */
    public boolean health() {
        try {
            return rest.raw("GET", "/v1/health", null, null).status() == 200;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /**
     * Polls {@link #health()} until it is true.
     *
     * @throws ParleyTimeoutException when the server is not healthy within {@code timeout}
     */
    public void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!health()) {
            if (System.nanoTime() - deadline > 0) {
                throw new ParleyTimeoutException(baseUrl + "/v1/health: not 200 within " + timeout);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ParleyException("interrupted while waiting for " + baseUrl + "/v1/health", e);
            }
        }
    }

    /**
     * Sends any request and returns the answer as it is, whatever its status: for tests of bad input.
     *
     * @param method   e.g. {@code "POST"}
     * @param path     e.g. {@code "/v1/accounts"} (with its query, already encoded), or an absolute URL
     * @param token    a bearer token, or {@code null} for none
     * @param jsonBody the body, sent as {@code application/json}, or {@code null} for none
     */
    public RawResponse rawRequest(String method, String path, String token, String jsonBody) {
        return rest.raw(method, path, token, jsonBody);
    }

    // ---- discovery

    /**
     * Which node to connect to ({@code GET /v1/discovery} on this client's base URL): the least-loaded live node of
     * the cluster; a single node answers itself.
     */
    public Discovery discover() {
        return discover(baseUrl);
    }

    /**
     * {@code GET /v1/discovery} on any node ({@code http(s)://host:port}); needs no token.
     *
     * @throws ParleyApiException for an answer outside 2xx (404 from a server without discovery)
     * @throws UncheckedIOException when the node cannot be reached
     */
    public Discovery discover(URI nodeBaseUrl) {
        try {
            return discoverAsync(nodeBaseUrl).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** {@link #discover(URI)} without blocking; completes on the HTTP client's threads. */
    CompletableFuture<Discovery> discoverAsync(URI nodeBaseUrl) {
        URI url = URI.create(Http.normalizeBase(nodeBaseUrl) + "/v1/discovery");
        return rest.rawAsync("GET", url, discoveryTimeout).thenApply(r -> {
            rest.check(r);
            return Json.discovery(Json.parse(r.body()));
        });
    }

    // ---- WebSocket

    /** Opens {@code /v1/ws} and authenticates with default options; see {@link #connect(String, ConnectOptions)}. */
    public CompletableFuture<ParleyConnection> connect(String token) {
        return connect(token, ConnectOptions.defaults());
    }

    /**
     * Opens {@code /v1/ws}, sends {@code auth} and completes when {@code ready} arrives. A rejected token fails
     * the future with a {@link ParleyErrorException} carrying the error frame and the close (4401); a close
     * without an error frame fails with {@link ParleyClosedException}; no {@code ready} within
     * {@link ConnectOptions#handshakeTimeout()} fails with {@link ParleyTimeoutException}.
     */
    public CompletableFuture<ParleyConnection> connect(String token, ConnectOptions options) {
        return connect(rest.webSocketUri(), token, options);
    }

    /**
     * {@link #connect(String, ConnectOptions)} to another node's WebSocket URL ({@code ws(s)://host:port/v1/ws}, as
     * {@link #discover} answers); the token is valid on every node of a cluster.
     */
    public CompletableFuture<ParleyConnection> connect(URI webSocketUrl, String token, ConnectOptions options) {
        Objects.requireNonNull(webSocketUrl, "webSocketUrl");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(options, "options");
        if (!"ws".equalsIgnoreCase(webSocketUrl.getScheme()) && !"wss".equalsIgnoreCase(webSocketUrl.getScheme())) {
            throw new IllegalArgumentException("webSocketUrl: " + webSocketUrl + " (expected: ws:// or wss://)");
        }
        CompletableFuture<ParleyConnection> ready = ParleyConnection.open(http, webSocketUrl, token, options,
            callbacks, timer, connections::remove);
        return ready.thenApply(c -> {
            connections.add(c);
            if (!c.isOpen()) {
                connections.remove(c);
            }
            return c;
        });
    }

    /**
     * A session that connects now and again whenever its connection ends (backoff with full jitter from
     * {@link ParleySession#DEFAULT_BASE_DELAY} up to {@link ParleySession#DEFAULT_MAX_DELAY}), until closed or its
     * token is refused; see {@link ParleySession}.
     */
    public ParleySession session(String token, ConnectOptions options) {
        return session(token, options, SessionOptions.defaults());
    }

    /** {@link #session(String, ConnectOptions)} with another backoff. */
    public ParleySession session(String token, ConnectOptions options, Duration baseDelay, Duration maxDelay) {
        return session(token, options, SessionOptions.defaults().withBackoff(baseDelay, maxDelay));
    }

    /**
     * A session with these options: with {@link SessionOptions#withDiscovery discovery}, it asks
     * {@code GET /v1/discovery} before every connection and connects to the node answered, so that when its node
     * dies it lands on a live one.
     */
    public ParleySession session(String token, ConnectOptions options, SessionOptions sessionOptions) {
        return new ParleySession(this, token, options, timer, sessionOptions);
    }

    /** The connections opened by this client that are still open. */
    public Set<ParleyConnection> openConnections() {
        return Set.copyOf(connections);
    }

    /** Closes every open connection (normally, each within its close timeout), then releases the HTTP client. */
    @Override
    public void close() {
        List<ParleyConnection> open = List.copyOf(connections);
        // Start every close handshake first, then wait for each: the waits overlap.
        open.forEach(c -> c.closeAsync(CloseStatus.NORMAL, ""));
        open.forEach(ParleyConnection::close);
        http.shutdownNow();
        timer.shutdownNow();
        if (ownedCallbacks != null) {
            ownedCallbacks.shutdown();
        }
    }

    private static String requireToken(String token) {
        return Objects.requireNonNull(token, "token");
    }
}
