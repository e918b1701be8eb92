package dev.parley.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A receiving WebSocket client that costs the benchmark as little CPU as possible: Netty does the opening handshake,
 * then this handler takes the raw byte stream itself (no frame objects, no aggregation, no JSON parsing). It reads
 * each server frame's header, looks at the start of a text frame for its type, {@code seq} and the send time the
 * sender put at the start of the body, and acknowledges cumulatively every {@code ackEvery} messages. Many of them
 * share one small event loop group.
 */
public final class LeanReceiver extends ByteToMessageDecoder {
    private static final byte[] TYPE = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESSAGE = "message\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SYNCED = "synced\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BODY = "\"body\":\"".getBytes(StandardCharsets.US_ASCII);
    /** The most of a frame that is looked at: the fields the scan needs come before the body's text. */
    private static final int PREFIX = 1024;
    private static final int MAX_FRAME = 1 << 20;

    /** Told of every message frame: its seq and the nanoTime the sender wrote into its body (or -1). */
    public interface Sink {
        void message(long seq, long sentNanos);
    }

    private final String token;
    private final String conversationId;
    private final int ackEvery;
    private final Sink sink;
    private final CompletableFuture<Channel> synced = new CompletableFuture<>();
    private final byte[] scratch = new byte[PREFIX];
    private int sinceAck;

    private LeanReceiver(String token, String conversationId, int ackEvery, Sink sink) {
        this.token = token;
        this.conversationId = conversationId;
        this.ackEvery = ackEvery;
        this.sink = sink;
    }

    /** An event loop group for receivers: native epoll where available (cheaper per read than NIO), else NIO. */
    public static EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bench-recv"),
            Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** Connects, authenticates and completes once the server says {@code synced}. */
    public static CompletableFuture<Channel> connect(EventLoopGroup group, URI ws, String token, String conversationId,
                                              int ackEvery, Sink sink) {
        LeanReceiver handler = new LeanReceiver(token, conversationId, ackEvery, sink);
        WebSocketClientProtocolConfig cfg = WebSocketClientProtocolConfig.newBuilder().webSocketUri(ws)
            .version(WebSocketVersion.V13).customHeaders(new DefaultHttpHeaders()).maxFramePayloadLength(MAX_FRAME)
            .handleCloseFrames(true).withUTF8Validator(false).build();
        new Bootstrap().group(group)
            .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                    new WebSocketClientProtocolHandler(cfg), handler);
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
            // From here on the bytes come straight to decode(); the encoder stays for the (masked) frames we send.
            ctx.pipeline().remove("ws-decoder");
            ctx.pipeline().remove(WebSocketClientProtocolHandler.class);
            ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"auth\",\"token\":\"" + token + "\"}"));
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 2) {
            int start = in.readerIndex();
            int b0 = in.getUnsignedByte(start);
            int b1 = in.getUnsignedByte(start + 1);
            if ((b0 & 0x80) == 0 || (b1 & 0x80) != 0) {
                throw new IllegalStateException("server sent a fragmented or masked frame");
            }
            long length = b1 & 0x7F;
            int header = 2;
            if (length == 126) {
                if (in.readableBytes() < 4) {
                    return;
                }
                length = in.getUnsignedShort(start + 2);
                header = 4;
            } else if (length == 127) {
                if (in.readableBytes() < 10) {
                    return;
                }
                length = in.getLong(start + 2);
                header = 10;
            }
            if (length > MAX_FRAME) {
                throw new IllegalStateException("frame of " + length + " bytes");
            }
            if (in.readableBytes() < header + length) {
                return;
            }
            int opcode = b0 & 0x0F;
            if (opcode == 0x1) {
                text(ctx, in, start + header, (int) length);
            } else if (opcode == 0x8) {
                ctx.close();
            }
            in.readerIndex(start + header + (int) length);
        }
    }

    /** One text frame's payload at {@code offset}: only its start is copied out and looked at. */
    private void text(ChannelHandlerContext ctx, ByteBuf in, int offset, int length) {
        int n = Math.min(length, PREFIX);
        in.getBytes(offset, scratch, 0, n); // one bulk copy; scanning a direct buffer byte by byte is far slower
        byte[] b = scratch;
        if (!startsWith(b, n, 0, TYPE)) {
            return;
        }
        if (startsWith(b, n, TYPE.length, MESSAGE)) {
            int seqAt = indexOf(b, n, TYPE.length + MESSAGE.length, SEQ);
            long seq = seqAt < 0 ? -1 : number(b, n, seqAt + SEQ.length);
            int body = seqAt < 0 ? -1 : indexOf(b, n, seqAt, BODY);
            long sent = body < 0 ? -1 : number(b, n, body + BODY.length);
            sink.message(seq, sent);
            if (ackEvery > 0 && ++sinceAck >= ackEvery) {
                sinceAck = 0;
                ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"delivered\",\"conversationId\":\""
                    + conversationId + "\",\"seq\":" + seq + "}"));
            }
        } else if (!synced.isDone() && startsWith(b, n, TYPE.length, SYNCED)) {
            synced.complete(ctx.channel());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        synced.completeExceptionally(new IllegalStateException("connection closed before synced"));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        synced.completeExceptionally(cause);
        ctx.close();
    }

    private static boolean startsWith(byte[] b, int length, int at, byte[] pattern) {
        if (at + pattern.length > length) {
            return false;
        }
        for (int j = 0; j < pattern.length; j++) {
            if (b[at + j] != pattern[j]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, int length, int from, byte[] pattern) {
        for (int i = from; i <= length - pattern.length; i++) {
            if (b[i] == pattern[0] && startsWith(b, length, i, pattern)) {
                return i;
            }
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
