package dev.ramp.cli.render;

import dev.ramp.api.Timestamps;
import java.time.Clock;
import java.time.Duration;

/** Ages as kubectl prints them: 45s, 5m30s, 3h, 2d4h, 400d. */
public final class Ages {

    private Ages() {
    }

    /** The age of an RFC 3339 timestamp, or {@code <unknown>}. */
    public static String since(String timestamp, Clock clock) {
        return Timestamps.parse(timestamp).map(at -> of(Duration.between(at, clock.instant()))).orElse("<unknown>");
    }

    public static String of(Duration age) {
        long s = Math.max(0, age.toSeconds());
        if (s < 120) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 10) {
            return s % 60 == 0 ? m + "m" : m + "m" + s % 60 + "s";
        }
        if (m < 180) {
            return m + "m";
        }
        long h = m / 60;
        if (h < 8) {
            return m % 60 == 0 ? h + "h" : h + "h" + m % 60 + "m";
        }
        if (h < 48) {
            return h + "h";
        }
        long d = h / 24;
        if (d < 8) {
            return h % 24 == 0 ? d + "d" : d + "d" + h % 24 + "h";
        }
        return d + "d";
    }
}
