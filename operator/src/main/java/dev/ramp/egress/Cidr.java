package dev.ramp.egress;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address range in CIDR notation (10.0.0.0/8, fe80::/10); a bare address is a range of one. */
public record Cidr(String text, byte[] network, int prefix) {

    /** @throws IllegalArgumentException when {@code text} is not an IP address with an optional prefix length */
    public static Cidr parse(String text) {
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        if (!address.matches("[0-9A-Fa-f:.]+")) {
            // InetAddress would otherwise look a host name up in DNS.
            throw new IllegalArgumentException("not an IP address range: " + text);
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address range: " + text, e);
        }
        int prefix;
        try {
            prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(trimmed.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an IP address range: " + text, e);
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("prefix length out of range in " + text);
        }
        return new Cidr(trimmed, bytes, prefix);
    }

    /** Whether the address lies in this range (an IPv4 address never lies in an IPv6 range, nor the reverse). */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (bytes[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (bytes[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
        return text;
    }
}
