package dev.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.ServerFrame;
import dev.parley.sessions.OutboundFrame;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Under a backed-up connection, receipts/presence/typing are shed and counted; everything else is queued. */
class SheddingTest {
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        blocking.shutdown();
    }

    private WebSocketHandler handlerOn(EmbeddedChannel ch, boolean shed) {
        GatewayConfig d = GatewayConfig.defaults();
        GatewayConfig config = new GatewayConfig(d.host(), d.port(), d.ioThreads(), d.authTimeout(), d.idleTimeout(),
            d.outboundLimitBytes(), d.syncBufferLimit(), shed);
        Services services = new Services(null, null, null, null, null, null, null, null, null, blocking, metrics, () -> "");
        WebSocketHandler h = new WebSocketHandler(services, config, Clock.systemUTC());
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        ch.pipeline().addLast(h);
        return h;
    }

    @Test
    void backedUpConnectionShedsOptionalFramesOnly() {
        EmbeddedChannel ch = new EmbeddedChannel();
        WebSocketHandler h = handlerOn(ch, true);
        h.sendSheddable(new OutboundFrame(new ServerFrame.Typing("1", "2"))); // not backed up yet: written
        assertThat(h.backedUp(ch)).isTrue(); // queued for the loop but not yet written: over 16 bytes
        h.sendSheddable(new OutboundFrame(new ServerFrame.Typing("1", "2")));
        h.sendSheddable(new OutboundFrame(new ServerFrame.Receipt("1", 5, "2", "read")));
        h.send(new OutboundFrame(new ServerFrame.Pong(1))); // never shed
        ch.runPendingTasks();
        List<String> written = texts(ch);
        assertThat(written).hasSize(2);
        assertThat(written.get(0)).contains("\"typing\"");
        assertThat(written.get(1)).contains("\"pong\"");
        assertThat(metrics.counter(WebSocketHandler.METRIC_SHED, "type", "typing").count()).isEqualTo(1);
        assertThat(metrics.counter(WebSocketHandler.METRIC_SHED, "type", "receipt").count()).isEqualTo(1);
    }

    @Test
    void sheddingCanBeTurnedOff() {
        EmbeddedChannel ch = new EmbeddedChannel();
        WebSocketHandler h = handlerOn(ch, false);
        h.sendSheddable(new OutboundFrame(new ServerFrame.Typing("1", "2")));
        h.sendSheddable(new OutboundFrame(new ServerFrame.Typing("1", "2")));
        ch.runPendingTasks();
        assertThat(texts(ch)).hasSize(2);
        assertThat(metrics.find(WebSocketHandler.METRIC_SHED).counters()).isEmpty();
    }

    /**
     * The payloads of the whole, short, unmasked text frames the handler wrote, in order (a drain may put several
     * frames into one buffer).
     */
    private static List<String> texts(EmbeddedChannel ch) {
        List<String> result = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            try {
                while (b.isReadable()) {
                    assertThat(b.readUnsignedByte()).isEqualTo((short) 0x81);
                    int length = b.readUnsignedByte();
                    assertThat(length).isLessThan(126);
                    result.add(b.readCharSequence(length, StandardCharsets.UTF_8).toString());
                }
            } finally {
                b.release();
            }
        }
        return result;
    }
}
