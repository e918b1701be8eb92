package dev.parley.media;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;

/** Builds a {@link MediaIndex} for a configured {@code mediaIndex.type}; discovered with {@code ServiceLoader}. */
public interface MediaIndexProvider {
    String type();

    MediaIndex create(BackendConfig config, Resources resources);
}
