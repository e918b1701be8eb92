package dev.parley.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.parley.accounts.AccountsConfig;
import dev.parley.core.BackendConfig;
import dev.parley.gateway.GatewayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The server's configuration: defaults, overridden by the YAML file, overridden by {@code PARLEY_*} environment
 * variables, overridden by command-line flags. Every value is checked when it is read; {@link #validate()} reads
 * them all so that a bad value fails at start with a message naming the key, the value and the expectation.
 */
public final class ParleyConfig {
    /** Short environment aliases of the README. */
    static final Map<String, String> ENV_ALIASES = Map.of(
        "PARLEY_PORT", "server.port",
        "PARLEY_HOST", "server.host",
        "PARLEY_DATA_DIR", "dataDir",
        "PARLEY_NODE_ID", "server.nodeId");

    private final Map<String, String> values;
    private final Map<String, String> origins;

    private ParleyConfig(Map<String, String> values, Map<String, String> origins) {
        this.values = values;
        this.origins = origins;
    }

    /** Defaults overridden by the given values (for tests and embedding). */
    public static ParleyConfig of(Map<String, String> overrides) {
        return load(null, Map.of(), overrides);
    }

    /**
     * @param file  the YAML file, or {@code null} for none
     * @param env   the environment ({@code System.getenv()})
     * @param flags values from command-line flags
     */
    public static ParleyConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        for (ConfigKey k : ConfigKey.ALL) {
            values.put(k.name(), k.defaultValue());
            origins.put(k.name(), "default");
        }
        if (file != null) {
            readYaml(file).forEach((k, v) -> {
                checkKnown(k, file.toString());
                values.put(k, v);
                origins.put(k, file.toString());
            });
        }
        for (String key : new java.util.ArrayList<>(values.keySet())) {
            String v = env.get(ConfigKey.envName(key));
            if (v != null) {
                values.put(key, v);
                origins.put(key, "environment " + ConfigKey.envName(key));
            }
        }
        ENV_ALIASES.forEach((var, key) -> {
            String v = env.get(var);
            if (v != null) {
                values.put(key, v);
                origins.put(key, "environment " + var);
            }
        });
        flags.forEach((k, v) -> {
            checkKnown(k, "flags");
            values.put(k, v);
            origins.put(k, "command line");
        });
        ParleyConfig config = new ParleyConfig(values, origins);
        config.validate();
        return config;
    }

    private static void checkKnown(String key, String where) {
        if (ConfigKey.find(key) != null) {
            return;
        }
        int dot = key.indexOf('.');
        if (dot > 0 && ConfigKey.BACKEND_SECTIONS.contains(key.substring(0, dot))) {
            return; // backend-specific keys are checked by the backend
        }
        throw new ConfigException(key + ": unknown key in " + where + " (expected one of: "
            + ConfigKey.ALL.stream().map(ConfigKey::name).collect(Collectors.joining(", ")) + ")");
    }

    private static Map<String, String> readYaml(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConfigException("config file " + file + ": cannot read (" + e.getMessage() + ")");
        }
        Map<String, String> flat = new LinkedHashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new ConfigException("config file " + file + ": expected a YAML mapping at the top");
            }
            flatten("", root, flat, file);
        }
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(key, v, out, file);
            } else if (v.isArray()) {
                throw new ConfigException(key + ": a list in " + file + " (expected: a single value)");
            } else if (!v.isNull()) {
                out.put(key, v.asText());
            }
        }
    }

    /** Reads every key once, so that a bad value fails now. */
    public void validate() {
        for (ConfigKey k : ConfigKey.ALL) {
            if (k.isInteger()) {
                integer(k.name());
            } else {
                string(k.name());
            }
        }
        gateway();
        accounts();
    }

    /** A string value; empty strings are refused. */
    public String string(String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            throw new ConfigException(key + ": \"" + (v == null ? "" : v) + "\" from " + origin(key)
                + " (expected: a non-empty value)");
        }
        return v.trim();
    }

    /** An integer value within the key's bounds. */
    public long integer(String key) {
        ConfigKey k = ConfigKey.find(key);
        String v = values.get(key);
        try {
            long n = Long.parseLong(v.trim().replace("_", ""));
            if (k != null && (n < k.min() || n > k.max())) {
                throw new NumberFormatException();
            }
            return n;
        } catch (RuntimeException e) {
            String range = k == null ? "an integer" : "an integer in " + k.min() + ".." + k.max();
            throw new ConfigException(key + ": \"" + v + "\" from " + origin(key) + " (expected: " + range + ")");
        }
    }

    /** A boolean value: {@code true} or {@code false}. */
    public boolean bool(String key) {
        String v = string(key);
        if (!v.equals("true") && !v.equals("false")) {
            throw new ConfigException(key + ": \"" + v + "\" from " + origin(key) + " (expected: true or false)");
        }
        return Boolean.parseBoolean(v);
    }

    private String origin(String key) {
        return origins.getOrDefault(key, "default");
    }

    public Path dataDir() {
        return Path.of(string("dataDir")).toAbsolutePath().normalize();
    }

    public int nodeId() {
        return (int) integer("server.nodeId");
    }

    /** The section of a backend: its type and its own keys, without the section prefix. */
    public BackendConfig backend(String section) {
        Map<String, String> options = new TreeMap<>();
        String prefix = section + ".";
        values.forEach((k, v) -> {
            if (k.startsWith(prefix) && !k.equals(prefix + "type")) {
                options.put(k.substring(prefix.length()), v);
            }
        });
        return new BackendConfig(section, string(section + ".type"), options, dataDir());
    }

    public GatewayConfig gateway() {
        return new GatewayConfig(string("server.host"), (int) integer("server.port"),
            (int) integer("server.ioThreads"),
            Duration.ofSeconds(integer("websocket.authTimeoutSeconds")),
            Duration.ofSeconds(integer("websocket.idleTimeoutSeconds")),
            (int) integer("websocket.outboundLimitBytes"),
            (int) integer("websocket.syncBufferLimit"), bool("websocket.shedWhenBackedUp"));
    }

    public AccountsConfig accounts() {
        return new AccountsConfig((int) integer("accounts.argon2.memoryKib"),
            (int) integer("accounts.argon2.iterations"), (int) integer("accounts.argon2.parallelism"),
            (int) integer("accounts.loginAttemptsPerIpPerMinute"),
            (int) integer("accounts.loginFailuresPerAccountPerMinute"), (int) integer("accounts.maxDevices"));
    }

    /** The sample configuration file: every key, commented, with its default. */
    static String sampleYaml() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Parley configuration. Every key is shown with its default value.\n")
            .append("# Precedence: command-line flags > environment (PARLEY_<KEY>, e.g. PARLEY_SERVER_PORT;\n")
            .append("# also PARLEY_PORT, PARLEY_HOST, PARLEY_DATA_DIR, PARLEY_NODE_ID) > this file > defaults.\n")
            .append("# Generated by `./parley config`; keep it in step with ConfigKey.java.\n");
        String section = null;
        for (ConfigKey k : ConfigKey.ALL) {
            int dot = k.name().indexOf('.');
            String sec = dot < 0 ? null : k.name().substring(0, dot);
            String leaf = dot < 0 ? k.name() : k.name().substring(dot + 1);
            if (sec == null || !sec.equals(section)) {
                sb.append('\n');
                if (sec != null) {
                    sb.append(sec).append(":\n");
                }
                section = sec;
            }
            String indent = sec == null ? "" : "  ";
            sb.append(indent).append("# ").append(k.help());
            if (k.isInteger()) {
                sb.append(" Range ").append(k.min()).append("..").append(k.max()).append('.');
            }
            sb.append('\n');
            sb.append(indent).append(leaf).append(": ").append(yamlValue(k)).append('\n');
        }
        return sb.toString();
    }

    private static String yamlValue(ConfigKey k) {
        return k.isInteger() ? k.defaultValue() : "\"" + k.defaultValue() + "\"";
    }
}
