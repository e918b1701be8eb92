package dev.parley.push.webpush;

import dev.parley.push.P256;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Message encryption for Web Push (RFC 8291) in the {@code aes128gcm} content coding (RFC 8188), one record: ECDH
 * between a fresh key pair and the subscription's {@code p256dh} key, HKDF-SHA-256 with the subscription's auth
 * secret, AES-128-GCM. Only the browser (or UnifiedPush app) that holds the subscription's private key can read it;
 * the push service sees ciphertext.
 */
public final class WebPushEncryption {
    /** The record size announced in the header; one record holds the whole (small) payload. */
    static final int RECORD_SIZE = 4096;
    /** Largest plaintext that fits one record (record size minus tag and delimiter). */
    public static final int MAX_PLAINTEXT = RECORD_SIZE - 16 - 1;
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebPushEncryption() {
    }

    /** Encrypts with a fresh key pair and salt: the body of the push request. */
    public static byte[] encrypt(byte[] plaintext, byte[] uaPublic, byte[] authSecret) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return encrypt(plaintext, uaPublic, authSecret, P256.generate(), salt);
    }

    /** Encrypts with the given sender key pair and salt (fixed only in tests, against RFC 8291's example). */
    static byte[] encrypt(byte[] plaintext, byte[] uaPublic, byte[] authSecret, KeyPair asKeys, byte[] salt) {
        if (plaintext.length > MAX_PLAINTEXT) {
            throw new IllegalArgumentException("payload of " + plaintext.length + " bytes (expected: at most "
                + MAX_PLAINTEXT + ")");
        }
        try {
            byte[] asPublic = P256.encode((ECPublicKey) asKeys.getPublic());
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init((ECPrivateKey) asKeys.getPrivate());
            ka.doPhase(P256.publicKey(uaPublic), true);
            byte[] ecdhSecret = ka.generateSecret();

            byte[] keyInfo = concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic);
            byte[] ikm = hkdf(authSecret, ecdhSecret, keyInfo, 32);
            byte[] cek = hkdf(salt, ikm, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16);
            byte[] nonce = hkdf(salt, ikm, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12);

            byte[] record = Arrays.copyOf(plaintext, plaintext.length + 1);
            record[plaintext.length] = 2; // delimiter of the last record, no padding
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
            byte[] ciphertext = aes.doFinal(record);

            ByteBuffer out = ByteBuffer.allocate(16 + 4 + 1 + asPublic.length + ciphertext.length);
            out.put(salt).putInt(RECORD_SIZE).put((byte) asPublic.length).put(asPublic).put(ciphertext);
            return out.array();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot encrypt for this subscription: " + e.getMessage(), e);
        }
    }

    /** HKDF-SHA-256 (RFC 5869), extract then expand to at most 32 bytes. */
    static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) throws GeneralSecurityException {
        if (length > 32) {
            throw new IllegalArgumentException("length: " + length + " (expected: at most 32)");
        }
        byte[] prk = hmac(salt, ikm);
        return Arrays.copyOf(hmac(prk, concat(info, new byte[] {1})), length);
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
