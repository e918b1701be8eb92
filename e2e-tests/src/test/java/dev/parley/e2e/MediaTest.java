package dev.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.client.MediaUpload;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.MediaRef;
import dev.parley.protocol.ServerFrame;
import dev.parley.testkit.Race;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Media end to end on the embedded backend: upload, verify, share, download, dedup, resume, and bad input. */
class MediaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void photoIsUploadedSharedAndFetchedByMembersOnly() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var carol = server.newUser("carol");
            byte[] png = png(800, 600);

            HttpResponse<String> slot = requestUpload(server, alice.token(), png.length, "image/png", sha256(png));
            assertThat(slot.statusCode()).isEqualTo(201);
            JsonNode s = JSON.readTree(slot.body());
            String mediaId = s.get("mediaId").asText();
            String uploadUrl = s.get("uploadUrl").asText();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(uploadUrl))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            JsonNode ref = JSON.readTree(put.body()).get("media");
            assertThat(ref.get("width").asInt()).isEqualTo(800);
            assertThat(ref.get("height").asInt()).isEqualTo(600);
            assertThat(ref.get("thumbnail").asBoolean()).isTrue();
            // The upload URL is single-use.
            assertThat(http.send(HttpRequest.newBuilder(URI.create(uploadUrl))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(403);

            ParleyConnection a = server.connectSynced(alice);
            ParleyConnection b = server.connectSynced(bob);
            a.send(new ClientFrame.Target(bob.id(), null), "look", MediaRef.of(mediaId)).join();
            ServerFrame.Message got = b.awaitFrame(ServerFrame.Message.class, TestServer.T);
            assertThat(got.media()).isEqualTo(new MediaRef(mediaId, "image/png", (long) png.length, 800, 600, true));

            JsonNode urls = JSON.readTree(get(server, bob.token(), "/v1/media/" + mediaId + "/url").body());
            HttpResponse<byte[]> full = http.send(HttpRequest.newBuilder(URI.create(urls.get("url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
            assertThat(full.statusCode()).isEqualTo(200);
            assertThat(full.body()).isEqualTo(png);
            assertThat(full.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
            assertThat(full.headers().firstValue("ETag")).hasValue("\"" + sha256(png) + "\"");
            assertThat(full.headers().firstValue("Content-Type")).hasValue("image/png");

            HttpResponse<byte[]> thumb = http.send(HttpRequest.newBuilder(
                URI.create(urls.get("thumbnailUrl").asText())).build(), HttpResponse.BodyHandlers.ofByteArray());
            BufferedImage t = ImageIO.read(new ByteArrayInputStream(thumb.body()));
            assertThat(Math.max(t.getWidth(), t.getHeight())).isEqualTo(320);

            HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(URI.create(urls.get("url").asText()))
                .header("Range", "bytes=10-19").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(range.statusCode()).isEqualTo(206);
            assertThat(range.body()).isEqualTo(Arrays.copyOfRange(png, 10, 20));
            assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 10-19/" + png.length);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(urls.get("url").asText()))
                .header("Range", "bytes=" + png.length + "-").build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(416);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(urls.get("url").asText()))
                .header("If-None-Match", "\"" + sha256(png) + "\"").build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(304);

            // A stranger learns nothing; an altered or expired URL works for nobody.
            assertThat(get(server, carol.token(), "/v1/media/" + mediaId + "/url").statusCode()).isEqualTo(404);
            String forged = urls.get("url").asText().replaceAll("sig=[^&]+", "sig=AAAA");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(forged)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
            String extended = urls.get("url").asText().replaceAll("exp=[0-9]+", "exp=99999999999");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(extended)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
            // Nor can a stranger send it on.
            ParleyConnection c = server.connectSynced(carol);
            var refused = c.send(new ClientFrame.Target(alice.id(), null), "mine now", MediaRef.of(mediaId));
            assertThat(refused).failsWithin(TestServer.T);

            // Forwarding: bob may send what he received; carol, now a recipient, may fetch it.
            b.send(new ClientFrame.Target(carol.id(), null), "fwd", MediaRef.of(mediaId)).join();
            assertThat(c.awaitFrame(ServerFrame.Message.class, m -> m.media() != null, TestServer.T).media().mediaId())
                .isEqualTo(mediaId);
            assertThat(get(server, carol.token(), "/v1/media/" + mediaId + "/url").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void sameBytesAreStoredOnceAndNeedNoSecondUpload() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            byte[] pdf = ("%PDF-1.4\n" + "x".repeat(5000) + "\n%%EOF\n").getBytes(StandardCharsets.US_ASCII);
            upload(server, alice.token(), pdf, "application/pdf");

            HttpResponse<String> again = requestUpload(server, bob.token(), pdf.length, "application/pdf",
                sha256(pdf));

            assertThat(again.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(again.body());
            assertThat(body.get("exists").asBoolean()).isTrue();
            assertThat(body.has("uploadUrl")).isFalse();
            String bobsId = body.get("mediaId").asText();
            assertThat(get(server, bob.token(), "/v1/media/" + bobsId + "/url").statusCode()).isEqualTo(200);
            assertThat(blobFiles()).hasSize(1);

            // Announced by both before either finished: both upload, at the same time; one blob results.
            byte[] doc = ("%PDF-1.4\n" + "z".repeat(300_000) + "\n%%EOF\n").getBytes(StandardCharsets.US_ASCII);
            var sdk = server.client();
            List<String> tokens = List.of(alice.token(), bob.token());
            List<MediaUpload> slots = tokens.stream()
                .map(t -> sdk.createMedia(t, doc.length, "application/pdf", ParleyClient.sha256Hex(doc))).toList();
            assertThat(slots).noneMatch(MediaUpload::exists);
            assertThat(Race.run(2, i -> sdk.finishUpload(tokens.get(i), slots.get(i), doc)))
                .allMatch(Race.Outcome::succeeded);
            assertThat(blobFiles()).hasSize(2);
            try (Stream<Path> staged = Files.list(dir.resolve("media/staging"))) {
                assertThat(staged).isEmpty();
            }
        }
    }

    @Test
    void interruptedUploadResumesWhereItStopped() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var alice = server.newUser("alice");
            byte[] video = mp4(3 << 20, 7, 61_500);
            JsonNode slot = JSON.readTree(requestUpload(server, alice.token(), video.length, "video/mp4",
                sha256(video)).body());
            URI url = URI.create(slot.get("uploadUrl").asText());

            // The connection drops after 40 % of the bytes.
            int cut = video.length * 4 / 10;
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("PUT " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: " + video.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(video, 0, cut);
                out.flush();
            }
            long offset = awaitOffset(url, cut);
            assertThat(offset).isEqualTo(cut);

            HttpResponse<String> rest = http.send(HttpRequest.newBuilder(url)
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(video, (int) offset,
                    video.length - (int) offset))
                .header("Upload-Offset", Long.toString(offset))
                .header("Content-Type", "application/offset+octet-stream").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(rest.statusCode()).as(rest.body()).isEqualTo(201);
            JsonNode media = JSON.readTree(rest.body()).get("media");
            assertThat(media.get("mimeType").asText()).isEqualTo("video/mp4");
            assertThat(media.get("durationMs").asLong()).isEqualTo(61_500);
            String id = slot.get("mediaId").asText();
            JsonNode urls = JSON.readTree(get(server, alice.token(), "/v1/media/" + id + "/url").body());
            byte[] back = http.send(HttpRequest.newBuilder(URI.create(urls.get("url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
            assertThat(back).isEqualTo(video);
        }
    }

    @Test
    void badUploadsAreRefusedAndStoreNothing() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("media.maxImageBytes", "100000"))) {
            var alice = server.newUser("alice");
            byte[] png = png(40, 30);

            // Declared hash differs from the bytes.
            JsonNode wrongHash = JSON.readTree(requestUpload(server, alice.token(), png.length, "image/png",
                "0".repeat(64)).body());
            HttpResponse<String> r1 = put(wrongHash.get("uploadUrl").asText(), png);
            assertThat(r1.statusCode()).isEqualTo(400);
            assertThat(r1.body()).contains("SHA-256");

            // A "PNG" that is an executable.
            byte[] elf = new byte[4096];
            System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, 0, elf, 0, 8);
            JsonNode fake = JSON.readTree(requestUpload(server, alice.token(), elf.length, "image/png", sha256(elf))
                .body());
            HttpResponse<String> r2 = put(fake.get("uploadUrl").asText(), elf);
            assertThat(r2.statusCode()).isEqualTo(400);
            assertThat(r2.body()).contains("declared image/png");

            // More bytes than declared.
            JsonNode small = JSON.readTree(requestUpload(server, alice.token(), png.length - 10, "image/png",
                sha256(png)).body());
            assertThat(put(small.get("uploadUrl").asText(), png).statusCode()).isEqualTo(413);

            // Over the image limit; malformed requests; a path that tries to climb out.
            assertThat(requestUpload(server, alice.token(), 200_000, "image/png", sha256(png)).statusCode())
                .isEqualTo(413);
            assertThat(requestUpload(server, alice.token(), png.length, "image/png", "xyz").statusCode())
                .isEqualTo(400);
            assertThat(requestUpload(server, alice.token(), png.length, "not a type", sha256(png)).statusCode())
                .isEqualTo(400);
            assertThat(requestUpload(server, "bad-token", png.length, "image/png", sha256(png)).statusCode())
                .isEqualTo(401);
            assertThat(get(server, alice.token(), "/v1/media/..%2F..%2Fetc%2Fpasswd/url").statusCode())
                .isIn(400, 404);
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/media/1/content?exp=1&sig=x")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(403);

            assertThat(blobFiles()).isEmpty();
            try (Stream<Path> staged = Files.list(dir.resolve("media/staging"))) {
                assertThat(staged).isEmpty();
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private long awaitOffset(URI url, long expected) throws Exception {
        long deadline = System.nanoTime() + TestServer.T.toNanos();
        long offset = -1;
        while (System.nanoTime() < deadline) {
            HttpResponse<Void> head = http.send(HttpRequest.newBuilder(url).method("HEAD",
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(head.statusCode()).isEqualTo(200);
            offset = Long.parseLong(head.headers().firstValue("Upload-Offset").orElseThrow());
            if (offset == expected) {
                return offset;
            }
            Thread.sleep(50);
        }
        return offset;
    }

    private java.util.List<Path> blobFiles() throws IOException {
        Path blobs = dir.resolve("media/blobs");
        try (Stream<Path> files = Files.walk(blobs)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith("-thumb"))
                .toList();
        }
    }

    private HttpResponse<String> requestUpload(TestServer server, String token, long size, String type, String sha)
        throws Exception {
        String body = JSON.writeValueAsString(Map.of("size", size, "mimeType", type, "sha256", sha));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/media"))
            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String upload(TestServer server, String token, byte[] content, String type) throws Exception {
        JsonNode slot = JSON.readTree(requestUpload(server, token, content.length, type, sha256(content)).body());
        HttpResponse<String> r = put(slot.get("uploadUrl").asText(), content);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return slot.get("mediaId").asText();
    }

    private HttpResponse<String> put(String url, byte[] content) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(content))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(TestServer server, String token, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    static byte[] png(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLUE);
        g.fillOval(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /**
     * An MP4 file's skeleton: an "ftyp" box (brand isom, enough for content detection), an "mdat" box of random
     * bytes, and a "moov" box at the end whose movie header states the duration.
     */
    static byte[] mp4(int size, long seed, int durationMs) {
        byte[] video = new byte[size];
        new Random(seed).nextBytes(video);
        int moov = 8 + 108;
        ByteBuffer b = ByteBuffer.wrap(video);
        b.put(new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 'i', 's', 'o', 'm',
            'm', 'p', '4', '1'});
        b.putInt(size - 24 - moov).put("mdat".getBytes(StandardCharsets.US_ASCII));
        b.position(size - moov);
        b.putInt(moov).put("moov".getBytes(StandardCharsets.US_ASCII));
        b.putInt(108).put("mvhd".getBytes(StandardCharsets.US_ASCII)).putInt(0).putInt(0).putInt(0).putInt(1000)
            .putInt(durationMs);
        return video;
    }
}
