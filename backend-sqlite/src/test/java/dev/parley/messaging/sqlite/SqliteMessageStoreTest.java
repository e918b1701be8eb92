package dev.parley.messaging.sqlite;

import dev.parley.core.Resources;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.MessageStoreContract;
import java.nio.file.Path;
import java.time.Clock;

class SqliteMessageStoreTest extends MessageStoreContract {
    @Override
    protected MessageStore newStore(Path dir) {
        return new SqliteMessageStore(dir.resolve("messages.db"), Resources.of(3, Clock.systemUTC()));
    }
}
