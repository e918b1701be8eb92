package dev.parley.directory;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;

/** Builds a {@link Directory} for a configured {@code directory.type}; discovered with {@code ServiceLoader}. */
public interface DirectoryProvider {
    /** The {@code type} this provider answers to, e.g. {@code "sqlite"}. */
    String type();

    Directory create(BackendConfig config, Resources resources);
}
