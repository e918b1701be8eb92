package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpTest {
    private static Http http(String base) {
        return new Http(HttpClient.newHttpClient(), URI.create(base), Duration.ofSeconds(1), Clock.systemUTC());
    }

    @Test
    void webSocketUriFollowsTheSchemeAndKeepsAPathPrefix() {
        assertThat(http("http://127.0.0.1:8080").webSocketUri()).isEqualTo(URI.create("ws://127.0.0.1:8080/v1/ws"));
        assertThat(http("https://chat.example/parley/").webSocketUri())
            .isEqualTo(URI.create("wss://chat.example/parley/v1/ws"));
        assertThat(http("HTTPS://chat.example").webSocketUri()).isEqualTo(URI.create("wss://chat.example/v1/ws"));
    }

    @Test
    void theBaseOfAWebSocketUrlIsItsInverse() {
        assertThat(Http.baseOfWebSocket(URI.create("ws://127.0.0.1:8080/v1/ws")))
            .isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(Http.baseOfWebSocket(URI.create("wss://chat.example/parley/v1/ws")))
            .isEqualTo(URI.create("https://chat.example/parley"));
        assertThat(Http.webSocketUri(Http.baseOfWebSocket(URI.create("wss://chat.example/parley/v1/ws"))))
            .isEqualTo(URI.create("wss://chat.example/parley/v1/ws"));
        assertThat(Http.baseOfWebSocket(URI.create("ws://h/socket"))).isNull();
        assertThat(Http.baseOfWebSocket(URI.create("ws://h/v1/ws?x=1"))).isNull();
    }

    @Test
    void resolvesPathsAndKeepsAbsoluteUrls() {
        Http h = http("http://h:1/");
        assertThat(h.resolve("/v1/health")).isEqualTo(URI.create("http://h:1/v1/health"));
        assertThat(h.resolve("v1/health")).isEqualTo(URI.create("http://h:1/v1/health"));
        assertThat(h.resolve("http://blobs:9/x?sig=1")).isEqualTo(URI.create("http://blobs:9/x?sig=1"));
    }

    @Test
    void queryEncodesAndSkipsNulls() {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("a", "x y+z&");
        q.put("b", null);
        q.put("c", 3);
        assertThat(Http.query(q)).isEqualTo("?a=x%20y%2Bz%26&c=3");
        q.clear();
        q.put("b", null);
        assertThat(Http.query(q)).isEmpty();
    }
}
