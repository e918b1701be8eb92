package dev.parley.messaging.sqlite;

import dev.parley.core.Resources;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.MessageStoreContract;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The contract again with a one-entry seq cache and small batches: seqs are reloaded from the file all the time,
 * and conversations are evicted in the middle of a batch.
 */
class SqliteMessageStoreTinyCacheTest extends MessageStoreContract {
    @Override
    protected MessageStore newStore(Path dir) {
        SqliteMessageStoreConfig config = SqliteMessageStoreConfig.defaults(dir.resolve("messages.db"))
            .withBatchMax(16)
            .withSeqCacheMax(1);
        return new SqliteMessageStore(config, Resources.of(4, Clock.systemUTC()));
    }
}
