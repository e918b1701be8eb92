package dev.parley.cassandra;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How a keyspace is replicated, as configured: {@code SimpleStrategy:<rf>} (one data center, tests and development)
 * or {@code NetworkTopologyStrategy:<dc>=<rf>[,<dc>=<rf>...]} (production).
 *
 * @param strategy    {@code SimpleStrategy} or {@code NetworkTopologyStrategy}
 * @param factors     replicas per data center; for SimpleStrategy the one entry {@code replication_factor}
 */
public record Replication(String strategy, Map<String, Integer> factors) {
    public static final String SIMPLE = "SimpleStrategy";
    public static final String NETWORK_TOPOLOGY = "NetworkTopologyStrategy";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public Replication {
        Objects.requireNonNull(strategy, "strategy");
        factors = Map.copyOf(factors);
        if (!strategy.equals(SIMPLE) && !strategy.equals(NETWORK_TOPOLOGY)) {
            throw new IllegalArgumentException("strategy: \"" + strategy + "\" (expected: " + SIMPLE + " or "
                + NETWORK_TOPOLOGY + ")");
        }
        if (factors.isEmpty()) {
            throw new IllegalArgumentException("factors: none (expected: at least one replication factor)");
        }
        factors.forEach((dc, rf) -> {
            if (!NAME.matcher(dc).matches() || rf < 1 || rf > 100) {
                throw new IllegalArgumentException("replication factor " + dc + "=" + rf
                    + " (expected: a data center name and a factor in 1..100)");
            }
        });
    }

    /** One data center, {@code rf} replicas. */
    public static Replication simple(int rf) {
        return new Replication(SIMPLE, Map.of("replication_factor", rf));
    }

    /** {@code rf} replicas in one named data center. */
    public static Replication networkTopology(String datacenter, int rf) {
        return new Replication(NETWORK_TOPOLOGY, Map.of(datacenter, rf));
    }

    /**
     * Parses the configured form.
     *
     * @param key the configuration key, for the error message
     */
    public static Replication parse(String key, String value) {
        String s = value.trim();
        int colon = s.indexOf(':');
        String expected = " (expected: SimpleStrategy:<factor> or NetworkTopologyStrategy:<dc>=<factor>[,<dc>=<factor>])";
        if (colon < 0) {
            throw new IllegalArgumentException(key + ": \"" + value + "\"" + expected);
        }
        String strategy = s.substring(0, colon).trim();
        String rest = s.substring(colon + 1).trim();
        try {
            if (strategy.equals(SIMPLE)) {
                return simple(Integer.parseInt(rest));
            }
            if (strategy.equals(NETWORK_TOPOLOGY)) {
                Map<String, Integer> factors = new LinkedHashMap<>();
                for (String part : rest.split(",")) {
                    int eq = part.indexOf('=');
                    if (eq < 0) {
                        throw new IllegalArgumentException("no =");
                    }
                    factors.put(part.substring(0, eq).trim(), Integer.parseInt(part.substring(eq + 1).trim()));
                }
                return new Replication(NETWORK_TOPOLOGY, factors);
            }
        } catch (IllegalArgumentException e) {
            // reported below, with the key
        }
        throw new IllegalArgumentException(key + ": \"" + value + "\"" + expected);
    }

    /** The CQL map literal of {@code CREATE KEYSPACE ... WITH replication = ...}. */
    public String toCql() {
        String entries = factors.entrySet().stream().sorted(Map.Entry.comparingByKey())
            .map(e -> "'" + e.getKey() + "': " + e.getValue()).collect(Collectors.joining(", "));
        return "{'class': '" + strategy + "', " + entries + "}";
    }
}
