package dev.parley.loadgen.bench;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.FrameCodec;
import dev.parley.protocol.ProtocolException;
import dev.parley.protocol.ServerFrame;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's baseline: a minimal relay that speaks Parley's wire protocol (the same WebSocket framing and JSON
 * shapes, encoded by the same codec) but does nothing else. The token of {@code auth} is taken as the user id
 * without a check; a {@code send} is forwarded as a {@code message} to the recipient's sockets (to every member of
 * a group) and answered {@code sent} at once. No storage, no ids beyond one counter for {@code seq}, no receipts,
 * no limits. Like Parley, a message is encoded once for all its recipients, and the frames for one socket are
 * written in batches with one flush per batch, so the baseline is a ceiling and not a straw man. It is the practical ceiling of this machine and this generator; every Parley figure is also given as a
 * ratio to it.
 *
 * <p>Besides {@code /v1/ws} it answers {@code GET /v1/health} and {@code PUT /relay/groups/{id}} (a JSON array of
 * member ids: the group's roster, which a real server keeps in its directory).
 *
 * <p>Run alone: {@code java -cp parley-bench.jar dev.parley.loadgen.bench.Relay [--host H] [--port P]}.
 */
public final class Relay implements AutoCloseable {
    private static final AttributeKey<String> USER = AttributeKey.valueOf("relay.user");
    private static final AttributeKey<Outbox> OUTBOX = AttributeKey.valueOf("relay.outbox");
    private static final int MAX_FRAME = 1 << 20;

    private final EventLoopGroup group;
    private final Channel server;
    private final Map<String, Set<Channel>> sockets = new ConcurrentHashMap<>();
    private final Map<String, List<String>> groups = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();

    private Relay(String host, int port, int threads) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("relay"),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_FRAME), new Http(),
                        new WebSocketServerProtocolHandler("/v1/ws", null, false, MAX_FRAME), new Frames());
                }
            }).bind(host, port).sync().channel();
    }

    /** Starts a relay on {@code host:port} (0: any free port) with one event loop per core. */
    public static Relay start(String host, int port) throws InterruptedException {
        return new Relay(host, port, Runtime.getRuntime().availableProcessors());
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    public static void main(String[] args) throws InterruptedException {
        String host = "127.0.0.1";
        int port = 8090;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--host" -> host = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                    + " (expected: --host H, --port P)");
            }
        }
        Relay relay = start(host, port);
        System.out.println("relay listening on " + host + ":" + relay.port());
        relay.server.closeFuture().sync();
    }

    /** The few HTTP routes; everything else goes on to the WebSocket handshake. */
    private final class Http extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (!(msg instanceof FullHttpRequest req) || req.uri().startsWith("/v1/ws")) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                HttpResponseStatus status = HttpResponseStatus.NOT_FOUND;
                if (req.method().equals(HttpMethod.GET) && req.uri().equals("/v1/health")) {
                    status = HttpResponseStatus.OK;
                } else if (req.method().equals(HttpMethod.PUT) && req.uri().startsWith("/relay/groups/")) {
                    String id = req.uri().substring("/relay/groups/".length());
                    List<String> members = List.of(FrameCodec.INSTANCE.mapper().readValue(
                        ByteBufUtil.getBytes(req.content()), String[].class));
                    groups.put(id, members);
                    status = HttpResponseStatus.NO_CONTENT;
                }
                DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
                res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(res);
            } finally {
                req.release();
            }
        }
    }

    private static Outbox outbox(Channel ch) {
        Outbox o = ch.attr(OUTBOX).get();
        if (o == null) {
            Outbox mine = new Outbox(ch);
            o = ch.attr(OUTBOX).setIfAbsent(mine);
            o = o == null ? mine : o;
        }
        return o;
    }

    /**
     * The frames waiting for one socket: any thread adds, the socket's event loop writes all that are there and
     * flushes once.
     */
    private static final class Outbox implements Runnable {
        private final Channel ch;
        private final Queue<ByteBuf> frames = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        Outbox(Channel ch) {
            this.ch = ch;
        }

        void add(ByteBuf frame) {
            frames.add(frame);
            if (scheduled.compareAndSet(false, true)) {
                ch.eventLoop().execute(this);
            }
        }

        @Override
        public void run() {
            scheduled.set(false);
            boolean open = ch.isActive();
            for (ByteBuf b = frames.poll(); b != null; b = frames.poll()) {
                if (open) {
                    ch.write(new TextWebSocketFrame(b));
                } else {
                    b.release();
                }
            }
            ch.flush();
        }
    }

    /** The WebSocket frames of one connection. */
    private final class Frames extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ClientFrame f;
            try {
                f = FrameCodec.INSTANCE.decodeClient(ByteBufUtil.getBytes(frame.content()));
            } catch (ProtocolException e) {
                write(ctx.channel(), new ServerFrame.Error(e.code(), e.getMessage(), e.ref()));
                return;
            }
            String user = ctx.channel().attr(USER).get();
            switch (f) {
                case ClientFrame.Auth a when user == null -> auth(ctx.channel(), a.token());
                case ClientFrame.Send s when user != null -> relay(ctx.channel(), user, s);
                case ClientFrame.Ping p -> write(ctx.channel(), new ServerFrame.Pong(System.currentTimeMillis()));
                default -> {
                    // receipts, typing and presence: a relay keeps no state to act on
                }
            }
        }

        private void auth(Channel ch, String user) {
            ch.attr(USER).set(user);
            Set<Channel> mine = sockets.computeIfAbsent(user, k -> ConcurrentHashMap.newKeySet());
            mine.add(ch);
            ch.closeFuture().addListener((ChannelFutureListener) f -> mine.remove(ch));
            write(ch, new ServerFrame.Ready(user, ch.id().asShortText(), System.currentTimeMillis()));
            write(ch, new ServerFrame.Synced());
        }

        /** Encodes the message once and writes it to every socket of every recipient but the sender's own. */
        private void relay(Channel from, String user, ClientFrame.Send s) {
            long n = seq.incrementAndGet();
            long now = System.currentTimeMillis();
            String conversation;
            List<String> to;
            if (s.to().user() != null) {
                String peer = s.to().user();
                conversation = user.compareTo(peer) < 0 ? "d:" + user + ":" + peer : "d:" + peer + ":" + user;
                to = List.of(peer);
            } else {
                conversation = s.to().conversation();
                to = groups.getOrDefault(conversation, List.of());
            }
            ByteBuf message = Unpooled.wrappedBuffer(FrameCodec.INSTANCE.encode(new ServerFrame.Message(conversation,
                n, null, user, from.id().asShortText(), s.clientMsgId(), s.body(), now, s.media(), null)));
            try {
                for (String member : to) {
                    Set<Channel> targets = member.equals(user) ? null : sockets.get(member);
                    if (targets != null) {
                        for (Channel ch : targets) {
                            outbox(ch).add(message.retainedDuplicate());
                        }
                    }
                }
            } finally {
                message.release();
            }
            write(from, new ServerFrame.Sent(s.clientMsgId(), conversation, n, null, now));
        }

        private void write(Channel ch, ServerFrame frame) {
            outbox(ch).add(Unpooled.wrappedBuffer(FrameCodec.INSTANCE.encode(frame)));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
