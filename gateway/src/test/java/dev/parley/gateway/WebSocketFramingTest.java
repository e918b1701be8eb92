package dev.parley.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Frames built by {@link WebSocketFraming} decode, with Netty's own decoder, to the same text at every length. */
class WebSocketFramingTest {
    @Test
    void framesOfEveryLengthClassDecodeToTheirPayload() {
        for (int n : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, 1 << 20}) {
            String text = "é".repeat(n / 2) + "x".repeat(n % 2);
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            // A client-side decoder: server frames are not masked.
            EmbeddedChannel ch = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 2 << 20));

            ch.writeInbound(Unpooled.wrappedBuffer(WebSocketFraming.text(payload)));

            TextWebSocketFrame frame = ch.readInbound();
            assertThat(frame).as("length %d", n).isNotNull();
            assertThat(frame.isFinalFragment()).isTrue();
            assertThat(frame.text()).as("length %d", n).isEqualTo(text);
            frame.release();
            ch.finishAndReleaseAll();
        }
    }
}
