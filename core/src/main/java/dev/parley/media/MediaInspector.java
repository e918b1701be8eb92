package dev.parley.media;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import net.coobird.thumbnailator.Thumbnails;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeTypes;

/**
 * Checks what uploaded bytes really are (Apache Tika's magic-number detection, never the client's word) and reads
 * images: their size and a small JPEG thumbnail. Stateless and thread-safe; call it off the event loop.
 */
public final class MediaInspector {
    /** How many leading bytes content detection looks at. */
    public static final int SNIFF_BYTES = 64 * 1024;
    /** The longest side of a thumbnail, in pixels. */
    public static final int THUMBNAIL_SIDE = 320;

    private static final MimeTypes TYPES = MimeTypes.getDefaultMimeTypes();
    private static final MediaTypeRegistry REGISTRY = TYPES.getMediaTypeRegistry();

    /** What the bytes are, as far as the server could tell. */
    public record Verdict(String mimeType, Integer width, Integer height, byte[] thumbnail) {
    }

    /** Parses and normalises a declared type ({@code "image/JPG; q=1"} becomes its canonical base type). */
    public static String normalize(String mimeType) {
        MediaType t = MediaType.parse(mimeType == null ? "" : mimeType.trim().toLowerCase(Locale.ROOT));
        if (t == null) {
            throw new IllegalArgumentException("mimeType: \"" + mimeType + "\" (expected: type/subtype)");
        }
        return REGISTRY.normalize(t).getBaseType().toString();
    }

    /** The top-level type: image, video, audio, or something else. */
    public static String kind(String mimeType) {
        return mimeType.substring(0, mimeType.indexOf('/'));
    }

    /**
     * The type detected from the leading bytes, if it agrees with the declared one: equal, or one a specialisation
     * of the other ({@code text/csv} of {@code text/plain}, anything of {@code application/octet-stream}). Declared
     * images, videos and audio must be detected as the same kind: a "PNG" that is an executable is refused.
     *
     * @return the more specific of the two
     * @throws MediaMismatchException when they disagree
     */
    public String verifyType(String declared, byte[] prefix) {
        MediaType detected;
        try (TikaInputStream in = TikaInputStream.get(prefix)) {
            detected = REGISTRY.normalize(TYPES.detect(in, new Metadata(), new ParseContext())).getBaseType();
        } catch (IOException e) {
            throw new IllegalStateException(e); // cannot happen for an in-memory stream
        }
        MediaType claimed = MediaType.parse(declared);
        String kind = kind(declared);
        boolean media = kind.equals("image") || kind.equals("video") || kind.equals("audio");
        if (detected.equals(claimed)) {
            return declared;
        }
        if (media && !detected.getType().equals(kind)) {
            throw new MediaMismatchException("declared " + declared + " but the content is " + detected);
        }
        if (REGISTRY.isSpecializationOf(detected, claimed)) {
            return detected.toString();
        }
        if (REGISTRY.isSpecializationOf(claimed, detected)) {
            return declared;
        }
        throw new MediaMismatchException("declared " + declared + " but the content is " + detected);
    }

    /**
     * Reads an image's size and makes its thumbnail, decoding only a subsample of the pixels. For formats the JDK
     * cannot read (WebP, HEIC...) the verdict has no size and no thumbnail.
     *
     * @throws MediaMismatchException when a readable format turns out to be corrupt
     */
    public Verdict inspectImage(String mimeType, InputStream content) {
        try (ImageInputStream iis = ImageIO.createImageInputStream(content)) {
            Iterator<ImageReader> readers = iis == null ? null : ImageIO.getImageReaders(iis);
            if (readers == null || !readers.hasNext()) {
                return new Verdict(mimeType, null, null, null);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                ImageReadParam param = reader.getDefaultReadParam();
                int step = Math.max(1, Math.min(w, h) / (THUMBNAIL_SIDE * 2));
                param.setSourceSubsampling(step, step, 0, 0);
                BufferedImage sampled = reader.read(0, param);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Thumbnails.of(sampled).size(THUMBNAIL_SIDE, THUMBNAIL_SIDE).outputFormat("jpg").outputQuality(0.75)
                    .toOutputStream(out);
                return new Verdict(mimeType, w, h, out.toByteArray());
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new MediaMismatchException("declared " + mimeType + " but the image cannot be read: " + e.getMessage());
        }
    }
}
