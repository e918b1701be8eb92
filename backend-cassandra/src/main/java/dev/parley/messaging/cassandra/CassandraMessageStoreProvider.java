package dev.parley.messaging.cassandra;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.MessageStoreProvider;

/** {@code messages.type: cassandra}: a {@link CassandraMessageStore}; keys in {@link CassandraMessageStoreConfig}. */
public final class CassandraMessageStoreProvider implements MessageStoreProvider {
    @Override
    public String type() {
        return "cassandra";
    }

    @Override
    public MessageStore create(BackendConfig config, Resources resources) {
        return new CassandraMessageStore(CassandraMessageStoreConfig.from(config), resources);
    }
}
