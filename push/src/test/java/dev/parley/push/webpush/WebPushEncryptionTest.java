package dev.parley.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.push.P256;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

class WebPushEncryptionTest {
    // RFC 8291, Appendix A: the sender's key pair and salt fixed, the whole message given.
    private static final String PLAINTEXT = "When I grow up, I want to be a watermelon";
    private static final String AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    private static final String AS_PUBLIC =
        "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    private static final String UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    private static final String UA_PUBLIC =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private static final String AUTH = "BTBZMqHH6r4Tts7J_aSIgg";
    private static final String SALT = "DGv6ra1nlYgDCS1FRnbzlw";
    private static final String BODY = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vC"
        + "YLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    @Test
    void reproducesTheExampleOfRfc8291() {
        KeyPair as = new KeyPair(P256.publicKey(P256.base64url(AS_PUBLIC)),
            P256.privateKey(P256.base64url(AS_PRIVATE)));

        byte[] body = WebPushEncryption.encrypt(PLAINTEXT.getBytes(StandardCharsets.UTF_8), P256.base64url(UA_PUBLIC),
            P256.base64url(AUTH), as, P256.base64url(SALT));

        assertThat(P256.base64url(body)).isEqualTo(BODY);
    }

    @Test
    void theSubscriberReadsTheExampleOfRfc8291() throws Exception {
        UserAgent ua = new UserAgent(new KeyPair(P256.publicKey(P256.base64url(UA_PUBLIC)),
            P256.privateKey(P256.base64url(UA_PRIVATE))), P256.base64url(AUTH));

        assertThat(new String(ua.decrypt(P256.base64url(BODY)), StandardCharsets.UTF_8)).isEqualTo(PLAINTEXT);
    }

    @Test
    void everyMessageHasItsOwnKeyAndSaltAndOnlyTheSubscriberReadsIt() throws Exception {
        UserAgent ua = UserAgent.fresh();
        byte[] text = "{\"body\":\"héllo 👋\"}".getBytes(StandardCharsets.UTF_8);

        byte[] first = WebPushEncryption.encrypt(text, ua.publicKey(), ua.auth);
        byte[] second = WebPushEncryption.encrypt(text, ua.publicKey(), ua.auth);

        assertThat(first).isNotEqualTo(second);
        assertThat(ua.decrypt(first)).isEqualTo(text);
        assertThat(ua.decrypt(second)).isEqualTo(text);
        UserAgent other = new UserAgent(ua.keys, new byte[16]);
        assertThatThrownBy(() -> other.decrypt(first)).isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void refusesKeysThatAreNotOnTheCurveAndPayloadsThatDoNotFit() {
        byte[] offCurve = P256.base64url(UA_PUBLIC);
        offCurve[64] ^= 1;
        assertThatThrownBy(() -> WebPushEncryption.encrypt(new byte[1], offCurve, new byte[16]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a point on P-256");
        UserAgent ua = UserAgent.fresh();
        assertThat(WebPushEncryption.encrypt(new byte[WebPushEncryption.MAX_PLAINTEXT], ua.publicKey(), ua.auth))
            .isNotEmpty();
        assertThatThrownBy(() -> WebPushEncryption.encrypt(new byte[WebPushEncryption.MAX_PLAINTEXT + 1],
            ua.publicKey(), ua.auth)).isInstanceOf(IllegalArgumentException.class);
    }
}
