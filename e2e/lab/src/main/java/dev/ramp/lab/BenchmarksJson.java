package dev.ramp.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code docs/benchmarks.json} holds two benchmarks' results: Ramp's own ({@link Benchmark}, the
 * top-level keys) and Ramp beside Flagger ({@link FlaggerBenchmark}, under
 * {@value #VERSUS_FLAGGER}). Each rewrites its part and keeps the other's.
 */
final class BenchmarksJson {

    static final String VERSUS_FLAGGER = "versusFlagger";

    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchmarksJson() {
    }

    /** Writes {@code json} (Ramp's own results) to {@code out}, keeping the side-by-side part already there. */
    static void writeKeepingVersusFlagger(Path out, String json) throws IOException {
        JsonNode kept = Files.isRegularFile(out) ? JSON.readTree(out.toFile()).get(VERSUS_FLAGGER) : null;
        if (kept == null) {
            Files.writeString(out, json);
            return;
        }
        ObjectNode tree = (ObjectNode) JSON.readTree(json);
        tree.set(VERSUS_FLAGGER, kept);
        write(out, tree);
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
