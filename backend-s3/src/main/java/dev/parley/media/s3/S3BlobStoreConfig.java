package dev.parley.media.s3;

import dev.parley.core.BackendConfig;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how {@link S3BlobStore} keeps media: the {@code media} section with {@code type: s3}.
 *
 * @param endpoint the S3 API endpoint, for S3-compatible stores (MinIO, Ceph, S3Proxy...); null for AWS itself
 * @param publicEndpoint the endpoint put into pre-signed URLs, when clients reach the store under another address
 *     than Parley does; null to use {@code endpoint}
 * @param region the signing region
 * @param bucket the bucket
 * @param accessKey the access key, or null to use the SDK's default credentials chain (environment, profile,
 *     instance role)
 * @param secretKey the secret key, when {@code accessKey} is set
 * @param pathStyle whether to address the bucket in the path ({@code http://host/bucket/key}) instead of the host name
 * @param prefix prepended to every object key; empty or ending in {@code /}
 * @param createBucket whether to create the bucket at start if it does not exist
 * @param partSize the bytes of an upload held in memory at once, and the part size of the multipart uploads that
 *     carry larger ones
 * @param maxConnections the size of the HTTP connection pool
 */
public record S3BlobStoreConfig(
    URI endpoint,
    URI publicEndpoint,
    String region,
    String bucket,
    String accessKey,
    String secretKey,
    boolean pathStyle,
    String prefix,
    boolean createBucket,
    int partSize,
    int maxConnections) {

    public static final String DEFAULT_REGION = "us-east-1";
    public static final boolean DEFAULT_CREATE_BUCKET = true;
    /** 8 MiB: small enough to buffer per upload, large enough that a 2 GB upload takes 256 parts. */
    public static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
    /** S3 refuses smaller parts (except the last one). */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    public static final int MAX_PART_SIZE = 512 * 1024 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 64;

    public S3BlobStoreConfig {
        Objects.requireNonNull(region, "region");
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("media.bucket: \"" + bucket + "\" (expected: a bucket name)");
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("media.accessKey and media.secretKey: only one is set (expected: both "
                + "or neither, to use the default credentials chain)");
        }
        prefix = Objects.requireNonNullElse(prefix, "");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix += "/";
        }
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("media.prefix: \"" + prefix + "\" (expected: no leading /)");
        }
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException(
                "media.partSize: " + partSize + " (expected: " + MIN_PART_SIZE + ".." + MAX_PART_SIZE + ")");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("media.maxConnections: " + maxConnections + " (expected: >= 1)");
        }
    }

    /** The options of a {@code media} section; see the module README for each key. */
    public static S3BlobStoreConfig from(BackendConfig config) {
        URI endpoint = uri(config, "endpoint");
        return new S3BlobStoreConfig(
            endpoint,
            uri(config, "publicEndpoint"),
            config.get("region", DEFAULT_REGION),
            config.get("bucket", null),
            config.get("accessKey", null),
            config.get("secretKey", null),
            bool(config, "pathStyle", endpoint != null),
            config.get("prefix", ""),
            bool(config, "createBucket", DEFAULT_CREATE_BUCKET),
            config.getInt("partSize", DEFAULT_PART_SIZE, MIN_PART_SIZE, MAX_PART_SIZE),
            config.getInt("maxConnections", DEFAULT_MAX_CONNECTIONS, 1, 10_000));
    }

    private static URI uri(BackendConfig config, String key) {
        String raw = config.get(key, null);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        URI uri;
        try {
            uri = URI.create(raw.trim());
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        boolean web = uri != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()));
        if (!web || uri.getHost() == null) {
            throw new IllegalArgumentException(
                config.section() + "." + key + ": \"" + raw + "\" (expected: an http:// or https:// URL)");
        }
        return uri;
    }

    private static boolean bool(BackendConfig config, String key, boolean defaultValue) {
        String raw = config.get(key, null);
        if (raw == null) {
            return defaultValue;
        }
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(
                config.section() + "." + key + ": \"" + raw + "\" (expected: true or false)");
        };
    }

    /** Never prints the secret key. */
    @Override
    public String toString() {
        return "S3BlobStoreConfig[endpoint=" + endpoint + ", publicEndpoint=" + publicEndpoint + ", region=" + region
            + ", bucket=" + bucket + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null ? null : "***")
            + ", pathStyle=" + pathStyle + ", prefix=" + prefix + ", createBucket=" + createBucket + ", partSize="
            + partSize + ", maxConnections=" + maxConnections + "]";
    }
}
