package dev.parley.directory.postgres;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;
import dev.parley.directory.Directory;
import dev.parley.directory.DirectoryProvider;

/** {@code directory.type: postgres}: a {@link PostgresDirectory} in the database at {@code directory.url}. */
public final class PostgresDirectoryProvider implements DirectoryProvider {
    @Override
    public String type() {
        return "postgres";
    }

    @Override
    public Directory create(BackendConfig config, Resources resources) {
        return new PostgresDirectory(PostgresDirectoryConfig.from(config));
    }
}
