package dev.parley.media.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;
import dev.parley.core.StorageException;
import dev.parley.media.BlobStore;
import dev.parley.media.BlobStoreContract;
import dev.parley.media.BlobStoreProvider;
import dev.parley.media.OffsetMismatchException;
import dev.parley.media.UploadTooLargeException;
import dev.parley.testkit.S3ProxyExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 blob store passes the blob store contract against a real S3 API (S3Proxy on the file system), and keeps
 * what S3 itself adds: multipart uploads for large content, nothing staged after a failure, signed URLs.
 */
class S3BlobStoreTest extends BlobStoreContract {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    private static final AtomicInteger STORES = new AtomicInteger();
    private static final int MIB = 1024 * 1024;

    private static final String BUCKET = "parley-media";

    /** The prefix of the last store made. */
    private String prefix;

    /** Each store sees its own prefix of one bucket, which the first store creates. */
    @Override
    protected BlobStore newStore() {
        return newStore(Map.of());
    }

    private BlobStore newStore(Map<String, String> extra) {
        prefix = "store-" + STORES.incrementAndGet() + "/";
        Map<String, String> options = new HashMap<>(Map.of(
            "endpoint", S3.endpoint().toString(),
            "bucket", BUCKET,
            "accessKey", S3ProxyExtension.IDENTITY,
            "secretKey", S3ProxyExtension.CREDENTIAL,
            "prefix", prefix));
        options.putAll(extra);
        return provider().create(new BackendConfig("media", "s3", options, Path.of("data")),
            Resources.of(1, Clock.systemUTC()));
    }

    private static BlobStoreProvider provider() {
        return ServiceLoader.load(BlobStoreProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.type().equals("s3"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no BlobStoreProvider of type s3 registered"));
    }

    /** A plain S3 client, to look at the bucket behind the store's back. */
    private static S3Client raw() {
        return S3Client.builder()
            .endpointOverride(S3.endpoint())
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3ProxyExtension.IDENTITY, S3ProxyExtension.CREDENTIAL)))
            .httpClient(Apache5HttpClient.create())
            .build();
    }

    private List<String> objects(S3Client raw, String under) {
        return raw.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix + under)).contents().stream()
            .map(S3Object::key).toList();
    }

    private void assertNoPendingMultipartUploads(S3Client raw) {
        assertThat(raw.listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).uploads()).isEmpty();
    }

    @Override
    protected int directPartsSize() {
        return 17 * MIB; // 8 + 8 + 1 MiB with the default part size
    }

    @Test
    void anUploadInPartsLeavesNothingBehindWhenDiscardedOrJoined() throws Exception {
        try (S3Client raw = raw()) {
            long upload = nextUpload();
            List<BlobStore.DirectPart> parts = store().directParts(upload, 17 * MIB, Duration.ofMinutes(5))
                .orElseThrow();
            assertThat(parts).extracting(BlobStore.DirectPart::length).containsExactly(8L * MIB, 8L * MIB, 1L * MIB);
            assertThat(objects(raw, "staging/")).containsExactly(prefix + "staging/" + upload + ".parts");
            assertThat(raw.listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).uploads()).hasSize(1);
            assertThat(store().directParts(upload, 5 * MIB, Duration.ofMinutes(5))).as("one part: one PUT").isEmpty();

            store().discard(upload);

            assertThat(objects(raw, "staging/")).isEmpty();
            assertNoPendingMultipartUploads(raw);
        }
    }

    @Test
    void objectsFollowTheDocumentedLayout() {
        try (S3Client raw = raw()) {
            byte[] content = bytes(100, 19);
            long upload = nextUpload();
            store().append(upload, 0, new ByteArrayInputStream(content), 100);
            assertThat(objects(raw, "")).containsExactly(prefix + "staging/" + upload);

            String key = BlobStore.fullKey(sha256(content));
            store().commit(upload, key);
            store().put(BlobStore.thumbnailKey(sha256(content)), new byte[] {1});

            assertThat(objects(raw, "")).containsExactlyInAnyOrder(prefix + "blobs/" + key,
                prefix + "blobs/" + key + "-thumb");
        }
    }

    @Test
    void largeUploadIsStoredInPartsAndReadBackAcrossThem() {
        try (BlobStore store = newStore(Map.of("partSize", Integer.toString(5 * MIB)))) {
            byte[] content = bytes(12 * MIB + 123, 20);
            long upload = nextUpload();

            assertThat(store.append(upload, 0, new ByteArrayInputStream(content), content.length))
                .isEqualTo(content.length);
            assertThat(store.stagedLength(upload)).isEqualTo(content.length);
            String key = BlobStore.fullKey(sha256(content));
            store.commit(upload, key);

            assertThat(store.length(key)).hasValue(content.length);
            int from = 5 * MIB - 10;
            assertThat(readAll(store.open(key, from, 20))).isEqualTo(Arrays.copyOfRange(content, from, from + 20));
            assertThat(readAll(store.open(key, 0, content.length))).isEqualTo(content);
        }
    }

    @Test
    void uploadOverTheLimitInTheMultipartPathLeavesNothingStaged() {
        try (BlobStore store = newStore(Map.of("partSize", Integer.toString(5 * MIB)))) {
            long upload = nextUpload();

            assertThatThrownBy(() -> store.append(upload, 0, new ByteArrayInputStream(bytes(11 * MIB, 21)), 6 * MIB))
                .isInstanceOf(UploadTooLargeException.class);
            assertThat(store.stagedLength(upload)).isZero();
            try (S3Client raw = raw()) {
                assertThat(objects(raw, "")).isEmpty();
                assertNoPendingMultipartUploads(raw);
            }
        }
    }

    @Test
    void uploadOfExactlyTheLimitIsAccepted() {
        long upload = nextUpload();
        byte[] content = bytes(1_000, 22);

        assertThat(store().append(upload, 0, new ByteArrayInputStream(content), 1_000)).isEqualTo(1_000);
        assertThat(store().stagedLength(upload)).isEqualTo(1_000);
    }

    @Test
    void brokenStreamLeavesNothingStaged() {
        try (BlobStore store = newStore(Map.of("partSize", Integer.toString(5 * MIB)))) {
            for (int breakAt : new int[] {120_000, 6 * MIB}) { // in the first part, and after a part was sent
                long upload = nextUpload();

                assertThatThrownBy(() -> store.append(upload, 0, breaking(breakAt), 20 * MIB))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("connection reset");
                assertThat(store.stagedLength(upload)).isZero();
                assertThat(readAll(store.openStaged(upload))).isEmpty();
            }
            try (S3Client raw = raw()) {
                assertThat(objects(raw, "")).isEmpty();
                assertNoPendingMultipartUploads(raw);
            }
        }
    }

    @Test
    void appendOnlyStagesAWholeUploadFromOffsetZero() {
        long upload = nextUpload();

        assertThatThrownBy(() -> store().append(upload, 5, new ByteArrayInputStream(new byte[10]), 100))
            .isInstanceOfSatisfying(OffsetMismatchException.class, e -> assertThat(e.staged()).isZero());
        store().append(upload, 0, new ByteArrayInputStream(new byte[10]), 100);
        assertThatThrownBy(() -> store().append(upload, 10, new ByteArrayInputStream(new byte[10]), 100))
            .isInstanceOfSatisfying(OffsetMismatchException.class, e -> assertThat(e.staged()).isEqualTo(10));
        assertThat(store().supportsResume()).isFalse();
    }

    @Test
    void committingAnUploadWithNothingStagedFails() {
        String key = BlobStore.fullKey(sha256(bytes(10, 23)));

        assertThatThrownBy(() -> store().commit(nextUpload(), key)).isInstanceOf(NoSuchElementException.class);
        assertThat(store().length(key)).isEmpty();
    }

    @Test
    void rangesOutsideTheBlobAreRefused() {
        String key = stored(bytes(1_000, 24));

        assertThatThrownBy(() -> store().open(key, 990, 11)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().open(key, 1_000, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().open(key, 1_001, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().open(key, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(readAll(store().open(key, 1_000, 0))).isEmpty();
    }

    @Test
    void directGetAnswersWithTheContentTypeAndImmutableCaching() throws Exception {
        byte[] content = bytes(2_000, 25);
        String key = stored(content);
        URI get = store().directGet(key, "image/png", Duration.ofMinutes(5)).orElseThrow();

        HttpResponse<byte[]> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(get).build(),
            HttpResponse.BodyHandlers.ofByteArray());

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo(content);
        assertThat(res.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(res.headers().firstValue("Cache-Control")).hasValue(S3BlobStore.CACHE_CONTROL);
        assertThat(get.getRawQuery()).contains("X-Amz-Signature=");
    }

    @Test
    void directUrlsAreRefusedWhenTamperedWith() throws Exception {
        String key = stored(bytes(2_000, 26));
        URI get = store().directGet(key, "image/png", Duration.ofMinutes(5)).orElseThrow();
        URI other = URI.create(get.toString().replace("response-content-type=image%2Fpng",
            "response-content-type=text%2Fhtml"));
        HttpClient http = HttpClient.newHttpClient();

        assertThat(other).isNotEqualTo(get);
        assertThat(http.send(HttpRequest.newBuilder(other).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode()).isEqualTo(403);

        long upload = nextUpload();
        URI put = store().directPut(upload, 1_000, Duration.ofMinutes(5)).orElseThrow();
        HttpResponse<String> wrongLength = http.send(HttpRequest.newBuilder(put)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes(999, 27))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongLength.statusCode()).isEqualTo(403);
        assertThat(store().stagedLength(upload)).isZero();
    }

    @Test
    void badOptionsFailAtStartNamingTheOption() {
        assertThatThrownBy(() -> newStore(Map.of("bucket", "")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("media.bucket");
        assertThatThrownBy(() -> newStore(Map.of("pathStyle", "yes")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("media.pathStyle");
        assertThatThrownBy(() -> newStore(Map.of("partSize", "1024")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("media.partSize");
        assertThatThrownBy(() -> newStore(Map.of("endpoint", "localhost:9000")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("media.endpoint");
        assertThatThrownBy(() -> S3BlobStoreConfig.from(new BackendConfig("media", "s3",
            Map.of("bucket", "b", "accessKey", "a"), Path.of("data"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("media.secretKey");
    }

    @Test
    void aMissingBucketIsCreatedOrReported() {
        try (BlobStore created = newStore(Map.of("bucket", "parley-other"))) {
            stored(bytes(10, 28)); // the contract's store still works beside it
            assertThat(created.length(BlobStore.fullKey(sha256(bytes(10, 29))))).isEmpty();
        }
        try (BlobStore unchecked = newStore(Map.of("bucket", "parley-missing", "createBucket", "false"))) {
            long upload = nextUpload();
            assertThatThrownBy(() -> unchecked.append(upload, 0, new ByteArrayInputStream(bytes(10, 30)), 10))
                .isInstanceOf(StorageException.class).hasMessageContaining("NoSuchBucket");
            assertThatThrownBy(() -> unchecked.open(stored(bytes(10, 31)), 0, 10))
                .isInstanceOf(StorageException.class).hasMessageContaining("NoSuchBucket");
        }
    }

    @Test
    void configDefaultsFollowTheEndpoint() {
        S3BlobStoreConfig aws = S3BlobStoreConfig.from(new BackendConfig("media", "s3", Map.of("bucket", "b"),
            Path.of("data")));
        S3BlobStoreConfig custom = S3BlobStoreConfig.from(new BackendConfig("media", "s3",
            Map.of("bucket", "b", "endpoint", "http://127.0.0.1:9000", "prefix", "parley", "secretKey", "s",
                "accessKey", "a"), Path.of("data")));

        assertThat(aws.pathStyle()).isFalse();
        assertThat(aws.region()).isEqualTo("us-east-1");
        assertThat(aws.prefix()).isEmpty();
        assertThat(custom.pathStyle()).isTrue();
        assertThat(custom.prefix()).isEqualTo("parley/");
        assertThat(custom.toString()).doesNotContain("secretKey=s,");
    }

    /** 1 MiB of zeros per read, then "connection reset" at {@code at}. */
    private static InputStream breaking(int at) {
        return new InputStream() {
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= at) {
                    throw new IOException("connection reset");
                }
                int n = Math.min(len, Math.min(MIB, at - pos));
                Arrays.fill(b, off, off + n, (byte) 1);
                pos += n;
                return n;
            }
        };
    }
}
