package dev.ramp.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code docs/benchmarks.json} holds three benchmarks' results: Ramp's own on the Istio path
 * ({@link Benchmark}, the top-level keys), the same through Traefik (under
 * {@value Benchmark#TRAEFIK}) and Ramp beside Flagger ({@link FlaggerBenchmark}, under
 * {@value #VERSUS_FLAGGER}). Each rewrites its part and keeps the others'.
 */
final class BenchmarksJson {

    static final String VERSUS_FLAGGER = "versusFlagger";

    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchmarksJson() {
    }

    /**
     * Writes {@code json} (Ramp's own results on the Istio path) to {@code out}, keeping the
     * Traefik and side-by-side parts already there.
     */
    static void writeKeepingOthers(Path out, String json) throws IOException {
        JsonNode old = Files.isRegularFile(out) ? JSON.readTree(out.toFile()) : null;
        ObjectNode tree = (ObjectNode) JSON.readTree(json);
        boolean kept = false;
        for (String key : new String[] {Benchmark.TRAEFIK, VERSUS_FLAGGER}) {
            if (old != null && old.get(key) != null) {
                tree.set(key, old.get(key));
                kept = true;
            }
        }
        if (kept) {
            write(out, tree);
        } else {
            Files.writeString(out, json);
        }
    }

    /** Sets {@code key} in {@code out} to {@code json}, keeping the rest of the file. */
    static void put(Path out, String key, String json) throws IOException {
        ObjectNode tree = Files.isRegularFile(out) ? (ObjectNode) JSON.readTree(out.toFile()) : JSON.createObjectNode();
        tree.set(key, JSON.readTree(json));
        write(out, tree);
    }

    private static void write(Path out, ObjectNode tree) throws IOException {
        Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree) + "\n");
    }
}
