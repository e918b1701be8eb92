package dev.parley.push;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which hosts a client-given push endpoint must not point at: loopback, private, link-local and unspecified
 * addresses (so that a registered "endpoint" cannot make the server post into its own network).
 */
public final class PrivateAddresses {
    private PrivateAddresses() {
    }

    /** Whether the address is not on the public internet. */
    public static boolean isPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
            || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || first == 100 && second >= 64 && second < 128; // this network; carrier-grade NAT
        }
        return (b[0] & 0xfe) == 0xfc; // IPv6 unique local fc00::/7
    }

    /** Whether a URL's host is {@code localhost} or an IP literal that {@link #isPrivate}; names are not resolved. */
    public static boolean isPrivateLiteral(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+|\\[?[0-9a-f:.]+]?")) {
            return false;
        }
        try {
            return isPrivate(InetAddress.getByName(h.replace("[", "").replace("]", "")));
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
