package dev.ramp.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a benchmark's table into the docs, between the markers {@code <!-- NAME:start -->} and
 * {@code <!-- NAME:end -->}, so that the table a reader sees is the one the last run measured.
 */
final class DocsTable {

    private DocsTable() {
    }

    static void write(Path doc, String name, String table) throws IOException {
        String start = "<!-- " + name + ":start -->";
        String end = "<!-- " + name + ":end -->";
        String text = Files.readString(doc);
        int from = text.indexOf(start);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalStateException(doc + " has no " + start + " … " + end + " to write the table between");
        }
        Files.writeString(doc, text.substring(0, from + start.length()) + "\n" + table.strip() + "\n" + text.substring(to));
        Lab.log("table written to " + doc + " (" + name + ")");
    }
}
