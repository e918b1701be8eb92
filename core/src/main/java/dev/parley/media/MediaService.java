package dev.parley.media;

import dev.parley.core.IdGenerator;
import dev.parley.core.Ids;
import dev.parley.core.ParleyException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.MediaRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiPredicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Media uploads, verification, access and lifetime.
 *
 * <p>Flow: {@link #create} answers either "exists" (the same bytes are stored already: nothing to upload) or an
 * upload URL, signed, time-limited and good for one item. The bytes go to that URL (Parley's own, or the object
 * store's); once all declared bytes are there they are verified (size, SHA-256, type sniffed from the content,
 * images decoded for size and thumbnail) and only then stored under their hash. A mismatch stores nothing.
 * Access: the uploader, and the current members of every conversation the item was sent in.
 *
 * <p>All methods block (storage, hashing, image decoding): call them off the event loop.
 */
public final class MediaService {
    private static final Logger log = LoggerFactory.getLogger(MediaService.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int LOCKS = 64;

    /** Which of an item's blobs a download URL is for. */
    public enum Variant { CONTENT, THUMBNAIL }

    /**
     * The answer to an upload request.
     *
     * @param exists     the content is stored already; nothing to upload
     * @param uploadPath where to send the bytes on this server (path and query), when {@code directUrl} is null
     * @param directUrl  where to PUT the bytes straight to the object store, when it takes uploads itself in one go
     * @param parts      where to PUT each part of the bytes straight to the object store, when it takes this upload
     *                   in parts (then {@code uploadPath} and {@code directUrl} are null)
     * @param expiresAt  epoch ms after which the upload URL stops working (0 when {@code exists})
     */
    public record UploadSlot(Media media, boolean exists, String uploadPath, URI directUrl,
                             List<BlobStore.DirectPart> parts, long expiresAt) {
    }

    /** How far a direct upload in parts is: which parts arrived, and fresh URLs for the others. */
    public record Parts(Media media, long received, List<BlobStore.DirectPart> parts, long expiresAt) {
    }

    /** How far an upload is: bytes received of the declared size; {@code media} is ready once complete. */
    public record Progress(long received, long size, Media media) {
        public boolean complete() {
            return media.ready();
        }
    }

    /** A URL to fetch an item (or its thumbnail) from: a path on this server or the object store's own URL. */
    public record Link(String path, URI direct) {
    }

    /** Download URLs for an item. */
    public record Links(Media media, Link content, Link thumbnail, long expiresAt) {
    }

    /** What a verified download URL serves. */
    public record Download(Media media, String key, String contentType, long length) {
    }

    private final MediaIndex index;
    private final BlobStore blobs;
    private final MediaConfig config;
    private final UrlSigner signer;
    private final IdGenerator ids;
    private final Clock clock;
    private final BiPredicate<Long, Long> isMember;
    private final MediaInspector inspector = new MediaInspector();
    private final Object[] locks = new Object[LOCKS];
    /** {@link #directOrigin()}, computed once; null until then. */
    private volatile Optional<String> directOrigin;

    /** @param isMember whether a user (first) is a current member of a conversation (second) */
    public MediaService(MediaIndex index, BlobStore blobs, MediaConfig config, UrlSigner signer, IdGenerator ids,
                        Clock clock, BiPredicate<Long, Long> isMember) {
        this.index = index;
        this.blobs = blobs;
        this.config = config;
        this.signer = signer;
        this.ids = ids;
        this.clock = clock;
        this.isMember = isMember;
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new Object();
        }
    }

    /** Serialises what adds or drops references to one content, so a blob is never deleted while being reused. */
    private Object lockFor(String sha256) {
        return locks[Math.floorMod(sha256.hashCode(), LOCKS)];
    }

    /** Asks to upload {@code size} bytes of {@code mimeType} with this SHA-256 (lower-case hex). */
    public UploadSlot create(long userId, long size, String mimeType, String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256.toLowerCase(java.util.Locale.ROOT)).matches()) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "sha256: \"" + sha256
                + "\" (expected: the content's SHA-256 as 64 hex digits)");
        }
        String hash = sha256.toLowerCase(java.util.Locale.ROOT);
        String type;
        try {
            type = MediaInspector.normalize(mimeType);
        } catch (IllegalArgumentException e) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, e.getMessage());
        }
        if (size <= 0) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "size: " + size + " (expected: the content's length, > 0)");
        }
        long limit = config.limitFor(type);
        if (size > limit) {
            throw new ParleyException(ErrorCode.TOO_LARGE, "size: " + size + " bytes is over the limit of " + limit
                + " for " + MediaInspector.kind(type) + " uploads");
        }
        long now = clock.millis();
        long id = ids.next();
        synchronized (lockFor(hash)) {
            Optional<Media> stored = index.readyWithContent(hash);
            if (stored.isPresent() && stored.get().size() == size
                && blobs.length(BlobStore.fullKey(hash)).orElse(-1) == size) {
                Media known = stored.get();
                Media mine = new Media(id, userId, hash, size, known.mimeType(), Media.State.READY, known.width(),
                    known.height(), known.thumbnail(), known.durationMs(), now, 0);
                index.insert(mine);
                return new UploadSlot(mine, true, null, null, null, 0);
            }
            Duration ttl = clamp(config.uploadExpiry());
            long expiresAt = now + ttl.toMillis();
            Media pending = new Media(id, userId, hash, size, type, Media.State.PENDING, null, null, false, null,
                now, expiresAt);
            index.insert(pending);
            List<BlobStore.DirectPart> parts = blobs.directParts(id, size, ttl).orElse(null);
            if (parts != null) {
                return new UploadSlot(pending, false, null, null, parts, expiresAt);
            }
            URI direct = blobs.directPut(id, size, ttl).orElse(null);
            return new UploadSlot(pending, false, direct == null ? uploadPath(id, expiresAt) : null, direct, null,
                expiresAt);
        }
    }

    /** A URL lifetime the blob store can sign for (S3: at most 7 days). */
    private Duration clamp(Duration ttl) {
        Duration max = blobs.maxDirectUrlTtl();
        return ttl.compareTo(max) > 0 ? max : ttl;
    }

    private String uploadPath(long id, long expiresAt) {
        long exp = expiresAt / 1000;
        return "/v1/media/" + Ids.toWire(id) + "/upload?exp=" + exp + "&sig=" + signer.sign("upload",
            Long.toString(id), Long.toString(exp));
    }

    /**
     * The pending item a signed upload URL is for.
     *
     * @throws ParleyException 403 for a bad or expired signature or an item already uploaded, 404 for an unknown one
     */
    private Media pendingFor(long mediaId, long exp, String sig) {
        if (!signer.verify(sig, "upload", Long.toString(mediaId), Long.toString(exp))) {
            throw new ParleyException(ErrorCode.FORBIDDEN, "upload URL: bad signature");
        }
        if (exp * 1000 < clock.millis()) {
            throw new ParleyException(ErrorCode.FORBIDDEN, "upload URL: expired");
        }
        Media m = index.get(mediaId).orElseThrow(() -> new ParleyException(ErrorCode.NOT_FOUND,
            "upload: no such media (dropped after a failed verification, or expired)"));
        if (m.ready()) {
            throw new ParleyException(ErrorCode.FORBIDDEN, "upload URL: already used");
        }
        return m;
    }

    /** How much of an upload has arrived ({@code HEAD} of the upload URL). */
    public Progress status(long mediaId, long exp, String sig) {
        Media m = pendingFor(mediaId, exp, sig);
        return new Progress(blobs.stagedLength(mediaId), m.size(), m);
    }

    /**
     * Takes the next bytes of an upload at {@code offset} (0 for a whole upload); once all declared bytes are there,
     * verifies and stores the item.
     *
     * @throws ParleyException 409 ({@link ErrorCode#CONFLICT}) when {@code offset} is not where the received bytes
     *                         end, 413 when more bytes arrive than declared, 400 when verification fails
     */
    public Progress receive(long mediaId, long exp, String sig, long offset, InputStream content) {
        Media m = pendingFor(mediaId, exp, sig);
        if (offset == 0 && blobs.stagedLength(mediaId) == m.size()) {
            // every byte arrived before, but verifying them failed midway (e.g. a crash): verify again
            return new Progress(m.size(), m.size(), verifyAndStore(m));
        }
        long received;
        try {
            received = blobs.append(mediaId, offset, content, m.size());
        } catch (OffsetMismatchException e) {
            throw new ParleyException(ErrorCode.CONFLICT, e.getMessage() + "; continue at " + e.staged());
        } catch (UploadTooLargeException e) {
            drop(m);
            throw new ParleyException(ErrorCode.TOO_LARGE, "upload: more than the declared " + m.size()
                + " bytes; nothing was stored");
        }
        if (received < m.size()) {
            if (!blobs.supportsResume()) {
                blobs.discard(mediaId); // it could never be continued: start again from 0
                throw new ParleyException(ErrorCode.BAD_REQUEST, "upload: the body ended after " + received + " of "
                    + m.size() + " bytes and this store cannot resume; send the whole content again");
            }
            return new Progress(received, m.size(), m);
        }
        return new Progress(received, m.size(), verifyAndStore(m));
    }

    /** One of the caller's own items; 404 for anyone else's (they learn nothing). */
    private Media own(long userId, long mediaId) {
        return index.get(mediaId).filter(x -> x.ownerUserId() == userId)
            .orElseThrow(() -> new ParleyException(ErrorCode.NOT_FOUND, "media " + Ids.toWire(mediaId)
                + ": no such upload of yours"));
    }

    /**
     * How far one of the caller's direct uploads in parts is, with fresh URLs (valid until the upload expires) for
     * the parts still missing: how an interrupted upload resumes.
     *
     * @throws ParleyException 404 for an unknown or someone else's item, 409 when the upload is complete already or
     *                         does not go in parts
     */
    public Parts parts(long userId, long mediaId) {
        Media m = own(userId, mediaId);
        if (m.ready()) {
            throw new ParleyException(ErrorCode.CONFLICT, "upload: complete already");
        }
        long left = m.expiresAt() - clock.millis();
        if (left < 1_000) {
            throw new ParleyException(ErrorCode.NOT_FOUND, "upload: expired");
        }
        List<BlobStore.DirectPart> parts = blobs.directParts(mediaId, m.size(), Duration.ofMillis(left))
            .orElseThrow(() -> new ParleyException(ErrorCode.CONFLICT, "upload: not an upload in parts (resume "
                + "with HEAD and PATCH on its upload URL, or PUT the whole content again)"));
        long received = parts.stream().filter(BlobStore.DirectPart::received)
            .mapToLong(BlobStore.DirectPart::length).sum();
        return new Parts(m, received, parts, m.expiresAt());
    }

    /**
     * Finishes an upload that went straight to the object store (in one PUT or in parts): verifies and stores it.
     * Only its uploader may. Idempotent: an item already ready is returned as it is.
     *
     * @throws ParleyException 409 when bytes or parts are missing (nothing is lost: upload them and call again),
     *                         400 when verification fails (the item is dropped)
     */
    public Media complete(long userId, long mediaId) {
        Media m = own(userId, mediaId);
        if (m.ready()) {
            return m;
        }
        long have = blobs.stagedLength(mediaId);
        if (have != m.size()) {
            throw new ParleyException(ErrorCode.CONFLICT, "upload: " + have + " of " + m.size()
                + " bytes received");
        }
        try {
            blobs.joinParts(mediaId, m.size());
        } catch (IllegalStateException e) {
            throw new ParleyException(ErrorCode.CONFLICT, e.getMessage());
        }
        return verifyAndStore(m);
    }

    /**
     * Reads the staged bytes once: the type from their start, a video's or audio's duration on the way (the
     * duration reader reads through, so every byte also passes the digest), the SHA-256 at the end; images are
     * decoded in a second read. Any mismatch drops the upload.
     */
    private Media verifyAndStore(Media m) {
        try {
            String type;
            Long duration = null;
            try (InputStream raw = blobs.openStaged(m.mediaId());
                 DigestInputStream in = new DigestInputStream(raw, MessageDigest.getInstance("SHA-256"))) {
                byte[] prefix = in.readNBytes(MediaInspector.SNIFF_BYTES);
                type = inspector.verifyType(m.mimeType(), prefix);
                String kind = MediaInspector.kind(type);
                if (kind.equals("video") || kind.equals("audio")) {
                    OptionalLong ms = IsoMediaDuration.millis(new SequenceInputStream(
                        new ByteArrayInputStream(prefix), in));
                    duration = ms.isPresent() ? ms.getAsLong() : null;
                }
                in.transferTo(OutputStream.nullOutputStream());
                String hash = HexFormat.of().formatHex(in.getMessageDigest().digest());
                if (!hash.equals(m.sha256())) {
                    throw new MediaMismatchException("upload: the content's SHA-256 is " + hash
                        + ", not the declared " + m.sha256() + "; nothing was stored");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            MediaInspector.Verdict verdict = MediaInspector.kind(type).equals("image")
                ? inspectImage(m, type)
                : new MediaInspector.Verdict(type, null, null, null);
            Media ready = m.asReady(verdict.mimeType(), verdict.width(), verdict.height(),
                verdict.thumbnail() != null, duration);
            synchronized (lockFor(m.sha256())) {
                blobs.commit(m.mediaId(), BlobStore.fullKey(m.sha256()));
                if (verdict.thumbnail() != null) {
                    blobs.put(BlobStore.thumbnailKey(m.sha256()), verdict.thumbnail());
                }
                if (!index.markReady(ready)) {
                    throw new ParleyException(ErrorCode.CONFLICT, "upload: dropped while it was being verified");
                }
            }
            return ready;
        } catch (MediaMismatchException e) {
            drop(m);
            throw e;
        }
    }

    private MediaInspector.Verdict inspectImage(Media m, String type) {
        try (InputStream in = blobs.openStaged(m.mediaId())) {
            return inspector.inspectImage(type, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Forgets a pending item and its partial bytes. */
    private void drop(Media m) {
        synchronized (lockFor(m.sha256())) {
            blobs.discard(m.mediaId());
            index.delete(m.mediaId());
        }
    }

    /** Whether a user may see an item: its uploader, or a current member of a conversation it was sent in. */
    public boolean canSee(long userId, Media m) {
        if (m.ownerUserId() == userId) {
            return true;
        }
        for (long conv : index.sharedIn(m.mediaId())) {
            if (isMember.test(userId, conv)) {
                return true;
            }
        }
        return false;
    }

    /** A ready item the user may see; 404 otherwise (a stranger learns nothing, not even that it exists). */
    private Media visible(long userId, long mediaId) {
        return index.get(mediaId).filter(Media::ready).filter(m -> canSee(userId, m))
            .orElseThrow(() -> new ParleyException(ErrorCode.NOT_FOUND, "media " + Ids.toWire(mediaId)
                + ": not found"));
    }

    /**
     * The origin ({@code scheme://host[:port]}) of the URLs the blob store signs itself (S3), for a web page's
     * Content-Security-Policy; empty when media goes through Parley's own URLs.
     */
    public Optional<String> directOrigin() {
        Optional<String> o = directOrigin;
        if (o == null) {
            o = blobs.directGet("origin", "application/octet-stream", Duration.ofMinutes(1))
                .map(u -> u.getScheme() + "://" + u.getRawAuthority());
            directOrigin = o;
        }
        return o;
    }

    /** Download URLs for an item the user may see. */
    public Links links(long userId, long mediaId) {
        Media m = visible(userId, mediaId);
        long expiresAt = clock.millis() + clamp(config.urlTtl()).toMillis();
        Link content = link(m, Variant.CONTENT, expiresAt);
        Link thumb = m.thumbnail() ? link(m, Variant.THUMBNAIL, expiresAt) : null;
        return new Links(m, content, thumb, expiresAt);
    }

    private Link link(Media m, Variant variant, long expiresAt) {
        String key = key(m, variant);
        Optional<URI> direct = blobs.directGet(key, contentType(m, variant), clamp(config.urlTtl()));
        if (direct.isPresent()) {
            return new Link(null, direct.get());
        }
        long exp = expiresAt / 1000;
        String v = variant.name().toLowerCase(java.util.Locale.ROOT);
        return new Link("/v1/media/" + Ids.toWire(m.mediaId()) + "/" + v + "?exp=" + exp + "&sig="
            + signer.sign("get", Long.toString(m.mediaId()), v, Long.toString(exp)), null);
    }

    private static String key(Media m, Variant variant) {
        return variant == Variant.CONTENT ? BlobStore.fullKey(m.sha256()) : BlobStore.thumbnailKey(m.sha256());
    }

    private static String contentType(Media m, Variant variant) {
        return variant == Variant.CONTENT ? m.mimeType() : "image/jpeg";
    }

    /**
     * What a signed download URL serves.
     *
     * @throws ParleyException 403 for a bad or expired signature, 404 when the item or blob is gone
     */
    public Download download(long mediaId, Variant variant, long exp, String sig) {
        String v = variant.name().toLowerCase(java.util.Locale.ROOT);
        if (!signer.verify(sig, "get", Long.toString(mediaId), v, Long.toString(exp))) {
            throw new ParleyException(ErrorCode.FORBIDDEN, "media URL: bad signature");
        }
        if (exp * 1000 < clock.millis()) {
            throw new ParleyException(ErrorCode.FORBIDDEN, "media URL: expired");
        }
        Media m = index.get(mediaId).filter(Media::ready).orElseThrow(() -> new ParleyException(ErrorCode.NOT_FOUND,
            "media: not found"));
        String key = key(m, variant);
        long length = blobs.length(key).orElseThrow(() -> new ParleyException(ErrorCode.NOT_FOUND,
            "media: not found"));
        return new Download(m, key, contentType(m, variant), length);
    }

    /** {@code length} bytes of a blob from {@code offset}, for a {@link Download}. */
    public InputStream open(Download d, long offset, long length) {
        return blobs.open(d.key(), offset, length);
    }

    /**
     * Checks that a user may send an item into a conversation (its uploader, or someone who may see it: forwarding)
     * and records that it was shared there, so the conversation's members may fetch it.
     *
     * @return what the message carries about it
     */
    public MediaRef attach(long userId, String mediaId, long conversationId) {
        long id = Ids.parse("send.media.mediaId", mediaId);
        Media m = index.get(id).filter(x -> canSee(userId, x)).orElseThrow(() -> new ParleyException(
            ErrorCode.NOT_FOUND, "send.media.mediaId: " + mediaId + ": not found"));
        if (!m.ready()) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "send.media.mediaId: " + mediaId
                + ": the upload has not completed");
        }
        index.share(id, conversationId);
        return m.toRef();
    }

    /**
     * Drops uploads that ran past their deadline and, with a retention set, items older than it; deletes blobs no
     * item refers to any more.
     *
     * @return how many items were dropped
     */
    public int sweep() {
        long now = clock.millis();
        int dropped = 0;
        for (Media m : index.expiredUploads(now, 1_000)) {
            drop(m);
            dropped++;
        }
        if (!config.retention().isZero()) {
            List<Media> old = index.createdBefore(now - config.retention().toMillis(), 1_000);
            for (Media m : old) {
                forget(m);
                dropped++;
            }
        }
        if (dropped > 0) {
            log.info("media sweep: dropped {} items", dropped);
        }
        return dropped;
    }

    /** Deletes an item; its blob and thumbnail go too once no other item refers to the content. */
    private void forget(Media m) {
        synchronized (lockFor(m.sha256())) {
            blobs.discard(m.mediaId());
            long left = index.delete(m.mediaId());
            if (left == 0) {
                blobs.delete(BlobStore.fullKey(m.sha256()));
                blobs.delete(BlobStore.thumbnailKey(m.sha256()));
            }
        }
    }
}
