package dev.parley.media;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;

/** Builds a {@link BlobStore} for a configured {@code media.type}; discovered with {@code ServiceLoader}. */
public interface BlobStoreProvider {
    String type();

    BlobStore create(BackendConfig config, Resources resources);
}
