package dev.parley.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.BackendConfig;
import dev.parley.core.Providers;
import dev.parley.core.Resources;
import dev.parley.directory.Directory;
import dev.parley.directory.DirectoryProvider;
import dev.parley.directory.User;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.AppendProbe;
import dev.parley.messaging.MessageStoreProvider;
import dev.parley.messaging.NewMessage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both providers are found by {@code type: sqlite} and read their section of the configuration. */
class SqliteProvidersTest {
    private static final Resources RESOURCES = Resources.of(1, Clock.systemUTC());

    @TempDir
    Path dataDir;

    @Test
    void directoryProviderIsFoundAndUsesTheConfiguredPath() {
        BackendConfig config = new BackendConfig("directory", "sqlite", Map.of("path", "nested/dir/users.db"),
            dataDir);

        DirectoryProvider provider = Providers.find(DirectoryProvider.class, config, DirectoryProvider::type);
        try (Directory directory = provider.create(config, RESOURCES)) {
            directory.createUser(new User(1, "alice", "Alice", "hash", 5));
            assertThat(directory.findUserByUsername("alice")).isPresent();
        }

        assertThat(dataDir.resolve("nested/dir/users.db")).isRegularFile();
    }

    @Test
    void messageStoreProviderIsFoundAndDefaultsToMessagesDb() {
        BackendConfig config = new BackendConfig("messages", "sqlite", Map.of("batch.max", "16"), dataDir);

        MessageStoreProvider provider = Providers.find(MessageStoreProvider.class, config, MessageStoreProvider::type);
        try (MessageStore store = provider.create(config, RESOURCES)) {
            NewMessage m = new NewMessage(1, 2, 3, "c1", "hi", null, 5);
            AppendProbe p = new AppendProbe(m, null);
            store.append(m, p);
            assertThat(p.awaitStored(false).seq()).isEqualTo(1);
        }

        assertThat(dataDir.resolve("messages.db")).isRegularFile();
    }

    @Test
    void badOptionsNameKeyValueAndExpectation() {
        BackendConfig badPool = new BackendConfig("directory", "sqlite", Map.of("pool.size", "0"), dataDir);
        BackendConfig badSync = new BackendConfig("directory", "sqlite", Map.of("synchronous", "sometimes"), dataDir);
        BackendConfig badBatch = new BackendConfig("messages", "sqlite", Map.of("batch.max", "lots"), dataDir);

        assertThatThrownBy(() -> new dev.parley.directory.sqlite.SqliteDirectoryProvider().create(badPool, RESOURCES))
            .hasMessage("directory.pool.size: \"0\" (expected: an integer in 1..64)");
        assertThatThrownBy(() -> new dev.parley.directory.sqlite.SqliteDirectoryProvider().create(badSync, RESOURCES))
            .hasMessage("directory.synchronous: \"sometimes\" (expected: NORMAL or FULL)");
        assertThatThrownBy(() -> new dev.parley.messaging.sqlite.SqliteMessageStoreProvider()
            .create(badBatch, RESOURCES))
            .hasMessage("messages.batch.max: \"lots\" (expected: an integer in 1..65536)");
    }
}
