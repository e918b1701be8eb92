package dev.parley.client;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTTP answer as received, from {@link ParleyClient#rawRequest}: nothing is parsed and no status throws.
 *
 * @param status  the HTTP status
 * @param body    the body decoded as UTF-8; empty when none
 * @param headers the response headers; lookups through {@link #header(String)} ignore case
 */
public record RawResponse(int status, String body, Map<String, List<String>> headers) {
    /** Copies {@code headers} into an unmodifiable, case-insensitive map. */
    public RawResponse {
        body = body == null ? "" : body;
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        headers = java.util.Collections.unmodifiableMap(copy);
    }

    /** The first value of a header, matched case-insensitively. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    /** Whether the status is 2xx. */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }
}
