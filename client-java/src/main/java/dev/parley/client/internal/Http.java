package dev.parley.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.client.RawResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/** Blocking REST plumbing: URL building, bearer tokens, JSON bodies, error mapping. */
public final class Http {
    private final HttpClient client;
    private final String base;
    private final Duration requestTimeout;
    private final Clock clock;

    /**
     * @param baseUrl the server's base URL, e.g. {@code http://127.0.0.1:8080} (a path prefix is kept)
     */
    public Http(HttpClient client, URI baseUrl, Duration requestTimeout, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.base = normalizeBase(baseUrl);
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * {@code baseUrl} without trailing slashes.
     *
     * @throws IllegalArgumentException unless it is an http(s) URL without query or fragment
     */
    public static String normalizeBase(URI baseUrl) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        String scheme = baseUrl.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("baseUrl: " + baseUrl + " (expected: an http:// or https:// URL)");
        }
        if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new IllegalArgumentException("baseUrl: " + baseUrl + " (expected: no query or fragment)");
        }
        String s = baseUrl.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /** The absolute URI of {@code path} (which starts with {@code /}); absolute URLs are returned as they are. */
    public URI resolve(String path) {
        Objects.requireNonNull(path, "path");
        if (path.startsWith("http://") || path.startsWith("https://")) {
            return URI.create(path);
        }
        return URI.create(base + (path.startsWith("/") ? path : "/" + path));
    }

    /** The {@code ws://} or {@code wss://} URI of {@code /v1/ws}. */
    public URI webSocketUri() {
        return webSocketUri(base);
    }

    /** The {@code ws://} or {@code wss://} URI of {@code /v1/ws} on the server at {@code baseUrl}. */
    public static URI webSocketUri(URI baseUrl) {
        return webSocketUri(normalizeBase(baseUrl));
    }

    private static URI webSocketUri(String base) {
        return URI.create((base.regionMatches(true, 0, "https:", 0, 6) ? "wss:" + base.substring(6)
            : "ws:" + base.substring(5)) + "/v1/ws");
    }

    /**
     * The base URL ({@code http(s)://host:port}, and any path prefix) of a node's WebSocket URL
     * ({@code ws(s)://host:port/v1/ws}), or {@code null} when it does not end with {@code /v1/ws}.
     */
    public static URI baseOfWebSocket(URI ws) {
        String s = ws.toString();
        if (ws.getRawQuery() != null || ws.getRawFragment() != null || !s.endsWith("/v1/ws")) {
            return null;
        }
        String base = s.substring(0, s.length() - "/v1/ws".length());
        if (base.regionMatches(true, 0, "wss:", 0, 4)) {
            return URI.create("https:" + base.substring(4));
        }
        if (base.regionMatches(true, 0, "ws:", 0, 3)) {
            return URI.create("http:" + base.substring(3));
        }
        return null;
    }

    /**
     * Sends a request without blocking; the future fails with an {@link UncheckedIOException} when the server
     * cannot be reached.
     *
     * @param url     an absolute URL
     * @param timeout how long the answer may take
     */
    public java.util.concurrent.CompletableFuture<RawResponse> rawAsync(String method, URI url, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
            .method(method, HttpRequest.BodyPublishers.noBody()).header("Accept", "application/json").build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
            .handle((r, e) -> {
                if (e != null) {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e;
                    throw new UncheckedIOException(method + " " + url + ": " + cause.getMessage(),
                        cause instanceof IOException io ? io : new IOException(cause));
                }
                return new RawResponse(r.statusCode(), r.body(), r.headers().map());
            });
    }

    /** Percent-encodes one path segment or query value. */
    public static String encode(String value) {
        return URLEncoder.encode(Objects.requireNonNull(value, "value"), StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code ?a=1&b=2} from the non-null values, in the map's order; empty when all are null. */
    public static String query(Map<String, ?> params) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        params.forEach((k, v) -> {
            if (v != null) {
                q.add(encode(k) + "=" + encode(String.valueOf(v)));
            }
        });
        return q.toString();
    }

    /** Sends a request and returns the answer whatever its status. */
    public RawResponse raw(String method, String path, String token, String jsonBody) {
        HttpRequest.BodyPublisher publisher = jsonBody == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(resolve(path)).timeout(requestTimeout)
            .method(method, publisher).header("Accept", "application/json");
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = execute(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new RawResponse(r.statusCode(), r.body(), r.headers().map());
    }

    /**
     * Sends a request and parses its JSON answer.
     *
     * @return the parsed body; a missing node for an empty body (e.g. 204)
     * @throws dev.parley.client.ParleyApiException for any status outside 2xx
     */
    public JsonNode call(String method, String path, String token, JsonNode body) {
        RawResponse r = raw(method, path, token, body == null ? null : Json.write(body));
        check(r);
        return r.body().isBlank() ? Json.parse("") : Json.parse(r.body());
    }

    /**
     * Sends {@code length} bytes from {@code offset} (a media upload, or a part of one; {@code bytes} null for no
     * body) and returns the answer whatever its status. The timeout grows with the body: the request timeout plus
     * one second per MB, so a slow link is not cut off.
     */
    public RawResponse sendBytes(String method, String url, byte[] bytes, int offset, int length,
                                 Map<String, String> headers) {
        HttpRequest.BodyPublisher body = bytes == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(bytes, offset, length);
        HttpRequest.Builder b = HttpRequest.newBuilder(resolve(url))
            .timeout(requestTimeout.plusMillis(length / 1_000)).method(method, body);
        headers.forEach(b::header);
        HttpResponse<String> r = execute(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new RawResponse(r.statusCode(), r.body(), r.headers().map());
    }

    /** Throws the API error an answer outside 2xx stands for. */
    public void check(RawResponse r) {
        if (!r.isSuccess()) {
            throw ApiErrors.toException(r.status(), r.body(), r.header("Retry-After").orElse(null), clock.instant());
        }
    }

    /** Downloads bytes (a pre-signed media URL) and checks the status. */
    public byte[] getBytes(String url, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(resolve(url)).timeout(requestTimeout).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> r = execute(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() < 200 || r.statusCode() >= 300) {
            throw ApiErrors.toException(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8),
                r.headers().firstValue("Retry-After").orElse(null), clock.instant());
        }
        return r.body();
    }

    private <T> HttpResponse<T> execute(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException iio = new InterruptedIOException(request.method() + " " + request.uri());
            iio.initCause(e);
            throw new UncheckedIOException(iio);
        }
    }
}
