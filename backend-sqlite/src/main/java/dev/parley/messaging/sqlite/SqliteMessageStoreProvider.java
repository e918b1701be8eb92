package dev.parley.messaging.sqlite;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.MessageStoreProvider;

/** {@code messages.type: sqlite}: a {@link SqliteMessageStore} in {@code messages.path} (default messages.db). */
public final class SqliteMessageStoreProvider implements MessageStoreProvider {
    @Override
    public String type() {
        return "sqlite";
    }

    @Override
    public MessageStore create(BackendConfig config, Resources resources) {
        return new SqliteMessageStore(SqliteMessageStoreConfig.from(config), resources);
    }
}
