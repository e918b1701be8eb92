package dev.parley.core;

import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Finds the backend provider of a configured {@code type} among those on the class path. */
public final class Providers {
    private Providers() {
    }

    /**
     * @throws IllegalArgumentException for an unknown type, listing the available ones
     */
    public static <P> P find(Class<P> kind, BackendConfig config, Function<P, String> typeOf) {
        List<P> all = ServiceLoader.load(kind).stream().map(ServiceLoader.Provider::get).toList();
        for (P p : all) {
            if (typeOf.apply(p).equals(config.type())) {
                return p;
            }
        }
        throw new IllegalArgumentException(config.section() + ".type: \"" + config.type() + "\" (expected one of: "
            + all.stream().map(typeOf).sorted().collect(Collectors.joining(", ")) + ")");
    }
}
