package dev.parley.gateway;

import dev.parley.protocol.CloseCodes;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the port and owns the event loops. Uses native epoll on Linux, NIO elsewhere. */
public final class GatewayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);

    private final Services services;
    private final GatewayConfig config;
    private final Clock clock;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private volatile boolean ready;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    public GatewayServer(Services services, GatewayConfig config, Clock clock) {
        this.services = services;
        this.config = config;
        this.clock = clock;
    }

    /** Binds and starts accepting; returns once the port is open. */
    public void start() throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
            : NioServerSocketChannel.class;
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("parley-accept"), io);
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        workers = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("parley-io"), io);
        ServerBootstrap b = new ServerBootstrap()
            .group(boss, workers)
            .channel(channelType)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(config.outboundLimitBytes() / 2, config.outboundLimitBytes()))
            .childHandler(new GatewayInitializer(services, config, clock, () -> ready, channels));
        serverChannel = b.bind(config.host(), config.port()).sync().channel();
        ready = true;
        log.debug("gateway bound to {} ({})", serverChannel.localAddress(), epoll ? "epoll" : "nio");
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /**
     * The WebSocket URL of this server as its bound address gives it, {@code ws://host:port/v1/ws}: for a wildcard
     * address ({@code 0.0.0.0}, {@code ::}) the host is {@code localhost}, which only this machine reaches.
     */
    public String webSocketUrl() {
        String host = config.host().trim();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("*")) {
            host = "localhost";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal
        }
        return "ws://" + host + ":" + port() + GatewayInitializer.WS_PATH;
    }

    /** Stops accepting, closes every WebSocket with 1001, and stops the event loops. */
    @Override
    public void close() {
        ready = false;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        for (Channel ch : channels) {
            WebSocketHandler ws = ch.pipeline().get(WebSocketHandler.class);
            if (ws != null && ws.isUpgraded()) {
                ws.close(CloseCodes.GOING_AWAY, "server shutting down");
            } else {
                ch.close();
            }
        }
        // Give clients a moment to answer the close frames, then cut what is left.
        channels.newCloseFuture().awaitUninterruptibly(2_000);
        channels.close().awaitUninterruptibly(1_000);
        if (workers != null) {
            // The quiet period lets the close frames go out before the loops stop.
            workers.shutdownGracefully(200, 3_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
            boss.shutdownGracefully(0, 1_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }
}
