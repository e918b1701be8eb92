package dev.parley.e2e;

import static dev.parley.e2e.MediaTest.png;
import static dev.parley.e2e.MediaTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.client.MediaPart;
import dev.parley.client.MediaUpload;
import dev.parley.client.MediaUrl;
import dev.parley.client.ParleyApiException;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyConnection;
import dev.parley.client.UploadProgress;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.MediaRef;
import dev.parley.protocol.ServerFrame;
import dev.parley.testkit.Race;
import dev.parley.testkit.S3ProxyExtension;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Media end to end on the S3 backend (a real S3 API: S3Proxy started for this class): bytes go straight to the
 * object store with pre-signed URLs, large uploads in parts that resume, and Parley verifies, shares and signs
 * downloads without the bytes passing through it.
 */
class MediaS3Test {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final int MIB = 1024 * 1024;

    private final HttpClient http = HttpClient.newHttpClient();
    private String bucket;

    @TempDir
    Path dir;

    /** A server whose media live in a fresh bucket of the S3 server, in 5 MiB parts above 5 MiB. */
    private TestServer server(Map<String, String> extra) throws InterruptedException {
        bucket = "parley-e2e-" + BUCKETS.incrementAndGet();
        Map<String, String> settings = new HashMap<>(Map.of(
            "media.type", "s3",
            "media.endpoint", S3.endpoint().toString(),
            "media.bucket", bucket,
            "media.accessKey", S3ProxyExtension.IDENTITY,
            "media.secretKey", S3ProxyExtension.CREDENTIAL,
            "media.partSize", Integer.toString(5 * MIB)));
        settings.putAll(extra);
        return new TestServer(dir, settings);
    }

    @Test
    void photoGoesStraightToTheStoreAndMembersFetchItFromThere() throws Exception {
        try (TestServer server = server(Map.of())) {
            ParleyClient sdk = server.client();
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            var carol = server.newUser("carol");
            byte[] photo = png(1200, 900);

            MediaUpload slot = sdk.createMedia(alice.token(), photo.length, "image/png", sha256(photo));
            assertThat(slot.direct()).isTrue();
            assertThat(slot.inParts()).isFalse();
            assertThat(URI.create(slot.uploadUrl()).getPort()).as("the store's URL, not Parley's")
                .isEqualTo(S3.endpoint().getPort());
            MediaRef ref = sdk.finishUpload(alice.token(), slot, photo);
            assertThat(ref).isEqualTo(new MediaRef(slot.mediaId(), "image/png", (long) photo.length, 1200, 900, true));
            assertThat(sdk.completeMedia(alice.token(), slot.mediaId())).as("idempotent").isEqualTo(ref);
            assertThat(objects("staging/")).isEmpty();
            assertThat(objects("blobs/")).containsExactlyInAnyOrder("blobs/" + sha256(photo),
                "blobs/" + sha256(photo) + "-thumb");

            ParleyConnection a = server.connectSynced(alice);
            ParleyConnection b = server.connectSynced(bob);
            a.send(new ClientFrame.Target(bob.id(), null), "from the beach", MediaRef.of(slot.mediaId())).join();
            assertThat(b.awaitFrame(ServerFrame.Message.class, TestServer.T).media()).isEqualTo(ref);

            MediaUrl urls = sdk.mediaUrl(bob.token(), slot.mediaId());
            assertThat(URI.create(urls.url()).getPort()).isEqualTo(S3.endpoint().getPort());
            HttpResponse<byte[]> full = http.send(HttpRequest.newBuilder(URI.create(urls.url())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
            assertThat(full.statusCode()).isEqualTo(200);
            assertThat(full.body()).isEqualTo(photo);
            assertThat(full.headers().firstValue("Content-Type")).hasValue("image/png");
            assertThat(full.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
            HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(URI.create(urls.url()))
                .header("Range", "bytes=100-199").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(range.statusCode()).isEqualTo(206);
            assertThat(range.body()).isEqualTo(Arrays.copyOfRange(photo, 100, 200));
            byte[] thumb = sdk.download(urls.thumbnailUrl());
            assertThat(ImageIO.read(new ByteArrayInputStream(thumb)).getWidth()).isEqualTo(320);

            // A stranger gets nothing from Parley, and an altered URL nothing from the store.
            assertThatThrownBy(() -> sdk.mediaUrl(carol.token(), slot.mediaId()))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(404));
            String forged = urls.url().replaceAll("X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=" + "0".repeat(64));
            assertThat(http.send(HttpRequest.newBuilder(URI.create(forged)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void largeUploadGoesInPartsAndResumesWithTheMissingOnes() throws Exception {
        try (TestServer server = server(Map.of())) {
            ParleyClient sdk = server.client();
            var alice = server.newUser("alice");
            byte[] video = MediaTest.mp4(12 * MIB + 12345, 3, 184_000);
            MediaUpload slot = sdk.createMedia(alice.token(), video.length, "video/mp4", sha256(video));
            assertThat(slot.inParts()).isTrue();
            assertThat(slot.parts()).extracting(MediaPart::length)
                .containsExactly(5L * MIB, 5L * MIB, 2L * MIB + 12345);

            // Part 1 arrives; part 2's connection drops after 60 % of the whole upload.
            put(slot.parts().get(0), video);
            cutOff(slot.parts().get(1), video, (int) (video.length * 0.6) - 5 * MIB);
            assertThatThrownBy(() -> sdk.completeMedia(alice.token(), slot.mediaId()))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(409));

            UploadProgress progress = sdk.mediaParts(alice.token(), slot.mediaId());
            assertThat(progress.received()).isEqualTo(5L * MIB);
            assertThat(progress.parts()).extracting(MediaPart::received).containsExactly(true, false, false);
            for (MediaPart part : progress.parts()) {
                if (!part.received()) {
                    put(part, video);
                }
            }
            MediaRef ref = sdk.completeMedia(alice.token(), slot.mediaId());
            assertThat(ref.mimeType()).isEqualTo("video/mp4");
            assertThat(ref.size()).isEqualTo(video.length);
            assertThat(ref.durationMs()).isEqualTo(184_000);
            assertThat(sdk.download(sdk.mediaUrl(alice.token(), slot.mediaId()).url())).isEqualTo(video);
            assertThat(objects("staging/")).isEmpty();
            assertThatThrownBy(() -> sdk.mediaParts(alice.token(), slot.mediaId()))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(409));

            // The SDK does all of it by itself.
            byte[] other = MediaTest.mp4(11 * MIB, 4, 1_000);
            String id = sdk.uploadMedia(alice.token(), other, "video/mp4");
            assertThat(sdk.download(sdk.mediaUrl(alice.token(), id).url())).isEqualTo(other);
        }
    }

    @Test
    void sameBytesAreStoredOnceEvenWhenUploadedConcurrently() throws Exception {
        try (TestServer server = server(Map.of())) {
            ParleyClient sdk = server.client();
            var alice = server.newUser("alice");
            var bob = server.newUser("bob");
            byte[] pdf = ("%PDF-1.4\n" + "y".repeat(200_000) + "\n%%EOF\n").getBytes(StandardCharsets.US_ASCII);

            // Both announce it before either finished: both upload; one blob results.
            MediaUpload first = sdk.createMedia(alice.token(), pdf.length, "application/pdf", sha256(pdf));
            MediaUpload second = sdk.createMedia(bob.token(), pdf.length, "application/pdf", sha256(pdf));
            assertThat(first.exists()).isFalse();
            assertThat(second.exists()).isFalse();
            List<MediaUpload> slots = List.of(first, second);
            List<String> tokens = List.of(alice.token(), bob.token());
            assertThat(Race.run(2, i -> sdk.finishUpload(tokens.get(i), slots.get(i), pdf)))
                .allMatch(Race.Outcome::succeeded);
            assertThat(objects("blobs/")).containsExactly("blobs/" + sha256(pdf));

            // Later ones upload nothing.
            MediaUpload third = sdk.createMedia(alice.token(), pdf.length, "application/pdf", sha256(pdf));
            assertThat(third.exists()).isTrue();
            assertThat(sdk.download(sdk.mediaUrl(alice.token(), third.mediaId()).url())).isEqualTo(pdf);
            assertThat(objects("blobs/")).hasSize(1);
            assertThat(objects("staging/")).isEmpty();
        }
    }

    @Test
    void badUploadsAreRefusedAndStoreNothing() throws Exception {
        try (TestServer server = server(Map.of())) {
            ParleyClient sdk = server.client();
            var alice = server.newUser("alice");
            var mallory = server.newUser("mallory");
            byte[] photo = png(60, 40);

            MediaUpload wrongHash = sdk.createMedia(alice.token(), photo.length, "image/png", "1".repeat(64));
            assertThatThrownBy(() -> sdk.finishUpload(alice.token(), wrongHash, photo))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("SHA-256");
                });

            byte[] elf = new byte[4096];
            System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, 0, elf, 0, 8);
            MediaUpload fake = sdk.createMedia(alice.token(), elf.length, "image/png", sha256(elf));
            assertThatThrownBy(() -> sdk.finishUpload(alice.token(), fake, elf))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(400));

            // The store refuses a body of another length than was signed.
            MediaUpload shorter = sdk.createMedia(alice.token(), photo.length - 10, "image/png", sha256(photo));
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(shorter.uploadUrl()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(photo)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isGreaterThanOrEqualTo(400);

            // Nobody else may complete or resume an upload.
            MediaUpload mine = sdk.createMedia(alice.token(), photo.length, "image/png", sha256(photo));
            assertThatThrownBy(() -> sdk.completeMedia(mallory.token(), mine.mediaId()))
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThatThrownBy(() -> sdk.completeMedia(alice.token(), mine.mediaId())).as("nothing uploaded yet")
                .isInstanceOfSatisfying(ParleyApiException.class, e -> assertThat(e.status()).isEqualTo(409));

            assertThat(objects("blobs/")).isEmpty();
            assertThat(objects("staging/")).isEmpty();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private void put(MediaPart part, byte[] content) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(part.url()))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(content, (int) part.offset(), (int) part.length())).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    }

    /** Starts a part's PUT on a raw socket and closes it after {@code sent} bytes. */
    private static void cutOff(MediaPart part, byte[] content, int sent) throws Exception {
        URI url = URI.create(part.url());
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\nHost: " + url.getHost()
                + ":" + url.getPort() + "\r\nContent-Length: " + part.length() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.write(content, (int) part.offset(), sent);
            out.flush();
        }
    }

    /** The keys in this test's bucket under a prefix, looked at with a plain S3 client. */
    private List<String> objects(String prefix) {
        try (S3Client raw = S3Client.builder()
            .endpointOverride(S3.endpoint())
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3ProxyExtension.IDENTITY, S3ProxyExtension.CREDENTIAL)))
            .httpClient(Apache5HttpClient.create())
            .build()) {
            return raw.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key).toList();
        }
    }
}
