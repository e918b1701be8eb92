package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.client.Device;
import dev.parley.client.MediaUpload;
import dev.parley.client.ParleyException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void devicesMayComeBareOrWrappedWithIdsAsNumbers() {
        assertThat(Json.devices(Json.parse("[{\"id\":7,\"deviceName\":\"phone\",\"current\":true}]")))
            .containsExactly(new Device("7", "phone", null, true));
        assertThat(Json.devices(Json.parse("{\"items\":[{\"deviceId\":\"8\"}]}")))
            .containsExactly(new Device("8", null, null, null));
    }

    @Test
    void historyEntryMustBeAMessage() {
        assertThatThrownBy(() -> Json.message(Json.parse("{\"type\":\"pong\",\"serverTime\":1}")))
            .isInstanceOf(ParleyException.class).hasMessageContaining("not a message");
        assertThatThrownBy(() -> Json.history(Json.parse("{\"hasMore\":false}")))
            .isInstanceOf(ParleyException.class).hasMessageContaining("\"messages\"");
    }

    @Test
    void expiresAtAsEpochMillisOrIso() {
        MediaUpload a = Json.mediaUpload(Json.parse("{\"mediaId\":\"1\",\"uploadUrl\":\"/u\",\"expiresAt\":1000}"));
        MediaUpload b = Json.mediaUpload(Json.parse("{\"mediaId\":\"1\",\"exists\":true,"
            + "\"expiresAt\":\"1970-01-01T00:00:01Z\"}"));
        assertThat(a.expiresAt()).isEqualTo(Instant.ofEpochMilli(1000));
        assertThat(b.expiresAt()).isEqualTo(Instant.ofEpochMilli(1000));
        assertThat(b.exists()).isTrue();
    }

    @Test
    void missingRequiredFieldsAreReported() {
        assertThatThrownBy(() -> Json.credentials(Json.parse("{\"token\":\"t\",\"userId\":\"1\"}")))
            .isInstanceOf(ParleyException.class).hasMessageContaining("\"deviceId\"");
        assertThatThrownBy(() -> Json.parse("{oops")).isInstanceOf(ParleyException.class)
            .hasMessageContaining("malformed JSON");
    }
}
