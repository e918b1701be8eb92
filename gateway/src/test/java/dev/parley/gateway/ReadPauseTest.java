package dev.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.AbstractExecutorService;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client that sends faster than its frames are handled stops being read once {@link
 * WebSocketHandler#PAUSE_READING_AT} frames wait, and is read again when they are down to {@link
 * WebSocketHandler#RESUME_READING_AT}: the frames it has sent wait in TCP, not in the server's memory.
 */
class ReadPauseTest {

    /** Runs nothing until told: the frames' handling is as slow as the test wants. */
    private static final class HeldExecutor extends AbstractExecutorService {
        final Deque<Runnable> held = new ArrayDeque<>();

        @Override
        public void execute(Runnable command) {
            held.add(command);
        }

        /** Runs queued tasks, and what they queue, until none is left. */
        void runAll() {
            while (!held.isEmpty()) {
                held.poll().run();
            }
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

    @Test
    void aClientThatOutrunsItsHandlingIsPausedAndResumed() {
        HeldExecutor slow = new HeldExecutor();
        // No account service: the auth frame's handling fails (answered "retry"), every frame behind it is dropped
        // unhandled; what is checked here is only when the socket is read.
        Services services = new Services(null, null, null, null, null, null, null, null, null, slow,
            new SimpleMeterRegistry(), () -> "");
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new WebSocketHandler(services, GatewayConfig.defaults(), Clock.systemUTC()));
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/v1/ws",
            new DefaultHttpHeaders(), null));

        ch.writeInbound(new TextWebSocketFrame("{\"type\":\"auth\",\"token\":\"t\"}"));
        for (int i = 1; i < WebSocketHandler.PAUSE_READING_AT - 1; i++) {
            ch.writeInbound(new TextWebSocketFrame("{\"type\":\"ping\"}"));
        }
        assertThat(ch.config().isAutoRead()).as("below the limit").isTrue();
        ch.writeInbound(new TextWebSocketFrame("{\"type\":\"ping\"}"));
        assertThat(ch.config().isAutoRead()).as("at the limit").isFalse();
        // Frames already read from the socket still count (Netty delivers what it had decoded).
        ch.writeInbound(new TextWebSocketFrame("{\"type\":\"ping\"}"));
        assertThat(ch.config().isAutoRead()).isFalse();

        // The connection's frames are handled (one drain task runs them all in order); the count passes the resume
        // mark on the way down and the event loop turns reading back on.
        slow.runAll();
        assertThat(ch.config().isAutoRead()).as("not before the event loop runs").isFalse();
        ch.runPendingTasks();
        assertThat(ch.config().isAutoRead()).as("read again once drained").isTrue();
        assertThat(slow.held).isEmpty();
    }
}
