package dev.parley.app;

/** A bad configuration value; the message names the key, the value and what was expected. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
