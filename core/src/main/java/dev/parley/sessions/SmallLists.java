package dev.parley.sessions;

import java.util.ArrayList;
import java.util.List;

/**
 * Immutable lists replaced whole on change, for a user's few connections: read on every delivery without a lock,
 * written only on connect and disconnect, and an idle user costs one small list instead of a concurrent set.
 */
final class SmallLists {
    private SmallLists() {
    }

    /** {@code list} (null for none) with {@code item} added once. */
    static <T> List<T> with(List<T> list, T item) {
        if (list == null) {
            return List.of(item);
        }
        if (list.contains(item)) {
            return list;
        }
        List<T> copy = new ArrayList<>(list.size() + 1);
        copy.addAll(list);
        copy.add(item);
        return List.copyOf(copy);
    }

    /** {@code list} without {@code item}; null when nothing is left. */
    static <T> List<T> without(List<T> list, T item) {
        List<T> copy = new ArrayList<>(list);
        copy.remove(item);
        return copy.isEmpty() ? null : List.copyOf(copy);
    }
}
