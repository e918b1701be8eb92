package dev.parley.media.sqlite;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;
import dev.parley.media.MediaIndex;
import dev.parley.media.MediaIndexProvider;

/** {@code mediaIndex.type: sqlite}: a {@link SqliteMediaIndex} in {@code mediaIndex.path} (default media.db). */
public final class SqliteMediaIndexProvider implements MediaIndexProvider {
    @Override
    public String type() {
        return "sqlite";
    }

    @Override
    public MediaIndex create(BackendConfig config, Resources resources) {
        return SqliteMediaIndex.from(config);
    }
}
