package dev.parley.push.webpush;

import dev.parley.push.P256;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** The browser's side of RFC 8291 for tests: a subscription's keys, and decryption of what was pushed to it. */
final class UserAgent {
    final KeyPair keys;
    final byte[] auth;

    UserAgent(KeyPair keys, byte[] auth) {
        this.keys = keys;
        this.auth = auth;
    }

    static UserAgent fresh() {
        byte[] auth = new byte[16];
        new java.security.SecureRandom().nextBytes(auth);
        return new UserAgent(P256.generate(), auth);
    }

    String p256dh() {
        return P256.base64url(publicKey());
    }

    String authSecret() {
        return P256.base64url(auth);
    }

    byte[] publicKey() {
        return P256.encode((ECPublicKey) keys.getPublic());
    }

    /** Reads an aes128gcm body (one record) sent to this subscription. */
    byte[] decrypt(byte[] body) throws GeneralSecurityException {
        ByteBuffer b = ByteBuffer.wrap(body);
        byte[] salt = new byte[16];
        b.get(salt);
        int recordSize = b.getInt();
        byte[] asPublic = new byte[b.get() & 0xff];
        b.get(asPublic);
        byte[] ciphertext = new byte[b.remaining()];
        b.get(ciphertext);
        if (ciphertext.length > recordSize) {
            throw new GeneralSecurityException("more than one record");
        }
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init((ECPrivateKey) keys.getPrivate());
        ka.doPhase(P256.publicKey(asPublic), true);
        byte[] keyInfo = ByteBuffer.allocate(14 + 65 + 65).put("WebPush: info\0".getBytes(StandardCharsets.US_ASCII))
            .put(publicKey()).put(asPublic).array();
        byte[] ikm = WebPushEncryption.hkdf(auth, ka.generateSecret(), keyInfo, 32);
        byte[] cek = WebPushEncryption.hkdf(salt, ikm, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16);
        byte[] nonce = WebPushEncryption.hkdf(salt, ikm, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12);
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
        byte[] record = aes.doFinal(ciphertext);
        int end = record.length - 1;
        while (end >= 0 && record[end] == 0) {
            end--; // padding
        }
        if (end < 0 || record[end] != 2) {
            throw new GeneralSecurityException("no last-record delimiter");
        }
        return Arrays.copyOf(record, end);
    }
}
