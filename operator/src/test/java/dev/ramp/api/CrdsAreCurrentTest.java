package dev.ramp.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ramp.testing.TestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed crds/ must be what the build generates from the API classes. */
class CrdsAreCurrentTest {

    private static final String HOW_TO_FIX = "crds/ is stale: run ./mvnw -Pcrds -DskipTests process-classes and commit crds/";

    @Test
    void committedCrdsMatchTheGeneratedOnes() throws IOException {
        Path generated = Path.of(System.getProperty("ramp.crds.generated", "target/crds"));
        Path committed = TestCluster.repoRoot().resolve("crds");
        List<String> names = yamlFiles(generated);
        assertThat(names).as("generated CRDs").containsExactlyInAnyOrder("gitsources.ramp.dev-v1.yml",
                "metrictemplates.ramp.dev-v1.yml", "rollouts.ramp.dev-v1.yml");
        assertThat(yamlFiles(committed)).as(HOW_TO_FIX).containsExactlyInAnyOrderElementsOf(names);
        for (String name : names) {
            assertThat(Files.readString(committed.resolve(name))).as(HOW_TO_FIX + " (" + name + ")")
                    .isEqualTo(Files.readString(generated.resolve(name)));
        }
    }

    private static List<String> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("-v1.yml")).toList();
        }
    }
}
