package dev.parley.media;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs the URLs Parley serves media at itself (HMAC-SHA256 over what the URL allows and until when), so that a URL
 * can be handed to a client, a browser or a CDN without a bearer token, and cannot be altered or extended.
 */
public final class UrlSigner {
    private final SecretKeySpec key;

    /** @param secret at least 32 bytes, the same on every node that serves the URLs */
    public UrlSigner(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("media signing key: " + secret.length + " bytes (expected: >= 32)");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    /** The signature of these parts, URL-safe base64 without padding. */
    public String sign(String... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(String.join("\n", parts).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Whether {@code signature} is that of these parts (compared in constant time). */
    public boolean verify(String signature, String... parts) {
        if (signature == null) {
            return false;
        }
        return MessageDigest.isEqual(sign(parts).getBytes(StandardCharsets.US_ASCII),
            signature.getBytes(StandardCharsets.US_ASCII));
    }
}
