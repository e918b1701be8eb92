package dev.parley.media.s3;

import dev.parley.core.StorageException;
import dev.parley.media.BlobStore;
import dev.parley.media.OffsetMismatchException;
import dev.parley.protocol.ErrorCode;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Media in an S3 bucket (AWS or any S3-compatible store): finished blobs as {@code <prefix>blobs/<key>}, uploads in
 * progress as {@code <prefix>staging/<uploadId>}. S3 cannot append to an object, so an upload is staged whole by one
 * {@link #append} at offset 0 (a single PUT when it fits in one part in memory, a multipart upload otherwise) and
 * {@link #supportsResume()} is false: a broken stream leaves nothing staged. A commit is a server-side copy to the blob
 * key (skipped when the blob exists) and the deletion of the staged object; both objects appear whole or not at all.
 * Clients can fetch blobs and stage uploads directly with pre-signed URLs ({@link #directGet}, {@link #directPut}),
 * and stage uploads larger than one part as a multipart upload with a pre-signed URL per part ({@link #directParts}),
 * which resumes with the parts that are missing. The multipart upload's id is kept in a small object beside the
 * staged one ({@code staging/<uploadId>.parts}), so any node can continue it; {@link #joinParts} completes it into
 * the staged object and {@link #discard} aborts it.
 */
public final class S3BlobStore implements BlobStore {
    /** Blobs are named by their content, so a cached copy never goes stale. */
    public static final String CACHE_CONTROL = "public, max-age=31536000, immutable";
    /** The longest a SigV4 pre-signed URL may be valid. */
    public static final Duration MAX_URL_TTL = Duration.ofDays(7);
    /** The largest object one PUT (so one {@link #directPut}) or one server-side copy may create: 5 GiB. */
    public static final long MAX_SINGLE_OBJECT = 5L * 1024 * 1024 * 1024;

    /** S3 refuses more parts in one multipart upload. */
    static final int MAX_PARTS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(S3BlobStore.class);
    static final String OCTET_STREAM = "application/octet-stream";

    private final S3Client s3;
    private final S3Presigner presigner;
    private final AwsCredentialsProvider credentials;
    private final String bucket;
    private final String prefix;
    private final int partSize;

    public S3BlobStore(S3BlobStoreConfig config) {
        this.bucket = config.bucket();
        this.prefix = config.prefix();
        this.partSize = config.partSize();
        this.credentials = config.accessKey() == null ? DefaultCredentialsProvider.builder().build()
            : StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()));
        Region region = Region.of(config.region());
        S3ClientBuilder client = S3Client.builder()
            .region(region)
            .credentialsProvider(credentials)
            .forcePathStyle(config.pathStyle())
            .httpClientBuilder(Apache5HttpClient.builder().maxConnections(config.maxConnections()));
        S3Presigner.Builder signer = S3Presigner.builder()
            .region(region)
            .credentialsProvider(credentials)
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(config.pathStyle()).build());
        if (config.endpoint() != null) {
            client.endpointOverride(config.endpoint());
        }
        URI publicEndpoint = Objects.requireNonNullElse(config.publicEndpoint(), config.endpoint());
        if (publicEndpoint != null) {
            signer.endpointOverride(publicEndpoint);
        }
        this.s3 = client.build();
        this.presigner = signer.build();
        if (config.createBucket()) {
            try {
                createBucketIfAbsent(config.region(), config.endpoint() != null);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    private void createBucketIfAbsent(String region, boolean customEndpoint) {
        try {
            s3.headBucket(b -> b.bucket(bucket));
            return;
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw failure("checking bucket " + bucket, e);
            }
        } catch (SdkException e) {
            throw failure("checking bucket " + bucket, e);
        }
        try {
            // AWS wants the region spelled out everywhere but in us-east-1; other stores take their own default.
            boolean constrain = !customEndpoint && !S3BlobStoreConfig.DEFAULT_REGION.equals(region);
            s3.createBucket(b -> {
                b.bucket(bucket);
                if (constrain) {
                    b.createBucketConfiguration(c -> c.locationConstraint(region));
                }
            });
            LOG.info("media: created bucket {}", bucket);
        } catch (BucketAlreadyOwnedByYouException e) {
            // another node created it at the same time
        } catch (SdkException e) {
            throw failure("creating bucket " + bucket, e);
        }
    }

    private String blob(String key) {
        return prefix + "blobs/" + BlobStore.checkKey(key);
    }

    private String staged(long uploadId) {
        return prefix + "staging/" + BlobStore.checkUpload(uploadId);
    }

    /** The object that names a direct multipart upload in progress. */
    private String partsMarker(long uploadId) {
        return staged(uploadId) + ".parts";
    }

    @Override
    public long stagedLength(long uploadId) {
        String object = staged(uploadId);
        try {
            Optional<HeadObjectResponse> whole = head(object);
            if (whole.isPresent()) {
                return whole.get().contentLength();
            }
            Optional<String> multipart = multipartId(uploadId);
            return multipart.isEmpty() ? 0L
                : parts(object, multipart.get()).values().stream().mapToLong(Part::size).sum();
        } catch (SdkException e) {
            throw failure("reading upload " + uploadId, e);
        }
    }

    @Override
    public long append(long uploadId, long offset, InputStream content, long maxLength) {
        long have = stagedLength(uploadId);
        if (offset != 0 || have != 0) {
            throw new OffsetMismatchException(offset, have); // no append on S3: an upload is staged in one go
        }
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength: " + maxLength + " (expected: >= 0)");
        }
        return new S3StagedUpload(s3, bucket, staged(uploadId), uploadId, partSize).write(content, maxLength);
    }

    @Override
    public boolean supportsResume() {
        return false;
    }

    @Override
    public InputStream openStaged(long uploadId) {
        String object = staged(uploadId);
        try {
            return s3.getObject(b -> b.bucket(bucket).key(object));
        } catch (S3Exception e) {
            if (missing(e)) {
                return InputStream.nullInputStream();
            }
            throw failure("reading upload " + uploadId, e);
        } catch (SdkException e) {
            throw failure("reading upload " + uploadId, e);
        }
    }

    @Override
    public void commit(long uploadId, String key) {
        String from = staged(uploadId);
        String to = blob(key);
        try {
            if (head(to).isEmpty()) {
                try {
                    // Concurrent commits of the same bytes copy them to the same key: the object is replaced
                    // atomically by identical content, so readers see one blob throughout.
                    s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket)
                        .destinationKey(to));
                } catch (S3Exception e) {
                    if (!missing(e)) {
                        throw e;
                    }
                    if (head(to).isEmpty()) {
                        throw new NoSuchElementException("upload " + uploadId + ": nothing staged");
                    }
                    // a concurrent commit of this very upload copied it and deleted the staged object
                }
            }
            s3.deleteObject(b -> b.bucket(bucket).key(from));
        } catch (SdkException e) {
            throw failure("storing upload " + uploadId + " as " + key, e);
        }
    }

    @Override
    public void discard(long uploadId) {
        String object = staged(uploadId);
        try {
            Optional<String> multipart = multipartId(uploadId);
            if (multipart.isPresent()) {
                try {
                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(object).uploadId(multipart.get()));
                } catch (S3Exception e) {
                    if (e.statusCode() != 404) { // NoSuchUpload: completed or aborted before
                        throw e;
                    }
                }
                s3.deleteObject(b -> b.bucket(bucket).key(partsMarker(uploadId)));
            }
            s3.deleteObject(b -> b.bucket(bucket).key(object));
        } catch (SdkException e) {
            throw failure("deleting upload " + uploadId, e);
        }
    }

    @Override
    public void put(String key, byte[] content) {
        String object = blob(key);
        try {
            if (head(object).isEmpty()) {
                s3.putObject(b -> b.bucket(bucket).key(object).contentType(OCTET_STREAM),
                    RequestBody.fromBytes(content));
            }
        } catch (SdkException e) {
            throw failure("storing " + key, e);
        }
    }

    @Override
    public OptionalLong length(String key) {
        String object = blob(key);
        try {
            return head(object).map(h -> OptionalLong.of(h.contentLength())).orElse(OptionalLong.empty());
        } catch (SdkException e) {
            throw failure("reading " + key, e);
        }
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        String object = blob(key);
        if (offset < 0 || length < 0 || length > Long.MAX_VALUE - offset) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " (expected: non-negative)");
        }
        try {
            if (length == 0) {
                long size = head(object).orElseThrow(() -> new NoSuchElementException("no blob " + key))
                    .contentLength();
                checkRange(offset, length, size);
                return InputStream.nullInputStream();
            }
            ResponseInputStream<GetObjectResponse> in = s3.getObject(
                b -> b.bucket(bucket).key(object).range("bytes=" + offset + "-" + (offset + length - 1)));
            try {
                checkRange(offset, length, totalLength(in.response()));
            } catch (RuntimeException e) {
                in.abort();
                throw e;
            }
            return in;
        } catch (S3Exception e) {
            if (missing(e)) {
                throw new NoSuchElementException("no blob " + key);
            }
            if (e.statusCode() == 416) {
                throw new IllegalArgumentException("range " + offset + "+" + length + " outside blob " + key, e);
            }
            throw failure("reading " + key, e);
        } catch (SdkException e) {
            throw failure("reading " + key, e);
        }
    }

    /** The whole object's length, from {@code Content-Range: bytes 0-9/100} (S3 answers every Range with one). */
    private static long totalLength(GetObjectResponse response) {
        String range = response.contentRange();
        int slash = range == null ? -1 : range.lastIndexOf('/');
        if (slash < 0 || range.endsWith("*")) {
            throw new StorageException("media: the store answered a range request with Content-Range: " + range
                + " (expected: bytes first-last/length)", null);
        }
        return Long.parseLong(range.substring(slash + 1).trim());
    }

    private static void checkRange(long offset, long length, long size) {
        if (offset + length > size) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + size + " bytes");
        }
    }

    @Override
    public void delete(String key) {
        String object = blob(key);
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(object));
        } catch (SdkException e) {
            throw failure("deleting " + key, e);
        }
    }

    @Override
    public Optional<URI> directGet(String key, String contentType, Duration ttl) {
        String object = blob(key);
        Objects.requireNonNull(contentType, "contentType");
        checkTtl(ttl);
        try {
            return Optional.of(uri(presigner.presignGetObject(p -> p.signatureDuration(ttl).getObjectRequest(
                g -> g.bucket(bucket).key(object).responseContentType(contentType).responseCacheControl(CACHE_CONTROL)))
                .url()));
        } catch (SdkException e) {
            throw failure("signing a URL for " + key, e);
        }
    }

    /**
     * {@inheritDoc} The URL is signed for exactly {@code size} bytes ({@code Content-Length}), so the store refuses any
     * other length; the upload is staged once the PUT has completed, and replaces what was staged before.
     */
    @Override
    public Optional<URI> directPut(long uploadId, long size, Duration ttl) {
        String object = staged(uploadId);
        if (size < 0 || size > MAX_SINGLE_OBJECT) {
            throw new IllegalArgumentException("size: " + size + " (expected: 0.." + MAX_SINGLE_OBJECT + ")");
        }
        checkTtl(ttl);
        try {
            return Optional.of(uri(presigner.presignPutObject(p -> p.signatureDuration(ttl).putObjectRequest(
                r -> r.bucket(bucket).key(object).contentLength(size))).url()));
        } catch (SdkException e) {
            throw failure("signing a URL for upload " + uploadId, e);
        }
    }

    /**
     * {@inheritDoc} Uploads up to one part ({@code partSize}) take one {@link #directPut} instead. Parts are
     * {@code partSize} long, or longer when the content would otherwise need more than S3's 10,000 parts; each URL
     * is signed for its part's exact length.
     */
    @Override
    public Optional<List<DirectPart>> directParts(long uploadId, long size, Duration ttl) {
        String object = staged(uploadId);
        checkTtl(ttl);
        if (size <= partSize) {
            return Optional.empty();
        }
        List<DirectPart> layout = layout(size);
        try {
            if (head(object).isPresent()) { // joined already: every part is there
                return Optional.of(layout);
            }
            String multipart = multipartId(uploadId).orElseGet(() -> startMultipart(uploadId));
            Map<Integer, Part> have = parts(object, multipart);
            List<DirectPart> parts = new ArrayList<>(layout.size());
            for (DirectPart part : layout) {
                Part got = have.get(part.number());
                if (got != null && got.size() == part.length()) {
                    parts.add(part);
                } else {
                    URI url = uri(presigner.presignUploadPart(p -> p.signatureDuration(ttl).uploadPartRequest(
                        r -> r.bucket(bucket).key(object).uploadId(multipart).partNumber(part.number())
                            .contentLength(part.length()))).url());
                    parts.add(new DirectPart(part.number(), part.offset(), part.length(), url));
                }
            }
            return Optional.of(parts);
        } catch (SdkException e) {
            throw failure("signing part URLs for upload " + uploadId, e);
        }
    }

    /**
     * How {@code size} bytes split into parts (all without URL): {@code partSize} each, or more (in whole MiB) when
     * that would take over 10,000 parts; the last one shorter.
     */
    private List<DirectPart> layout(long size) {
        long mib = 1024 * 1024;
        long least = (size + MAX_PARTS - 1) / MAX_PARTS;
        long part = Math.max(partSize, (least + mib - 1) / mib * mib);
        List<DirectPart> layout = new ArrayList<>();
        for (long offset = 0; offset < size; offset += part) {
            layout.add(new DirectPart(layout.size() + 1, offset, Math.min(part, size - offset), null));
        }
        return layout;
    }

    private String startMultipart(long uploadId) {
        String object = staged(uploadId);
        String id = s3.createMultipartUpload(b -> b.bucket(bucket).key(object).contentType(OCTET_STREAM)).uploadId();
        s3.putObject(b -> b.bucket(bucket).key(partsMarker(uploadId)).contentType("text/plain"),
            RequestBody.fromString(id, StandardCharsets.UTF_8));
        return id;
    }

    /** The id of the upload's direct multipart upload, if one was started and not joined or discarded. */
    private Optional<String> multipartId(long uploadId) {
        String marker = partsMarker(uploadId);
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(marker)).asUtf8String().trim());
        } catch (S3Exception e) {
            if (missing(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The parts of a multipart upload received so far, by number. */
    private Map<Integer, Part> parts(String object, String multipart) {
        Map<Integer, Part> parts = new TreeMap<>();
        try {
            s3.listPartsPaginator(b -> b.bucket(bucket).key(object).uploadId(multipart)).parts()
                .forEach(p -> parts.put(p.partNumber(), p));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) { // NoSuchUpload: joined or aborted meanwhile
                throw e;
            }
        }
        return parts;
    }

    @Override
    public void joinParts(long uploadId, long size) {
        String object = staged(uploadId);
        try {
            if (head(object).isPresent()) {
                return;
            }
            Optional<String> multipart = multipartId(uploadId);
            if (multipart.isEmpty()) {
                return;
            }
            List<DirectPart> layout = layout(size);
            Map<Integer, Part> have = parts(object, multipart.get());
            List<CompletedPart> done = new ArrayList<>(layout.size());
            for (DirectPart part : layout) {
                Part got = have.get(part.number());
                if (got == null || got.size() != part.length()) {
                    throw new IllegalStateException("upload " + uploadId + ": part " + part.number() + " has "
                        + (got == null ? "not arrived" : got.size() + " bytes, not " + part.length()));
                }
                done.add(CompletedPart.builder().partNumber(part.number()).eTag(got.eTag()).build());
            }
            if (have.size() != layout.size()) {
                throw new IllegalStateException("upload " + uploadId + ": " + have.size() + " parts arrived, not "
                    + layout.size());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(object).uploadId(multipart.get())
                .multipartUpload(m -> m.parts(done)));
            s3.deleteObject(b -> b.bucket(bucket).key(partsMarker(uploadId)));
        } catch (SdkException e) {
            throw failure("joining the parts of upload " + uploadId, e);
        }
    }

    @Override
    public Duration maxDirectUrlTtl() {
        return MAX_URL_TTL;
    }

    private static void checkTtl(Duration ttl) {
        if (ttl == null || ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_URL_TTL) > 0) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: 1 second to 7 days)");
        }
    }

    private static URI uri(URL url) {
        try {
            return url.toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the SDK signed a malformed URL: " + url, e);
        }
    }

    /** An object's metadata, or empty if there is no such object. */
    private Optional<HeadObjectResponse> head(String object) {
        try {
            return Optional.of(s3.headObject(b -> b.bucket(bucket).key(object)));
        } catch (S3Exception e) {
            if (missing(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** A 404 for the object; a missing bucket is a failure (HEAD answers carry no error code to tell). */
    private static boolean missing(S3Exception e) {
        return e.statusCode() == 404
            && (e.awsErrorDetails() == null || !"NoSuchBucket".equals(e.awsErrorDetails().errorCode()));
    }

    /** Throttling and an unreachable store are {@link ErrorCode#UNAVAILABLE}; both kinds are retriable. */
    static StorageException failure(String what, SdkException e) {
        boolean unavailable = e instanceof SdkClientException
            || e instanceof SdkServiceException s && (s.isThrottlingException() || s.statusCode() == 503);
        String code = e instanceof AwsServiceException a && a.awsErrorDetails() != null
            ? a.awsErrorDetails().errorCode() + ": " : "";
        return new StorageException(unavailable ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL,
            "media: " + what + " failed: " + code + e.getMessage(), e);
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
        if (credentials instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debug("media: closing the credentials provider failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "S3BlobStore[" + bucket + "/" + prefix + "]";
    }
}
