package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private final FrameCodec codec = FrameCodec.INSTANCE;

    private ClientFrame decode(String json) throws ProtocolException {
        return codec.decodeClient(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void decodesEveryClientFrame() throws Exception {
        assertThat(decode("{\"type\":\"auth\",\"token\":\"t\"}")).isEqualTo(new ClientFrame.Auth("t"));
        assertThat(decode("{\"type\":\"send\",\"clientMsgId\":\"c\",\"to\":{\"user\":\"5\"},\"body\":\"hi\",\"x\":1}"))
            .isEqualTo(new ClientFrame.Send("c", ClientFrame.Target.user("5"), "hi", null));
        assertThat(decode("{\"type\":\"delivered\",\"conversationId\":\"9\",\"seq\":3}"))
            .isEqualTo(new ClientFrame.Delivered("9", 3L));
        assertThat(decode("{\"type\":\"ping\"}")).isEqualTo(new ClientFrame.Ping());
        assertThat(decode("{\"type\":\"presence.subscribe\",\"users\":[\"1\"]}")).isInstanceOf(
            ClientFrame.PresenceSubscribe.class);
    }

    @Test
    void rejectsBadFramesWithClearMessages() {
        assertThatThrownBy(() -> decode("{nope")).isInstanceOfSatisfying(ProtocolException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> decode("{\"type\":\"fly\"}")).hasMessageContaining("unknown type \"fly\"");
        assertThatThrownBy(() -> decode("{\"token\":\"t\"}")).hasMessageContaining("type");
        assertThatThrownBy(() -> decode("{\"type\":\"delivered\",\"conversationId\":\"9\"}"))
            .hasMessageContaining("delivered.seq");
        assertThatThrownBy(() -> decode("{\"type\":\"delivered\",\"conversationId\":\"9\",\"seq\":0}"))
            .hasMessageContaining("expected: >= 1");
        assertThatThrownBy(() -> decode("{\"type\":\"send\",\"clientMsgId\":\"c\",\"to\":{\"user\":\"1\","
            + "\"conversation\":\"2\"},\"body\":\"x\"}")).hasMessageContaining("exactly one");
    }

    @Test
    void bodyLimitCountsCodePointsAndCarriesTheRef() throws Exception {
        String max = "😀".repeat(Limits.MAX_BODY_CODE_POINTS);
        assertThat(decode(send(max))).isInstanceOf(ClientFrame.Send.class);
        assertThatThrownBy(() -> decode(send(max + "a"))).isInstanceOfSatisfying(ProtocolException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE);
            assertThat(e.ref()).isEqualTo("c1");
            assertThat(e.getMessage()).contains("100001");
        });
    }

    @Test
    void rejectsUnpairedSurrogates() {
        assertThatThrownBy(() -> decode("{\"type\":\"send\",\"clientMsgId\":\"c1\",\"to\":{\"user\":\"1\"},"
            + "\"body\":\"a\\ud800b\"}")).isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                assertThat(e.ref()).isEqualTo("c1");
            });
    }

    @Test
    void encodesServerFramesWithTypeFirstAndNoNulls() {
        String json = new String(codec.encode(new ServerFrame.Sent("c", "7", 1, "99", 5)), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"type\":\"sent\",\"clientMsgId\":\"c\",\"conversationId\":\"7\",\"seq\":1,"
            + "\"messageId\":\"99\",\"ts\":5}");
        String err = new String(codec.encode(new ServerFrame.Error(ErrorCode.TOO_LARGE, "m", null)),
            StandardCharsets.UTF_8);
        assertThat(err).isEqualTo("{\"type\":\"error\",\"code\":\"too_large\",\"message\":\"m\"}");
    }

    private static String send(String body) {
        return "{\"type\":\"send\",\"clientMsgId\":\"c1\",\"to\":{\"user\":\"1\"},\"body\":\"" + body + "\"}";
    }
}
