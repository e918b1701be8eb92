package dev.parley.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParleyConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreValid() {
        ParleyConfig c = ParleyConfig.of(Map.of());
        assertThat(c.gateway().port()).isEqualTo(8080);
        assertThat(c.backend("messages").type()).isEqualTo("sqlite");
        assertThat(c.backend("messages").options()).containsEntry("batch.max", "2048");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile() throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, "server:\n  port: 9000\n  host: 127.0.0.1\nwebsocket:\n  idleTimeoutSeconds: 30\n");
        ParleyConfig c = ParleyConfig.load(file, Map.of("PARLEY_PORT", "9001", "PARLEY_WEBSOCKET_IDLETIMEOUTSECONDS",
            "45"), Map.of("server.port", "9002"));
        assertThat(c.gateway().port()).isEqualTo(9002);
        assertThat(c.gateway().host()).isEqualTo("127.0.0.1");
        assertThat(c.gateway().idleTimeout().toSeconds()).isEqualTo(45);
    }

    @Test
    void badValueNamesKeyValueAndExpectation() {
        assertThatThrownBy(() -> ParleyConfig.load(null, Map.of("PARLEY_PORT", "eighty"), Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("server.port")
            .hasMessageContaining("\"eighty\"")
            .hasMessageContaining("PARLEY_PORT")
            .hasMessageContaining("0..65535");
        assertThatThrownBy(() -> ParleyConfig.of(Map.of("server.nodeId", "5000")))
            .hasMessageContaining("server.nodeId").hasMessageContaining("0..1023");
    }

    @Test
    void unknownKeyInFileIsRefused() throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, "server:\n  prot: 9000\n");
        assertThatThrownBy(() -> ParleyConfig.load(file, Map.of(), Map.of()))
            .hasMessageContaining("server.prot").hasMessageContaining("unknown key");
    }

    @Test
    void backendKeysArePassedThrough() throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, "messages:\n  type: sqlite\n  pool:\n    size: 3\n");
        ParleyConfig c = ParleyConfig.load(file, Map.of(), Map.of());
        assertThat(c.backend("messages").options()).containsEntry("pool.size", "3");
    }

    @Test
    void committedSampleFileIsCurrentAndLoads() throws Exception {
        Path sample = Path.of("..", "parley.yaml");
        assertThat(Files.readString(sample))
            .as("parley.yaml must equal `./parley config` output; regenerate it")
            .isEqualTo(ParleyConfig.sampleYaml());
        ParleyConfig c = ParleyConfig.load(sample, Map.of(), Map.of());
        assertThat(c.gateway().port()).isEqualTo(8080);
    }
}
