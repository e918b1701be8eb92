package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.client.Device;
import dev.parley.client.MediaPart;
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
        assertThat(a.inParts()).isFalse();
    }

    @Test
    void uploadsInPartsListTheirParts() {
        MediaUpload u = Json.mediaUpload(Json.parse("{\"mediaId\":\"7\",\"direct\":true,\"expiresAt\":1000,"
            + "\"parts\":[{\"number\":1,\"offset\":0,\"length\":5,\"url\":\"http://s/1\"},"
            + "{\"number\":2,\"offset\":5,\"length\":2,\"received\":true}]}"));
        assertThat(u.direct()).isTrue();
        assertThat(u.inParts()).isTrue();
        assertThat(u.parts()).containsExactly(new MediaPart(1, 0, 5, "http://s/1"), new MediaPart(2, 5, 2, null));
        assertThat(u.parts().get(1).received()).isTrue();
    }

    @Test
    void missingRequiredFieldsAreReported() {
        assertThatThrownBy(() -> Json.credentials(Json.parse("{\"token\":\"t\",\"userId\":\"1\"}")))
            .isInstanceOf(ParleyException.class).hasMessageContaining("\"deviceId\"");
        assertThatThrownBy(() -> Json.parse("{oops")).isInstanceOf(ParleyException.class)
            .hasMessageContaining("malformed JSON");
    }
}
