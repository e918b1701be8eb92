package dev.parley.gateway;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The web client's static files (module {@code web}), served from the classpath under {@link #ROOT} at every path
 * outside {@code /v1/} and {@code /metrics}: {@code /} is {@code index.html}. Files are read once and kept in memory.
 *
 * <p>Every answer carries an {@code ETag} (SHA-256 of the content) and {@code Cache-Control: no-cache}, so browsers
 * revalidate and get {@code 304} while nothing changed (the file names carry no version: there is no build step).
 * Security headers: a Content-Security-Policy without inline script or {@code eval}, with connections to this origin
 * (HTTP and WebSocket) and images from this origin, {@code blob:} and the media store's origin when it signs its own
 * URLs; {@code nosniff}; no referrer; no framing.
 *
 * <p>Only paths made of segments of {@code [A-Za-z0-9_-]} with an optional {@code .ext} of a known type are looked
 * up, so {@code ..}, encoded slashes, backslashes and hidden files never reach the class loader.
 */
final class WebAssets {
    /** Where the files sit on the classpath. */
    static final String ROOT = "dev/parley/web/";
    private static final Pattern SAFE_PATH =
        Pattern.compile("(/[A-Za-z0-9_-]+(?:[.-][A-Za-z0-9_-]+)*)+\\.[a-z0-9]{1,12}");
    private static final int MAX_PATH = 256;
    private static final Map<String, String> TYPES = Map.ofEntries(
        Map.entry("html", "text/html; charset=utf-8"),
        Map.entry("js", "text/javascript; charset=utf-8"),
        Map.entry("mjs", "text/javascript; charset=utf-8"),
        Map.entry("css", "text/css; charset=utf-8"),
        Map.entry("svg", "image/svg+xml"),
        Map.entry("png", "image/png"),
        Map.entry("ico", "image/x-icon"),
        Map.entry("webmanifest", "application/manifest+json"),
        Map.entry("json", "application/json; charset=utf-8"),
        Map.entry("txt", "text/plain; charset=utf-8"),
        Map.entry("woff2", "font/woff2"));

    private record Asset(byte[] bytes, String etag, String type) {
    }

    private static final Asset MISSING = new Asset(new byte[0], "", "");

    private final ClassLoader loader;
    private final Supplier<Optional<String>> mediaOrigin;
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    /** @param mediaOrigin the origin of pre-signed media URLs when the blob store signs its own (S3), else empty */
    WebAssets(ClassLoader loader, Supplier<Optional<String>> mediaOrigin) {
        this.loader = loader;
        this.mediaOrigin = mediaOrigin;
    }

    /** Whether a request path belongs to the web client rather than to the API. */
    static boolean handles(String path) {
        return !(path.equals("/v1") || path.startsWith("/v1/") || path.equals("/metrics"));
    }

    FullHttpResponse serve(FullHttpRequest req, String path) {
        boolean head = req.method().equals(HttpMethod.HEAD);
        if (!head && !req.method().equals(HttpMethod.GET)) {
            FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n", req);
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return r;
        }
        String file = path.equals("/") ? "/index.html" : path;
        Asset a = file.length() <= MAX_PATH && SAFE_PATH.matcher(file).matches() ? lookup(file.substring(1)) : MISSING;
        if (a == MISSING) {
            return text(HttpResponseStatus.NOT_FOUND, "not found: " + path + "\n", req);
        }
        String inm = req.headers().get(HttpHeaderNames.IF_NONE_MATCH);
        boolean fresh = inm != null && matches(inm, a.etag());
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            fresh ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK,
            fresh || head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(a.bytes()));
        r.headers().set(HttpHeaderNames.ETAG, a.etag());
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        if (!fresh) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, a.type());
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, a.bytes().length);
        }
        secure(r, req);
        return r;
    }

    private Asset lookup(String name) {
        return cache.computeIfAbsent(name, n -> {
            String type = TYPES.get(n.substring(n.lastIndexOf('.') + 1));
            if (type == null) {
                return MISSING;
            }
            try (InputStream in = loader.getResourceAsStream(ROOT + n)) {
                if (in == null) {
                    return MISSING;
                }
                byte[] bytes = in.readAllBytes();
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
                String etag = "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 27)
                    + "\"";
                return new Asset(bytes, etag, type);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** {@code If-None-Match}: a list of entity tags, or {@code *}; weak tags compare equal (RFC 9110 13.1.2). */
    private static boolean matches(String header, String etag) {
        for (String tag : header.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private FullHttpResponse text(HttpResponseStatus status, String body, FullHttpRequest req) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            req.method().equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        secure(r, req);
        return r;
    }

    private void secure(FullHttpResponse r, FullHttpRequest req) {
        r.headers().set("Content-Security-Policy", contentSecurityPolicy(req));
        r.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().set("Referrer-Policy", "no-referrer");
        r.headers().set("X-Frame-Options", "DENY");
        r.headers().set("Cross-Origin-Opener-Policy", "same-origin");
    }

    /** The policy: this origin only, no inline script, plus {@code blob:} images and the media store's origin. */
    String contentSecurityPolicy(FullHttpRequest req) {
        String self = "'self'";
        String ws = "";
        try {
            String base = RestHandler.baseUrl(req); // http(s)://host[:port], Host header checked
            ws = " " + base.replaceFirst("^http", "ws");
        } catch (RuntimeException e) {
            // no usable Host header: 'self' alone still covers same-origin WebSockets in current browsers
        }
        String media = mediaOrigin.get().map(o -> " " + o).orElse("");
        return "default-src " + self
            + "; script-src " + self
            + "; style-src " + self
            + "; img-src " + self + " blob:" + media
            + "; media-src " + self + " blob:" + media
            + "; connect-src " + self + ws + media
            + "; font-src " + self
            + "; manifest-src " + self
            + "; worker-src " + self
            + "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }
}
