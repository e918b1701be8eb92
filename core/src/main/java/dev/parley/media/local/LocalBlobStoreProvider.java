package dev.parley.media.local;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;
import dev.parley.media.BlobStore;
import dev.parley.media.BlobStoreProvider;

/** {@code media.type: local}: blobs as files under {@code media.path} (default {@code media/} in the data dir). */
public final class LocalBlobStoreProvider implements BlobStoreProvider {
    @Override
    public String type() {
        return "local";
    }

    @Override
    public BlobStore create(BackendConfig config, Resources resources) {
        return new LocalBlobStore(config.path("path", "media"));
    }
}
