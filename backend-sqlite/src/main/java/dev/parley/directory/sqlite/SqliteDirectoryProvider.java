package dev.parley.directory.sqlite;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;
import dev.parley.directory.Directory;
import dev.parley.directory.DirectoryProvider;

/** {@code directory.type: sqlite}: a {@link SqliteDirectory} in {@code directory.path} (default directory.db). */
public final class SqliteDirectoryProvider implements DirectoryProvider {
    @Override
    public String type() {
        return "sqlite";
    }

    @Override
    public Directory create(BackendConfig config, Resources resources) {
        return new SqliteDirectory(SqliteDirectoryConfig.from(config));
    }
}
