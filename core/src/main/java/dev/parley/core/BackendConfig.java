package dev.parley.core;

import java.nio.file.Path;
import java.util.Map;

/**
 * The configuration section of one backend ({@code directory}, {@code messages}, {@code sessions}...): its
 * {@code type} and its own keys, flattened ({@code "path"}, {@code "pool.size"}), plus the server's data directory.
 *
 * @param section the section name, for error messages ({@code "messages"})
 */
public record BackendConfig(String section, String type, Map<String, String> options, Path dataDir) {

    /** A string option, or the default. */
    public String get(String key, String defaultValue) {
        return options.getOrDefault(key, defaultValue);
    }

    /** An int option within bounds, or the default; a bad value fails naming key, value and expectation. */
    public int getInt(String key, int defaultValue, int min, int max) {
        String raw = options.get(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v < min || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                section + "." + key + ": \"" + raw + "\" (expected: an integer in " + min + ".." + max + ")");
        }
    }

    /** A path option resolved against the data directory, or the default file name there. */
    public Path path(String key, String defaultFileName) {
        String raw = options.get(key);
        return raw == null ? dataDir.resolve(defaultFileName) : dataDir.resolve(raw);
    }
}
