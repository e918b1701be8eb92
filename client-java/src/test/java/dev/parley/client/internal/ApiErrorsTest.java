package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.ParleyApiException;
import dev.parley.protocol.ErrorCode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ApiErrorsTest {
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void parsesTheErrorBody() {
        ParleyApiException e = ApiErrors.toException(400,
            "{\"error\":{\"code\":\"weak_password\",\"message\":\"password: 3 chars (expected: >= 8)\"}}", null, NOW);
        assertThat(e.code()).isEqualTo(ErrorCode.WEAK_PASSWORD);
        assertThat(e.wireCode()).isEqualTo("weak_password");
        assertThat(e.errorMessage()).isEqualTo("password: 3 chars (expected: >= 8)");
        assertThat(e.status()).isEqualTo(400);
    }

    @Test
    void unknownCodesKeepTheirWireName() {
        ParleyApiException e = ApiErrors.toException(422, "{\"error\":{\"code\":\"brand_new\"}}", null, NOW);
        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(e.wireCode()).isEqualTo("brand_new");
        assertThat(e.errorMessage()).isNull();
    }

    @Test
    void missingOrForeignBodiesFollowTheStatus() {
        assertThat(ApiErrors.toException(404, "", null, NOW).code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(ApiErrors.toException(409, "{}", null, NOW).code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(ApiErrors.toException(401, "{\"error\":\"nope\"}", null, NOW).code())
            .isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(ApiErrors.toException(418, null, null, NOW).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(ApiErrors.toException(500, "oops", null, NOW).errorMessage()).isEqualTo("oops");
    }

    @Test
    void retryAfterAsSecondsOrHttpDate() {
        assertThat(ApiErrors.parseRetryAfter("120", NOW)).isEqualTo(120);
        assertThat(ApiErrors.parseRetryAfter(" 0 ", NOW)).isZero();
        assertThat(ApiErrors.parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", NOW)).isEqualTo(30);
        assertThat(ApiErrors.parseRetryAfter("Tue, 31 Dec 2024 23:00:00 GMT", NOW)).isZero();
        assertThat(ApiErrors.parseRetryAfter("-5", NOW)).isNull();
        assertThat(ApiErrors.parseRetryAfter("soon", NOW)).isNull();
        assertThat(ApiErrors.parseRetryAfter(null, NOW)).isNull();
        assertThat(ApiErrors.toException(429, "", "3", NOW).retryAfterSeconds()).hasValue(3);
    }
}
