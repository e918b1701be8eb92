package dev.parley.client;

import dev.parley.client.internal.AutoAcker;
import dev.parley.client.internal.Inbox;
import dev.parley.client.internal.OutboundQueue;
import dev.parley.client.internal.PendingReplies;
import dev.parley.client.internal.TextAssembler;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.MediaRef;
import dev.parley.protocol.ProtocolException;
import dev.parley.protocol.ServerFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One authenticated {@code /v1/ws} connection of one device, opened by {@link ParleyClient#connect}. Thread-safe.
 *
 * <p>Every frame received after {@code ready} lands in the {@link #inbox()}, in arrival order, and stays there until
 * taken: the {@code await*} helpers remove only what they return. {@link #send} answers with the {@code sent} frame
 * of its {@code clientMsgId}, or fails with a {@link ParleyErrorException} when an {@code error} frame names it in
 * {@code ref}. Writes are queued, so any number of threads may send at once.
 *
 * <pre>{@code
 * try (ParleyConnection conn = client.connect(credentials.token()).join()) {
 *     conn.awaitSynced(Duration.ofSeconds(5));
 *     ServerFrame.Sent sent = conn.sendToUser(bobId, "hi").get(5, TimeUnit.SECONDS);
 *     ServerFrame.Receipt r = conn.awaitFrame(ServerFrame.Receipt.class, Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Futures returned here complete on the client's callback executor, never on the I/O thread. The connection does
 * not reconnect: once closed, it stays closed ({@link #closeFuture()}); connect again to resume, the server then
 * pushes what this device has not acknowledged.
 */
public final class ParleyConnection implements AutoCloseable {
    /** Largest text message accepted from the server, in chars; larger ones are dropped (see unknownFrames). */
    private static final long MAX_INBOUND_CHARS = 16L << 20;
    /** After an error frame during authentication, how long to wait for the close that should follow. */
    private static final long AUTH_CLOSE_WAIT_MILLIS = 2_000;
    private static final FrameCodec CODEC = FrameCodec.INSTANCE;

    private final URI uri;
    private final ConnectOptions options;
    private final Executor callbacks;
    private final Consumer<ParleyConnection> onClosed;
    private final MessageTracker tracker;
    private final Inbox<ServerFrame> inbox = new Inbox<>();
    private final BlockingQueue<String> rawFrames = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> unknownFrames = new LinkedBlockingQueue<>();
    private final OutboundQueue outbound = new OutboundQueue();
    private final PendingReplies pending = new PendingReplies();
    private final AutoAcker autoAcker;
    private final CompletableFuture<ParleyConnection> readyFuture = new CompletableFuture<>();
    private final CompletableFuture<Void> syncedFuture = new CompletableFuture<>();
    private final CompletableFuture<CloseStatus> closeFuture = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    private final AtomicBoolean readySettled = new AtomicBoolean();
    private volatile WebSocket webSocket;
    private volatile ServerFrame.Ready ready;
    private volatile ServerFrame.Error authError;
    private volatile boolean synced;
    private volatile CloseStatus closeStatus;
    private volatile ScheduledFuture<?> heartbeat;
    private volatile ScheduledFuture<?> handshakeTimer;

    private ParleyConnection(URI uri, ConnectOptions options, Executor callbacks, Consumer<ParleyConnection> onClosed) {
        this.uri = uri;
        this.options = options;
        this.callbacks = callbacks;
        this.onClosed = onClosed;
        this.tracker = options.tracker() != null ? options.tracker() : new MessageTracker();
        this.autoAcker = new AutoAcker(outbound, this::sendText, options.autoAck());
    }

    /** Upgrades, authenticates and completes on {@code ready}; used by {@link ParleyClient#connect}. */
    static CompletableFuture<ParleyConnection> open(HttpClient http, URI uri, String token, ConnectOptions options,
                                                    Executor callbacks, ScheduledExecutorService timer,
                                                    Consumer<ParleyConnection> onClosed) {
        ParleyConnection c = new ParleyConnection(uri, options, callbacks, onClosed);
        http.newWebSocketBuilder().connectTimeout(options.handshakeTimeout()).buildAsync(uri, c.new Listener())
            .whenComplete((ws, error) -> {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    c.handleClosed(new CloseStatus(CloseStatus.ABNORMAL, "upgrade failed: " + cause), cause);
                    return;
                }
                c.webSocket = ws;
                c.sendFrame(new ClientFrame.Auth(token));
            });
        c.handshakeTimer = timer.schedule(() -> {
            if (c.failReady(new ParleyTimeoutException("no ready within " + options.handshakeTimeout()))) {
                c.abort();
            }
        }, options.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (options.pingInterval() != null) {
            long every = options.pingInterval().toNanos();
            c.heartbeat = timer.scheduleWithFixedDelay(c::heartbeat, every, every, TimeUnit.NANOSECONDS);
            if (c.closed.get()) {
                c.heartbeat.cancel(false);
            }
        }
        return c.readyFuture;
    }

    /** A fresh random {@code clientMsgId} (a UUID), as {@link #send} uses when none is given. */
    public static String newClientMsgId() {
        return UUID.randomUUID().toString();
    }

    // ---- identity and state

    /** The {@code ready} frame that opened this connection. */
    public ServerFrame.Ready ready() {
        return ready;
    }

    /** The WebSocket URL this connection was opened to (the node it is on). */
    public URI uri() {
        return uri;
    }

    /** The authenticated user's id. */
    public String userId() {
        return ready.userId();
    }

    /** This device's id. */
    public String deviceId() {
        return ready.deviceId();
    }

    /** Whether the connection is open: authenticated and not closed. */
    public boolean isOpen() {
        return ready != null && !closed.get();
    }

    /** Whether {@code synced} arrived: the backlog of unacknowledged messages has been pushed. */
    public boolean isSynced() {
        return synced;
    }

    /**
     * Completes with how the connection ended: the server's Close, a drop (1006) or {@link #abort()}. A TCP drop
     * without a Close frame is noticed at once in most cases; the JDK WebSocket misses it when it happens while a
     * frame is being handled, so it is then noticed by the heartbeat ({@link ConnectOptions#pingInterval()}) or
     * the next write.
     */
    public CompletableFuture<CloseStatus> closeFuture() {
        return closeFuture;
    }

    // ---- received frames

    /**
     * Every frame received after {@code ready}, in arrival order ({@code message}, {@code synced}, {@code sent},
     * {@code receipt}, {@code typing}, {@code presence}, {@code error}, {@code pong}). Nothing is removed unless a
     * caller takes it; nothing is deduplicated.
     */
    public BlockingQueue<ServerFrame> inbox() {
        return inbox.queue();
    }

    /** The raw JSON of every text frame received ({@code ready} included) if {@link ConnectOptions#recordRawFrames}. */
    public BlockingQueue<String> rawFrames() {
        return rawFrames;
    }

    /**
     * Frames this SDK could not decode (an unknown {@code type} from a newer server, malformed JSON, a binary or
     * oversized frame). They are kept here rather than failing the connection.
     */
    public BlockingQueue<String> unknownFrames() {
        return unknownFrames;
    }

    /** The {@code seq}s received per conversation, for delivery checks (no gaps, no duplicates). */
    public MessageTracker tracker() {
        return tracker;
    }

    /**
     * Waits for the first inbox frame of a type, and removes it (others stay).
     *
     * @throws ParleyTimeoutException when none arrives in time (the message lists what the inbox holds)
     * @throws ParleyClosedException  when the connection closed and none is left
     */
    public <T extends ServerFrame> T awaitFrame(Class<T> type, Duration timeout) {
        return awaitFrame(type, f -> true, timeout);
    }

    /** Waits for the first inbox frame of a type that matches {@code filter}, and removes it (others stay). */
    public <T extends ServerFrame> T awaitFrame(Class<T> type, Predicate<? super T> filter, Duration timeout) {
        Objects.requireNonNull(filter, "filter");
        List<ServerFrame> got = take(f -> type.isInstance(f) && filter.test(type.cast(f)), 1, timeout,
            "a matching " + type.getSimpleName() + " frame");
        return type.cast(got.getFirst());
    }

    /**
     * Like {@link #awaitFrame(Class, Duration)} but answers empty instead of throwing: to check that nothing (more)
     * arrives, e.g. {@code assertThat(conn.pollFrame(Message.class, Duration.ofMillis(300))).isEmpty()}.
     */
    public <T extends ServerFrame> Optional<T> pollFrame(Class<T> type, Duration timeout) {
        List<ServerFrame> got = takeOrNull(type::isInstance, 1, timeout);
        return got == null ? Optional.empty() : Optional.of(type.cast(got.getFirst()));
    }

    /** Waits until {@code n} {@code message} frames are in the inbox, and removes and returns the first {@code n}. */
    public List<ServerFrame.Message> awaitMessages(int n, Duration timeout) {
        return awaitMessages(null, n, timeout);
    }

    /** Like {@link #awaitMessages(int, Duration)}, counting only one conversation ({@code null}: any). */
    public List<ServerFrame.Message> awaitMessages(String conversationId, int n, Duration timeout) {
        if (n < 0) {
            throw new IllegalArgumentException("n: " + n + " (expected: >= 0)");
        }
        Predicate<ServerFrame> match = f -> f instanceof ServerFrame.Message m
            && (conversationId == null || conversationId.equals(m.conversationId()));
        List<ServerFrame> got = take(match, n, timeout, n + " message frames"
            + (conversationId == null ? "" : " of conversation " + conversationId));
        return got.stream().map(ServerFrame.Message.class::cast).toList();
    }

    /** Waits for {@code synced} (the end of the backlog), and removes it from the inbox. */
    public void awaitSynced(Duration timeout) {
        try {
            syncedFuture.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ParleyTimeoutException("timed out after " + timeout + " waiting for synced; inbox: "
                + inbox.describe(10, 200));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ParleyException p ? p : new ParleyException("awaitSynced", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParleyException("interrupted while waiting for synced", e);
        }
        if (options.recordInbox()) {
            takeOrNull(f -> f instanceof ServerFrame.Synced, 1, Duration.ZERO);
        }
    }

    private List<ServerFrame> take(Predicate<ServerFrame> match, int n, Duration timeout, String what) {
        List<ServerFrame> got = takeOrNull(match, n, timeout);
        if (got != null) {
            return got;
        }
        String detail = what + " (" + inbox.count(match) + " present); inbox: " + inbox.describe(10, 200);
        CloseStatus status = closeStatus;
        if (status != null) {
            throw new ParleyClosedException(status, "while waiting for " + detail, null);
        }
        throw new ParleyTimeoutException("timed out after " + timeout + " waiting for " + detail);
    }

    private List<ServerFrame> takeOrNull(Predicate<ServerFrame> match, int n, Duration timeout) {
        if (!options.recordInbox()) {
            throw new IllegalStateException("the inbox is off (ConnectOptions.recordInbox): nothing to await");
        }
        try {
            return inbox.take(match, n, timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParleyException("interrupted while waiting for frames", e);
        }
    }

    // ---- sending

    /** Sends {@code body} to a user (their direct conversation) with a random {@code clientMsgId}. */
    public CompletableFuture<ServerFrame.Sent> sendToUser(String userId, String body) {
        return send(ClientFrame.Target.user(Objects.requireNonNull(userId, "userId")), body);
    }

    /** Sends {@code body} to a conversation with a random {@code clientMsgId}. */
    public CompletableFuture<ServerFrame.Sent> sendToConversation(String conversationId, String body) {
        return send(ClientFrame.Target.conversation(Objects.requireNonNull(conversationId, "conversationId")), body);
    }

    /** Sends {@code body} to a target with a random {@code clientMsgId}. */
    public CompletableFuture<ServerFrame.Sent> send(ClientFrame.Target to, String body) {
        return send(new ClientFrame.Send(newClientMsgId(), to, body, null));
    }

    /** Sends {@code body} with a media attachment to a target with a random {@code clientMsgId}. */
    public CompletableFuture<ServerFrame.Sent> send(ClientFrame.Target to, String body, MediaRef media) {
        return send(new ClientFrame.Send(newClientMsgId(), to, body, media));
    }

    /**
     * Sends a {@code send} frame as given (its {@code clientMsgId} chosen by the caller, e.g. to test
     * idempotency). The frame is not validated here, so that tests can see the server reject it.
     *
     * @return completes with the {@code sent} of this {@code clientMsgId}; fails with {@link ParleyErrorException}
     *         when an {@code error} frame names it in {@code ref}, or with {@link ParleyClosedException}. Several
     *         sends of one {@code clientMsgId} are answered in order.
     */
    public CompletableFuture<ServerFrame.Sent> send(ClientFrame.Send frame) {
        String id = Objects.requireNonNull(frame.clientMsgId(), "clientMsgId (use sendRaw to omit it)");
        String text = CODEC.encode(frame);
        CompletableFuture<ServerFrame.Sent> answer = pending.expectSent(id);
        write(text).whenComplete((v, error) -> {
            if (error != null) {
                pending.forgetSent(id, answer);
                failLater(answer, error);
            }
        });
        return answer;
    }

    /** Sends any client frame; completes when written (answers, if any, arrive in the inbox). */
    public CompletableFuture<Void> sendFrame(ClientFrame frame) {
        return write(CODEC.encode(frame));
    }

    /** Sends a text frame exactly as given, for tests of malformed input; completes when written. */
    public CompletableFuture<Void> sendRaw(String text) {
        return write(Objects.requireNonNull(text, "text"));
    }

    /** Acknowledges receipt of every message of a conversation up to {@code seq} (cumulative). */
    public CompletableFuture<Void> delivered(String conversationId, long seq) {
        return sendFrame(new ClientFrame.Delivered(conversationId, seq));
    }

    /** Marks every message of a conversation up to {@code seq} as read (cumulative). */
    public CompletableFuture<Void> read(String conversationId, long seq) {
        return sendFrame(new ClientFrame.Read(conversationId, seq));
    }

    /** Tells the other members that this user is typing in a conversation. */
    public CompletableFuture<Void> typing(String conversationId) {
        return sendFrame(new ClientFrame.Typing(conversationId));
    }

    /** Subscribes to the presence of users: one {@code presence} frame each now, then one per change. */
    public CompletableFuture<Void> subscribePresence(Collection<String> userIds) {
        return sendFrame(new ClientFrame.PresenceSubscribe(List.copyOf(userIds)));
    }

    /** Subscribes to the presence of users. */
    public CompletableFuture<Void> subscribePresence(String... userIds) {
        return subscribePresence(List.of(userIds));
    }

    /**
     * Sends {@code ping}; completes with the next {@code pong} (pongs carry no id, so they are matched in order:
     * do not mix with pings sent through {@link #sendRaw}).
     */
    public CompletableFuture<ServerFrame.Pong> ping() {
        return ping(false);
    }

    private CompletableFuture<ServerFrame.Pong> ping(boolean heartbeat) {
        PendingReplies.Ping ping = pending.expectPong(heartbeat);
        sendFrame(new ClientFrame.Ping()).whenComplete((v, error) -> {
            if (error != null && pending.forgetPong(ping)) {
                failLater(ping.pong(), error);
            }
        });
        return ping.pong();
    }

    /**
     * Keeps the server's idle timeout at bay, and notices a dead connection: the JDK WebSocket may miss a TCP
     * close that arrives while the listener runs, so a missing pong (or a failed write) is the reliable signal.
     */
    private void heartbeat() {
        if (ready == null || closed.get()) {
            return;
        }
        Duration wait = options.pongTimeout();
        ping(true).orTimeout(wait.toNanos(), TimeUnit.NANOSECONDS).whenComplete((pong, error) -> {
            if (unwrap(error) instanceof TimeoutException && !closed.get()) {
                abort(new CloseStatus(CloseStatus.ABNORMAL, "no pong within " + wait), null);
            }
        });
    }

    /**
     * Turns auto-acknowledgement on or off. When on, every received {@code message} is answered with a cumulative
     * {@code delivered} for the highest {@code seq} seen in its conversation (several messages may share one ack);
     * turning it on also acknowledges what already arrived. Set it in {@link ConnectOptions#withAutoAck} to cover
     * the backlog pushed right after {@code ready}.
     *
     * @return this connection
     */
    public ParleyConnection autoAck(boolean enabled) {
        autoAcker.setEnabled(enabled);
        return this;
    }

    /** Whether auto-acknowledgement is on. */
    public boolean isAutoAck() {
        return autoAcker.isEnabled();
    }

    /** How many sends await their {@code sent} (or error); a snapshot. */
    public int pendingSendCount() {
        return pending.sendCount();
    }

    private CompletableFuture<Void> write(String text) {
        return outbound.submit(() -> sendText(text));
    }

    /** Writes one frame; a failed write means the connection is gone (unless we are closing it ourselves). */
    private CompletableFuture<WebSocket> sendText(String text) {
        return webSocket.sendText(text, true).whenComplete((ws, error) -> {
            if (error != null && !closeSent.get() && !closed.get()) {
                Throwable cause = unwrap(error);
                abort(new CloseStatus(CloseStatus.ABNORMAL, "write failed: " + cause), cause);
            }
        });
    }

    // ---- closing

    /** Closes normally (1000) and waits up to {@link ConnectOptions#closeTimeout()} for the server's Close. */
    @Override
    public void close() {
        close(CloseStatus.NORMAL, "");
    }

    /** Closes with a code and reason, waiting up to {@link ConnectOptions#closeTimeout()}; then aborts. */
    public void close(int code, String reason) {
        try {
            closeAsync(code, reason).get(options.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            abort();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
        }
    }

    /** Starts a close handshake after the writes already queued; completes like {@link #closeFuture()}. */
    public CompletableFuture<CloseStatus> closeAsync(int code, String reason) {
        WebSocket ws = webSocket;
        if (ws == null) {
            abort();
        } else if (!closed.get() && closeSent.compareAndSet(false, true)) {
            outbound.submit(() -> ws.sendClose(code, reason == null ? "" : reason)).whenComplete((v, e) -> {
                if (e != null) {
                    abort();
                }
            });
        }
        return closeFuture;
    }

    /** Drops the TCP connection at once, without a close handshake (like a network failure). */
    public void abort() {
        abort(new CloseStatus(CloseStatus.ABNORMAL, "aborted by the client"), null);
    }

    private void abort(CloseStatus status, Throwable cause) {
        WebSocket ws = webSocket;
        if (ws != null) {
            ws.abort();
        }
        handleClosed(status, cause);
    }

    @Override
    public String toString() {
        ServerFrame.Ready r = ready;
        return "ParleyConnection[" + (r == null ? "connecting" : "user=" + r.userId() + ", device=" + r.deviceId())
            + (closed.get() ? ", " + closeStatus : "") + "]";
    }

    // ---- receiving

    private void onFrameText(String text) {
        if (options.recordRawFrames()) {
            rawFrames.add(text);
        }
        ServerFrame frame;
        try {
            frame = CODEC.decodeServer(text);
        } catch (ProtocolException | RuntimeException e) {
            // A newer server may send frame types this SDK does not know: keep them, never fail the connection.
            unknownFrames.add(text);
            return;
        }
        if (ready == null) {
            if (frame instanceof ServerFrame.Ready r) {
                if (readySettled.compareAndSet(false, true)) {
                    ready = r;
                    cancel(handshakeTimer);
                    completeLater(readyFuture, this);
                }
                return;
            }
            if (frame instanceof ServerFrame.Error e) {
                // Authentication failed: the close (4401) should follow; report both, or the error alone.
                authError = e;
                CompletableFuture.delayedExecutor(AUTH_CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                    .execute(() -> failReady(new ParleyErrorException(e, null)));
                return;
            }
        }
        dispatch(frame);
    }

    private void dispatch(ServerFrame frame) {
        if (frame instanceof ServerFrame.Message m) {
            tracker.record(m);
            autoAcker.received(m.conversationId(), m.seq());
        }
        PendingReplies.Ping ping = frame instanceof ServerFrame.Pong ? pending.takePong() : null;
        // Into the inbox before any future completes: whoever joins a future then finds the frame there.
        if (options.recordInbox() && (ping == null || !ping.heartbeat())) {
            inbox.add(frame);
        }
        switch (frame) {
            case ServerFrame.Sent s -> {
                CompletableFuture<ServerFrame.Sent> answer = pending.takeSent(s.clientMsgId());
                if (answer != null) {
                    completeLater(answer, s);
                }
            }
            case ServerFrame.Error e when e.ref() != null -> {
                CompletableFuture<ServerFrame.Sent> answer = pending.takeSent(e.ref());
                if (answer != null) {
                    failLater(answer, new ParleyErrorException(e, null));
                }
            }
            case ServerFrame.Pong p -> {
                if (ping != null) {
                    completeLater(ping.pong(), p);
                }
            }
            case ServerFrame.Synced s -> {
                synced = true;
                completeLater(syncedFuture, null);
            }
            default -> {
            }
        }
        if (options.listener() != null) {
            try {
                options.listener().accept(frame);
            } catch (RuntimeException e) {
                // A failing listener must not stop the connection from reading.
                unknownFrames.add("(listener failed on " + frame + ": " + e + ")");
            }
        }
    }

    private void handleClosed(CloseStatus status, Throwable cause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeStatus = status;
        ParleyClosedException error = new ParleyClosedException(status, cause);
        outbound.fail(error);
        inbox.close();
        pending.failAll(f -> failLater(f, error));
        cancel(heartbeat);
        cancel(handshakeTimer);
        ServerFrame.Error auth = authError;
        failReady(auth != null ? new ParleyErrorException(auth, status) : error);
        if (!synced) {
            failLater(syncedFuture, error);
        }
        completeLater(closeFuture, status);
        onClosed.accept(this);
    }

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    /** The first outcome wins: a late close must not replace the timeout or auth error already reported. */
    private boolean failReady(Throwable error) {
        if (readySettled.compareAndSet(false, true)) {
            failLater(readyFuture, error);
            return true;
        }
        return false;
    }

    private <T> void completeLater(CompletableFuture<T> future, T value) {
        try {
            callbacks.execute(() -> future.complete(value));
        } catch (RejectedExecutionException e) {
            future.complete(value);
        }
    }

    private void failLater(CompletableFuture<?> future, Throwable error) {
        Throwable cause = unwrap(error);
        try {
            callbacks.execute(() -> future.completeExceptionally(cause));
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(cause);
        }
    }

    private static Throwable unwrap(Throwable t) {
        return (t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null
            ? t.getCause() : t;
    }

    /** Receives from the socket; the JDK calls it serially, one message part per {@link WebSocket#request}. */
    private final class Listener implements WebSocket.Listener {
        private final TextAssembler text = new TextAssembler(MAX_INBOUND_CHARS);

        @Override
        public void onOpen(WebSocket ws) {
            webSocket = ws;
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            try {
                String whole = text.append(data, last);
                if (whole != null) {
                    onFrameText(whole);
                }
            } catch (RuntimeException e) {
                unknownFrames.add("(dropped: " + e.getMessage() + ")");
            } finally {
                // Ask for the next part only now: frames are handled one by one, in order, without buffering.
                ws.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            unknownFrames.add("(binary frame part of " + data.remaining() + " bytes)");
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            // The JDK answers pings with pongs by itself.
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            handleClosed(new CloseStatus(statusCode, reason), null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            handleClosed(new CloseStatus(CloseStatus.ABNORMAL, String.valueOf(error)), error);
        }
    }
}
