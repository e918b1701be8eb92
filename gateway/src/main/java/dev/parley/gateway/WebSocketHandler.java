package dev.parley.gateway;

import dev.parley.core.Ids;
import dev.parley.core.ParleyException;
import dev.parley.directory.Device;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.CloseCodes;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ProtocolException;
import dev.parley.protocol.ServerFrame;
import dev.parley.sessions.OutboundFrame;
import dev.parley.sessions.Session;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code /v1/ws} connection: the auth handshake, frame dispatch, and the {@link Session} that features deliver
 * to. Frames are decoded on the event loop and handled in arrival order on a {@link SerialExecutor} over virtual
 * threads; writes from any thread are flushed once per burst on the event loop.
 */
final class WebSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> implements Session {
    private static final Logger log = LoggerFactory.getLogger(WebSocketHandler.class);
    private static final AtomicLong CONNECTION_IDS = new AtomicLong();
    private static final FrameCodec CODEC = FrameCodec.INSTANCE;
    /** Receipt, presence and typing frames dropped because the connection was backed up, by frame type. */
    static final String METRIC_SHED = "parley.frames.shed";
    /** Client frames waiting to be handled at which the connection stops being read, and where it resumes. */
    static final int PAUSE_READING_AT = 1024;
    static final int RESUME_READING_AT = 256;

    private enum State { HANDSHAKE, AWAITING_AUTH, AUTHENTICATING, READY, CLOSED }

    private final Services services;
    private final GatewayConfig config;
    private final Clock clock;
    private final SerialExecutor inbox;
    /** Client frames waiting in {@link #inbox}. */
    private final AtomicInteger inboxSize = new AtomicInteger();
    private final long connectionId = CONNECTION_IDS.incrementAndGet();
    /** The most bytes of waiting frames copied into one buffer for the socket. */
    private static final int DRAIN_CHUNK = 64 * 1024;
    /**
     * Frames waiting for the event loop, from any thread. One drain task at a time writes them all and flushes once,
     * so a burst to one connection costs one task and one syscall, and the bytes waiting here count towards the
     * connection's outbound limit (the event loop's task queue is not bounded). A linked queue: empty, it costs
     * 48 bytes, where Netty's array-backed MPSC queues cost 0.6 to 4 KiB per idle connection.
     */
    private final java.util.Queue<byte[]> outbox = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicLong outboxBytes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean drainScheduled =
        new java.util.concurrent.atomic.AtomicBoolean();

    private volatile State state = State.HANDSHAKE;
    private volatile Channel channel;
    private volatile long userId;
    private volatile long deviceId;
    private ScheduledFuture<?> authTimeout;

    // Delivery state, guarded by "this".
    private boolean syncing = true;
    private List<Held> held = new ArrayList<>();
    /** Conversation id to the highest seq written; primitive keys, one lookup per delivery without boxing. */
    private final LongObjectHashMap<long[]> highWater = new LongObjectHashMap<>();

    private final ReentrantLock writableLock = new ReentrantLock();
    private final Condition writableChanged = writableLock.newCondition();

    /** Typing relays per connection per second; more are dropped. Touched only on the serial executor. */
    static final int MAX_TYPING_PER_SECOND = 3;
    private long typingWindowStart;
    private int typingInWindow;

    WebSocketHandler(Services services, GatewayConfig config, Clock clock) {
        this.services = services;
        this.config = config;
        this.clock = clock;
        this.inbox = new SerialExecutor(services.blocking());
    }

    private record Held(OutboundFrame frame, long conversationId, long seq) {
    }

    // ---- Netty events -------------------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            // This connection speaks WebSocket only from now on.
            for (Class<? extends io.netty.channel.ChannelHandler> http : List.of(RestHandler.class,
                MediaHttpHandler.class)) {
                if (ctx.pipeline().get(http) != null) {
                    ctx.pipeline().remove(http);
                }
            }
            state = State.AWAITING_AUTH;
            authTimeout = ctx.executor().schedule(() -> {
                if (state == State.AWAITING_AUTH || state == State.AUTHENTICATING) {
                    close(CloseCodes.AUTH_TIMEOUT, "no auth frame within " + config.authTimeout().toSeconds() + " s");
                }
            }, config.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } else if (evt instanceof IdleStateEvent) {
            close(CloseCodes.IDLE_TIMEOUT, "no frame for " + config.idleTimeout().toSeconds() + " s");
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof BinaryWebSocketFrame) {
            close(CloseCodes.PROTOCOL_ERROR, "binary frames are not supported; send JSON text frames");
            return;
        }
        if (!(frame instanceof TextWebSocketFrame text)) {
            return; // ping/pong/close are handled by the protocol handler
        }
        ClientFrame f;
        try {
            f = CODEC.decodeClient(ByteBufUtil.getBytes(text.content()));
        } catch (ProtocolException e) {
            OutboundFrame err = new OutboundFrame(new ServerFrame.Error(e.code(), e.getMessage(), e.ref()));
            switch (state) {
                case AWAITING_AUTH -> rejectUnauthenticated("expected an auth frame first: " + e.getMessage());
                case AUTHENTICATING -> enqueue(() -> send(err)); // answered after ready, in order
                default -> send(err);
            }
            return;
        }
        dispatch(f);
    }

    private void dispatch(ClientFrame f) {
        State s = state;
        if (f instanceof ClientFrame.Auth auth) {
            if (s == State.AWAITING_AUTH) {
                state = State.AUTHENTICATING;
                enqueue(() -> authenticate(auth.token()));
            } else {
                send(error(ErrorCode.BAD_REQUEST, "already authenticated", null));
            }
            return;
        }
        if (s == State.AUTHENTICATING) {
            // Sent right behind auth without waiting for ready: handle it after auth, in order.
            enqueue(() -> {
                if (state == State.READY) {
                    handle(f);
                }
            });
            return;
        }
        if (s != State.READY) {
            rejectUnauthenticated("expected an auth frame first");
            return;
        }
        // Ping goes through the same queue: a pong means every earlier frame of this connection was handled.
        enqueue(() -> handle(f));
    }

    /**
     * Queues a client frame's handling on this connection's serial executor. A client that sends faster than its
     * frames are handled stops being read (TCP pushes back on it) once {@link #PAUSE_READING_AT} frames wait, and
     * is read again when they are down to {@link #RESUME_READING_AT}: the server's memory stays bounded under any
     * load. Runs on the event loop.
     */
    private void enqueue(Runnable task) {
        Channel ch = channel;
        if (inboxSize.incrementAndGet() >= PAUSE_READING_AT && ch.config().isAutoRead()) {
            ch.config().setAutoRead(false);
        }
        inbox.execute(() -> {
            try {
                task.run();
            } finally {
                if (inboxSize.decrementAndGet() == RESUME_READING_AT) {
                    ch.eventLoop().execute(() -> ch.config().setAutoRead(true));
                }
            }
        });
    }

    /** Handles one frame of an authenticated connection, on the connection's serial executor. */
    private void handle(ClientFrame f) {
        String ref = f instanceof ClientFrame.Send send ? send.clientMsgId() : null;
        try {
            switch (f) {
                case ClientFrame.Send send -> services.messaging().send(this, send);
                case ClientFrame.Delivered d -> {
                    // A member who left a group still acknowledges what it got, up to the notice of its departure.
                    var range = services.messaging().readable(userId,
                        Ids.parse("delivered.conversationId", d.conversationId()));
                    services.sync().acknowledge(this, range.conversation().id(), Math.min(d.seq(), range.lastSeq()));
                    if (range.isCurrentMember()) {
                        services.receipts().delivered(this, range.conversation(), d.seq());
                    }
                }
                case ClientFrame.Read r -> {
                    var range = services.messaging().readable(userId,
                        Ids.parse("read.conversationId", r.conversationId()));
                    if (range.isCurrentMember()) { // read positions in a group one left count for nobody
                        services.receipts().read(this, range.conversation(), r.seq());
                    }
                }
                case ClientFrame.Typing t -> typing(Ids.parse("typing.conversationId", t.conversationId()));
                case ClientFrame.PresenceSubscribe p -> services.presence().subscribe(this, p.users());
                case ClientFrame.Ping p -> send(new OutboundFrame(new ServerFrame.Pong(clock.millis())));
                case ClientFrame.Auth a -> send(error(ErrorCode.BAD_REQUEST, "already authenticated", null));
            }
        } catch (ParleyException e) {
            if (e.code() == ErrorCode.INTERNAL) {
                log.warn("frame {} of device {} failed", f.getClass().getSimpleName(), deviceId, e);
            }
            send(error(e.code(), e.getMessage(), ref));
        } catch (RuntimeException e) {
            log.error("frame {} of device {} failed", f.getClass().getSimpleName(), deviceId, e);
            send(error(ErrorCode.INTERNAL, "internal error", ref));
        }
    }

    /** Throttles, then relays; throttled frames are dropped before any lookup (no error storm). */
    private void typing(long conversationId) {
        long now = clock.millis();
        if (now - typingWindowStart >= 1_000) {
            typingWindowStart = now;
            typingInWindow = 0;
        }
        if (++typingInWindow > MAX_TYPING_PER_SECOND) {
            return; // excess typing frames are dropped silently
        }
        services.messaging().typing(this, conversationId);
    }

    private void authenticate(String token) {
        Device device;
        try {
            device = services.accounts().authenticate(token).orElse(null);
        } catch (RuntimeException e) {
            state = State.AWAITING_AUTH; // the client may send auth again
            if (e instanceof dev.parley.core.StorageException s && s.code() == ErrorCode.UNAVAILABLE) {
                // an overloaded or unreachable directory says why (e.g. its pool is exhausted): no stack trace
                log.warn("authentication deferred: {}", s.getMessage());
                send(error(ErrorCode.UNAVAILABLE, "cannot check the token now (" + s.getMessage() + "); retry",
                    null));
            } else {
                log.warn("authentication failed", e);
                send(error(ErrorCode.UNAVAILABLE, "cannot check the token now; retry", null));
            }
            return;
        }
        if (device == null) {
            rejectUnauthenticated("invalid or revoked token");
            return;
        }
        if (state != State.AUTHENTICATING) {
            return; // closed or timed out meanwhile
        }
        userId = device.userId();
        deviceId = device.id();
        state = State.READY;
        channel.eventLoop().execute(() -> {
            if (authTimeout != null) {
                authTimeout.cancel(false);
            }
            if (channel.isActive()) {
                long idle = config.idleTimeout().toMillis();
                channel.pipeline().addFirst("idle", new IdleStateHandler(idle, 0, 0, TimeUnit.MILLISECONDS));
            }
        });
        send(new OutboundFrame(new ServerFrame.Ready(Ids.toWire(userId), Ids.toWire(deviceId), clock.millis())));
        services.sessions().add(this); // live messages are held back from here until the backlog is written
        if (!channel.isActive()) {
            services.sessions().remove(this);
            return;
        }
        if (services.accounts().authenticate(token).isEmpty()) {
            // Revoked between the check above and add(): revocation closed nothing, so close here.
            services.sessions().remove(this);
            rejectUnauthenticated("invalid or revoked token");
            return;
        }
        Thread.ofVirtual().name("sync-", deviceId).start(() -> {
            try {
                services.sync().backlog(this);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("sync of device {} failed", deviceId, e);
                close(CloseCodes.GOING_AWAY, "sync failed; reconnect");
            }
        });
    }

    private void rejectUnauthenticated(String message) {
        send(error(ErrorCode.UNAUTHORIZED, message, null));
        close(CloseCodes.UNAUTHORIZED, "unauthorized");
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        signalWritable();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        State before = state;
        state = State.CLOSED;
        if (authTimeout != null) {
            authTimeout.cancel(false);
        }
        if (before == State.READY) {
            services.sessions().remove(this);
            services.presence().forget(this);
        }
        synchronized (this) {
            held = null;
        }
        signalWritable();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            close(CloseCodes.MESSAGE_TOO_BIG, "frame larger than " + dev.parley.protocol.Limits.MAX_FRAME_BYTES
                + " bytes");
        } else {
            log.debug("connection {} failed", connectionId, cause);
            ctx.close();
        }
    }

    // ---- Session ------------------------------------------------------------------------------------------------

    @Override
    public long userId() {
        return userId;
    }

    @Override
    public long deviceId() {
        return deviceId;
    }

    @Override
    public long connectionId() {
        return connectionId;
    }

    @Override
    public synchronized void deliverBacklog(OutboundFrame frame, long conversationId, long seq) {
        writeMessage(frame, conversationId, seq);
    }

    @Override
    public synchronized void deliverLive(OutboundFrame frame, long conversationId, long seq) {
        if (state == State.CLOSED || held == null) {
            return;
        }
        if (syncing) {
            if (held.size() >= config.syncBufferLimit()) {
                tooSlow();
                return;
            }
            held.add(new Held(frame, conversationId, seq));
            return;
        }
        if (!channel.isWritable() || outboxBytes.get() > config.outboundLimitBytes()) {
            tooSlow(); // the message stays in the store; the device gets it on its next sync
            return;
        }
        writeMessage(frame, conversationId, seq);
    }

    @Override
    public synchronized void finishSync() {
        if (!syncing || held == null) {
            return;
        }
        syncing = false;
        for (Held h : held) {
            writeMessage(h.frame(), h.conversationId(), h.seq());
        }
        held = List.of();
        write(new OutboundFrame(new ServerFrame.Synced()));
    }

    private void tooSlow() {
        held = null;
        close(CloseCodes.TOO_SLOW, "outbound queue full; reconnect to sync");
    }

    /** Writes a message unless this connection already got that seq of the conversation. Caller holds "this". */
    private void writeMessage(OutboundFrame frame, long conversationId, long seq) {
        long[] high = highWater.get(conversationId);
        if (high == null) {
            highWater.put(conversationId, new long[] {seq});
        } else if (seq <= high[0]) {
            return;
        } else {
            high[0] = seq;
        }
        write(frame);
    }

    @Override
    public void send(OutboundFrame frame) {
        write(frame);
    }

    @Override
    public void sendSheddable(OutboundFrame frame) {
        Channel ch = channel;
        if (config.shedWhenBackedUp() && ch != null && backedUp(ch)) {
            services.metrics().counter(METRIC_SHED, "type", frame.frame().getClass().getSimpleName().toLowerCase())
                .increment();
            return;
        }
        write(frame);
    }

    /** Whether the frames waiting for the loop or the socket are over the high water mark. */
    boolean backedUp(Channel ch) {
        return !ch.isWritable() || outboxBytes.get() >= ch.config().getWriteBufferHighWaterMark();
    }

    private void write(OutboundFrame frame) {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            return;
        }
        byte[] bytes = frame.framed(WebSocketFraming::text);
        outboxBytes.addAndGet(bytes.length);
        outbox.offer(bytes);
        if (drainScheduled.compareAndSet(false, true)) {
            ch.eventLoop().execute(() -> drain(ch));
        }
    }

    /**
     * On the event loop: copies every waiting frame into one direct buffer (up to {@link #DRAIN_CHUNK} bytes each),
     * so that a burst costs one trip down the pipeline and one entry in the socket's write, then flushes once. The
     * frames are already whole WebSocket frames: they pass the frame encoder untouched (it only takes
     * WebSocketFrames).
     */
    private void drain(Channel ch) {
        drainScheduled.set(false); // a frame offered after this schedules the next drain
        ByteBuf chunk = null;
        long taken = 0;
        byte[] frame;
        while ((frame = outbox.poll()) != null) {
            taken += frame.length;
            if (chunk != null && chunk.readableBytes() + frame.length > DRAIN_CHUNK) {
                ch.write(chunk, ch.voidPromise());
                chunk = null;
            }
            if (chunk == null) {
                chunk = ch.alloc().directBuffer(Math.max(frame.length, Math.min(DRAIN_CHUNK,
                    (int) Math.min(Integer.MAX_VALUE, frame.length + outboxBytes.get() - taken))));
            }
            chunk.writeBytes(frame);
        }
        outboxBytes.addAndGet(-taken);
        if (chunk != null) {
            ch.write(chunk, ch.voidPromise());
            ch.flush();
        }
    }

    @Override
    public boolean awaitWritable(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        writableLock.lock();
        try {
            while (channel.isActive() && !channel.isWritable()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                writableChanged.awaitNanos(left);
            }
            return channel.isActive();
        } finally {
            writableLock.unlock();
        }
    }

    private void signalWritable() {
        writableLock.lock();
        try {
            writableChanged.signalAll();
        } finally {
            writableLock.unlock();
        }
    }

    /** Whether the WebSocket handshake completed on this connection. */
    boolean isUpgraded() {
        return state != State.HANDSHAKE;
    }

    @Override
    public boolean isOpen() {
        return state != State.CLOSED && channel.isActive();
    }

    @Override
    public void close(int code, String reason) {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            return;
        }
        // On the loop, after the frames already queued (an error frame goes out before the close that follows it).
        ch.eventLoop().execute(() -> {
            drain(ch);
            ch.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
        });
    }

    private static OutboundFrame error(ErrorCode code, String message, String ref) {
        return new OutboundFrame(new ServerFrame.Error(code, message, ref));
    }
}
