package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the server serves the client: types, caching, security headers, no way out of the web root. */
class StaticServingTest {
    @TempDir
    static Path data;
    static WebServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws InterruptedException {
        server = new WebServer(data);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheAppWithTypesAndSecurityHeaders() throws Exception {
        HttpResponse<String> index = get("/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(index.body()).contains("<script type=\"module\" src=\"/js/main.js\"></script>");
        String csp = index.headers().firstValue("content-security-policy").orElseThrow();
        assertThat(csp).contains("script-src 'self';", "object-src 'none'", "frame-ancestors 'none'",
            "connect-src 'self' ws://127.0.0.1:" + server.port(), "img-src 'self' blob:").doesNotContain("unsafe");
        assertThat(index.headers().firstValue("x-content-type-options")).hasValue("nosniff");

        assertThat(get("/js/main.js").headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(get("/app.css").headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
        assertThat(get("/icons/parley.svg").headers().firstValue("content-type")).hasValue("image/svg+xml");
    }

    @Test
    void revalidatesWithETags() throws Exception {
        HttpResponse<String> first = get("/js/client.js");
        String etag = first.headers().firstValue("etag").orElseThrow();
        assertThat(first.headers().firstValue("cache-control")).hasValue("no-cache");
        HttpResponse<String> again = get("/js/client.js", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(get("/js/client.js", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
        assertThat(get("/js/app.js").headers().firstValue("etag")).isNotEqualTo(first.headers().firstValue("etag"));
    }

    @Test
    void apiPathsKeepTheirJsonErrors() throws Exception {
        HttpResponse<String> r = get("/v1/nothing-here");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        assertThat(r.body()).contains("\"not_found\"", "no such endpoint: /v1/nothing-here");
        assertThat(get("/v1/health").body()).contains("ok");
        assertThat(get("/metrics").body()).contains("# HELP");
    }

    @Test
    void nothingOutsideTheWebRootIsServed() throws Exception {
        // raw requests, so that no client normalises the dots away
        for (String path : List.of("/../../etc/passwd", "/js/../../gateway/WebAssets.class", "/%2e%2e/%2e%2e/etc/passwd",
            "/js/%2e%2e/%2e%2e/%2e%2e/META-INF/MANIFEST.MF", "/js/..%2f..%2fweb/index.html", "/..\\..\\etc\\passwd",
            "/dev/parley/gateway/WebAssets.class", "/META-INF/MANIFEST.MF", "/logback.xml", "/js/", "/js",
            "/.hidden.js", "/js/main.js%00.css", "//etc/passwd", "/index.html/")) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.1 404").doesNotContain("root:", "Manifest-Version");
        }
        assertThat(raw("POST /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
            .startsWith("HTTP/1.1 405");
        assertThat(raw("HEAD /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
            .startsWith("HTTP/1.1 200").doesNotContain("<html");
    }

    private String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theBrowserRefusesInlineScript() {
        try (Chromium chromium = new Chromium(); BrowserContext ctx = chromium.newContext(server.url())) {
            Page page = ctx.newPage();
            List<String> errors = new ArrayList<>();
            page.onPageError(e -> errors.add(e));
            page.navigate("/");
            page.getByLabel("Username").waitFor();
            Object result = page.evaluate("() => new Promise(resolve => {"
                + "  const violations = [];"
                + "  document.addEventListener('securitypolicyviolation', e => violations.push(e.violatedDirective));"
                + "  const s = document.createElement('script');"
                + "  s.textContent = 'window.inlineRan = true';"
                + "  document.head.appendChild(s);"
                + "  const d = document.createElement('div');"
                + "  d.setAttribute('onclick', 'window.handlerRan = true');"
                + "  document.body.appendChild(d);"
                + "  d.click();"
                + "  setTimeout(() => resolve({ inline: !!window.inlineRan, handler: !!window.handlerRan,"
                + "    violations }), 200);"
                + "})");
            assertThat(result.toString()).contains("inline=false", "handler=false", "script-src-elem",
                "script-src-attr");
            assertThat(errors).isEmpty();
        }
    }
}
