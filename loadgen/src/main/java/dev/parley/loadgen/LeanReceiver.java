package dev.parley.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * A receiving WebSocket client that costs the benchmark as little CPU as possible: it authenticates, then only
 * scans each text frame for its type, conversation-independent {@code seq} and the send time the sender put at the
 * start of the body, without JSON parsing, and acknowledges cumulatively every {@code ackEvery} messages. Many of
 * them share one small event loop group.
 */
final class LeanReceiver extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    private static final byte[] MESSAGE = "\"type\":\"message\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SYNCED = "\"type\":\"synced\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BODY = "\"body\":\"".getBytes(StandardCharsets.US_ASCII);

    /** Told of every message frame: its seq and the nanoTime the sender wrote into its body (or -1). */
    interface Sink {
        void message(long seq, long sentNanos);
    }

    private final String token;
    private final String conversationId;
    private final int ackEvery;
    private final Sink sink;
    private final CompletableFuture<Channel> synced = new CompletableFuture<>();
    private int sinceAck;
    private byte[] scratch = new byte[512];

    private LeanReceiver(String token, String conversationId, int ackEvery, Sink sink) {
        this.token = token;
        this.conversationId = conversationId;
        this.ackEvery = ackEvery;
        this.sink = sink;
    }

    /** Connects, authenticates and completes once the server says {@code synced}. */
    static CompletableFuture<Channel> connect(EventLoopGroup group, URI ws, String token, String conversationId,
                                              int ackEvery, Sink sink) {
        LeanReceiver handler = new LeanReceiver(token, conversationId, ackEvery, sink);
        WebSocketClientProtocolConfig cfg = WebSocketClientProtocolConfig.newBuilder().webSocketUri(ws)
            .version(WebSocketVersion.V13).customHeaders(new DefaultHttpHeaders()).maxFramePayloadLength(1 << 20)
            .handleCloseFrames(true).withUTF8Validator(false).build();
        new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                    new WebSocketClientProtocolHandler(cfg), new WebSocketFrameAggregator(1 << 20), handler);
            }
        }).connect(ws.getHost(), ws.getPort()).addListener(f -> {
            if (!f.isSuccess()) {
                handler.synced.completeExceptionally(f.cause());
            }
        });
        return handler.synced;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"auth\",\"token\":\"" + token + "\"}"));
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
        ByteBuf content = frame.content();
        int length = content.readableBytes();
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        content.getBytes(content.readerIndex(), scratch, 0, length); // one bulk copy; scanning a direct buffer
        byte[] b = scratch;                                          // byte by byte is far slower
        if (indexOf(b, length, MESSAGE) >= 0) {
            long seq = number(b, length, indexOf(b, length, SEQ) + SEQ.length);
            int body = indexOf(b, length, BODY);
            long sent = body < 0 ? -1 : number(b, length, body + BODY.length);
            sink.message(seq, sent);
            if (ackEvery > 0 && ++sinceAck >= ackEvery) {
                sinceAck = 0;
                ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"delivered\",\"conversationId\":\""
                    + conversationId + "\",\"seq\":" + seq + "}"));
            }
        } else if (!synced.isDone() && indexOf(b, length, SYNCED) >= 0) {
            synced.complete(ctx.channel());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        synced.completeExceptionally(new IllegalStateException("connection closed before synced"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        synced.completeExceptionally(cause);
        ctx.close();
    }

    private static int indexOf(byte[] b, int length, byte[] pattern) {
        int end = length - pattern.length;
        outer:
        for (int i = 0; i <= end; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (b[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The decimal number starting at {@code offset}, or -1 if there is none. */
    private static long number(byte[] b, int length, int offset) {
        long v = 0;
        int i = offset;
        int start = i;
        while (i < length) {
            byte c = b[i];
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
            i++;
        }
        return i == start ? -1 : v;
    }
}
