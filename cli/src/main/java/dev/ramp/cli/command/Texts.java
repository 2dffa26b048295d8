package dev.ramp.cli.command;

import java.time.Duration;

/** Small pieces of text the commands share. */
final class Texts {

    private Texts() {
    }

    /** A duration as the user would have written it: 10s, 5m, 1h30m, 500ms. */
    static String duration(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        StringBuilder text = new StringBuilder();
        if (s >= 3600) {
            text.append(s / 3600).append('h');
        }
        if (s % 3600 >= 60) {
            text.append(s % 3600 / 60).append('m');
        }
        if (s % 60 != 0 || text.length() == 0) {
            text.append(s % 60).append('s');
        }
        return text.toString();
    }
}
