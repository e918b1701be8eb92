package dev.parley.push.webpush;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.push.P256;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Voluntary application server identification (RFC 8292): the {@code Authorization: vapid t=JWT, k=KEY} header that
 * tells a push service which server sends, signed ES256 with the server's P-256 key. Browsers only accept pushes to
 * a subscription from the key it was made with ({@code applicationServerKey}), so the key must stay the same.
 * Tokens are cached per push service origin and renewed an hour before they expire.
 */
public final class Vapid {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LIFETIME = Duration.ofHours(12);
    private static final Duration RENEW_BEFORE = Duration.ofHours(1);
    private static final String HEADER = P256.base64url("{\"typ\":\"JWT\",\"alg\":\"ES256\"}"
        .getBytes(StandardCharsets.UTF_8));

    private final ECPrivateKey privateKey;
    private final String publicKey;
    private final String subject;
    private final Clock clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    /**
     * @param subject a contact for the push service's operators: {@code mailto:} or an {@code https:} URL
     */
    public Vapid(KeyPair keys, String subject, Clock clock) {
        this.privateKey = (ECPrivateKey) keys.getPrivate();
        this.publicKey = P256.base64url(P256.encode((ECPublicKey) keys.getPublic()));
        this.subject = subject;
        this.clock = clock;
    }

    /** The public key, base64url of the uncompressed point: what browsers subscribe with. */
    public String publicKey() {
        return publicKey;
    }

    /** The Authorization header value for a request to this endpoint. */
    public String authorization(URI endpoint) {
        String audience = endpoint.getScheme() + "://" + endpoint.getRawAuthority();
        long now = clock.millis();
        Token t = tokens.get(audience);
        if (t == null || t.expiresAt() - RENEW_BEFORE.toMillis() <= now) {
            t = new Token(jwt(audience, now + LIFETIME.toMillis()), now + LIFETIME.toMillis());
            tokens.put(audience, t);
        }
        return "vapid t=" + t.jwt() + ", k=" + publicKey;
    }

    private String jwt(String audience, long expiresAtMillis) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", audience);
        claims.put("exp", expiresAtMillis / 1000);
        claims.put("sub", subject);
        try {
            String signingInput = HEADER + "." + P256.base64url(JSON.writeValueAsBytes(claims));
            Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
            es256.initSign(privateKey);
            es256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + P256.base64url(es256.sign());
        } catch (GeneralSecurityException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot sign a VAPID token", e);
        }
    }

    private record Token(String jwt, long expiresAt) {
    }
}
