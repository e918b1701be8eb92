package dev.parley.media.s3;

import static dev.parley.media.s3.S3BlobStore.OCTET_STREAM;
import static dev.parley.media.s3.S3BlobStore.failure;

import dev.parley.core.StorageException;
import dev.parley.media.UploadTooLargeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One upload streamed into its staged object: read in parts of {@code partSize} bytes, stored with one PUT if the
 * whole content fits in the first part, else as a multipart upload that becomes visible only when complete and is
 * aborted on any failure, so that nothing is staged then. At most one part is held in memory; used once.
 */
final class S3StagedUpload {
    private static final Logger LOG = LoggerFactory.getLogger(S3StagedUpload.class);
    private static final int FIRST_BUFFER = 64 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final String object;
    private final long uploadId;
    private final int partSize;
    private final List<CompletedPart> parts = new ArrayList<>();
    private String multipartId;
    private byte[] buffer;

    S3StagedUpload(S3Client s3, String bucket, String object, long uploadId, int partSize) {
        this.s3 = s3;
        this.bucket = bucket;
        this.object = object;
        this.uploadId = uploadId;
        this.partSize = partSize;
    }

    /** Stages the whole content, at most {@code maxLength} bytes; returns its length. */
    long write(InputStream content, long maxLength) {
        boolean done = false;
        try {
            long total = 0;
            while (true) {
                // read one byte past the limit, to know that the content is longer
                int want = maxLength - total >= partSize ? partSize : (int) (maxLength - total + 1);
                int n = fill(content, want);
                total += n;
                if (total > maxLength) {
                    throw new UploadTooLargeException(maxLength);
                }
                boolean end = n < want;
                if (end && multipartId == null) {
                    s3.putObject(b -> b.bucket(bucket).key(object).contentType(OCTET_STREAM), body(n));
                    done = true;
                    return total;
                }
                if (n > 0) {
                    uploadPart(n);
                }
                if (end) {
                    s3.completeMultipartUpload(b -> b.bucket(bucket).key(object).uploadId(multipartId)
                        .multipartUpload(m -> m.parts(parts)));
                    done = true;
                    return total;
                }
            }
        } catch (IOException e) {
            throw new StorageException("media: reading upload " + uploadId + " failed: " + e.getMessage(), e);
        } catch (SdkException e) {
            throw failure("writing upload " + uploadId, e);
        } finally {
            if (!done && multipartId != null) {
                abort();
            }
        }
    }

    private void uploadPart(int n) {
        if (multipartId == null) {
            multipartId = s3.createMultipartUpload(b -> b.bucket(bucket).key(object).contentType(OCTET_STREAM))
                .uploadId();
        }
        int number = parts.size() + 1;
        String etag = s3.uploadPart(b -> b.bucket(bucket).key(object).uploadId(multipartId).partNumber(number)
            .contentLength((long) n), body(n)).eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
    }

    /** The first {@code n} bytes of the buffer, which the SDK may read again to retry. */
    private RequestBody body(int n) {
        byte[] bytes = buffer;
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, n), n, OCTET_STREAM);
    }

    /**
     * Reads into the buffer until it holds {@code want} bytes or the content ends; returns how many it holds. The
     * buffer starts small and grows, so that small uploads take little memory.
     */
    private int fill(InputStream content, int want) throws IOException {
        if (buffer == null) {
            buffer = new byte[Math.min(want, FIRST_BUFFER)];
        }
        int n = 0;
        while (n < want) {
            if (n == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(2L * buffer.length, want));
            }
            int r = content.read(buffer, n, Math.min(buffer.length, want) - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n;
    }

    private void abort() {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(object).uploadId(multipartId));
        } catch (SdkException e) {
            // a lifecycle rule for incomplete multipart uploads removes it eventually (see README)
            LOG.warn("media: cannot abort multipart upload {} of {}: {}", multipartId, object, e.getMessage());
        }
    }
}
