package dev.parley.gateway;

import dev.parley.protocol.Limits;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.time.Clock;
import java.util.function.Supplier;

/** Answers an oversized request body with the contract's JSON error instead of Netty's empty 413. */
final class JsonErrorAggregator extends HttpObjectAggregator {
    JsonErrorAggregator(int maxContentLength) {
        super(maxContentLength);
    }

    /** The most body bytes read and dropped after a 413, so that the client reads the answer, before closing. */
    private static final long MAX_DRAIN = 64L << 20;

    private boolean draining;
    private long drained;

    /**
     * Answers 413 at once, but closes only once the client has finished sending (or after {@link #MAX_DRAIN}):
     * closing while it still writes would reset the connection before it reads the answer.
     */
    @Override
    protected void handleOversizedMessage(io.netty.channel.ChannelHandlerContext ctx,
                                          io.netty.handler.codec.http.HttpMessage oversized) {
        var res = HttpResponses.error(dev.parley.protocol.ErrorCode.TOO_LARGE,
            "request body: larger than " + GatewayInitializer.MAX_REST_BODY + " bytes");
        HttpResponses.keepAlive(res, false);
        ctx.writeAndFlush(res);
        draining = true;
        drained = 0;
    }

    @Override
    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) throws Exception {
        if (draining && msg instanceof io.netty.handler.codec.http.HttpContent content) {
            drained += content.content().readableBytes();
            boolean last = msg instanceof io.netty.handler.codec.http.LastHttpContent;
            content.release();
            if (last || drained > MAX_DRAIN) {
                draining = false;
                ctx.close();
            }
            return;
        }
        super.channelRead(ctx, msg);
    }
}

/** The pipeline of every connection: HTTP, then either REST or (after the upgrade on /v1/ws) WebSocket frames. */
final class GatewayInitializer extends ChannelInitializer<SocketChannel> {
    static final String WS_PATH = "/v1/ws";
    /** The largest REST request body. */
    static final int MAX_REST_BODY = 1 << 20;

    private final Services services;
    private final GatewayConfig config;
    private final Clock clock;
    private final Supplier<Boolean> ready;
    private final WebSocketServerProtocolConfig wsConfig;
    private final ChannelGroup channels;
    private final WebAssets web;

    GatewayInitializer(Services services, GatewayConfig config, Clock clock, Supplier<Boolean> ready,
                       ChannelGroup channels) {
        this.channels = channels;
        this.services = services;
        this.config = config;
        this.clock = clock;
        this.ready = ready;
        this.web = new WebAssets(GatewayInitializer.class.getClassLoader(), () -> services.media() == null
            ? java.util.Optional.empty() : services.media().directOrigin());
        this.wsConfig = WebSocketServerProtocolConfig.newBuilder()
            .websocketPath(WS_PATH)
            .checkStartsWith(false)
            .handleCloseFrames(true)
            .dropPongFrames(true)
            .handshakeTimeoutMillis(config.authTimeout().toMillis())
            .forceCloseTimeoutMillis(2_000)
            .decoderConfig(WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(Limits.MAX_FRAME_BYTES)
                .allowExtensions(false)
                .closeOnProtocolViolation(true)
                .build())
            .build();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        channels.add(ch); // removed by the group itself when the channel closes
        ChannelPipeline p = ch.pipeline();
        p.addLast("http", new HttpServerCodec());
        p.addLast("media", new MediaHttpHandler(services));
        p.addLast("aggregator", new JsonErrorAggregator(MAX_REST_BODY));
        p.addLast("ws", new WebSocketServerProtocolHandler(wsConfig));
        p.addLast("wsAggregator", new WebSocketFrameAggregator(Limits.MAX_FRAME_BYTES));
        p.addLast("rest", new RestHandler(services, ready, web));
        p.addLast("session", new WebSocketHandler(services, config, clock));
    }
}
