package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TextAssemblerTest {
    @Test
    void joinsPartsUntilLastAndCopiesThem() {
        TextAssembler a = new TextAssembler(100);
        StringBuilder reused = new StringBuilder("{\"ty");
        assertThat(a.append(reused, false)).isNull();
        reused.setLength(0);
        reused.append("pe\":");
        assertThat(a.append(reused, false)).isNull();
        assertThat(a.pending()).isEqualTo(8);
        assertThat(a.append("\"x\"}", true)).isEqualTo("{\"type\":\"x\"}");
        assertThat(a.pending()).isZero();
        assertThat(a.append("single", true)).isEqualTo("single");
    }

    @Test
    void dropsAnOversizedMessageWholeAndRecovers() {
        TextAssembler a = new TextAssembler(10);
        assertThat(a.append("123456", false)).isNull();
        assertThat(a.append("789012", false)).isNull();
        assertThat(a.append("tail", false)).isNull();
        assertThatThrownBy(() -> a.append("end", true)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("19 chars (expected: at most 10)");
        assertThat(a.append("ok", false)).isNull();
        assertThat(a.append("!", true)).isEqualTo("ok!");
    }
}
