package dev.parley.core;

import dev.parley.protocol.ErrorCode;

/** Ids are 64-bit numbers inside and decimal strings on the wire. */
public final class Ids {
    private Ids() {
    }

    public static String toWire(long id) {
        return Long.toString(id);
    }

    /**
     * Parses a wire id.
     *
     * @throws ParleyException {@code bad_request} naming the field when it is not a positive decimal number
     */
    public static long parse(String field, String value) {
        if (value == null || value.isEmpty() || value.length() > 19) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, field + ": " + quote(value) + " (expected: an id)");
        }
        try {
            long id = Long.parseLong(value);
            if (id <= 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, field + ": " + quote(value) + " (expected: an id)");
        }
    }

    private static String quote(String s) {
        return s == null ? "missing" : "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
}
