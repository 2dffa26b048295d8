package dev.ramp.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/** Unmounting what the lab's node left mounted (container root filesystems, Pod volumes). */
final class Mounts {

    private Mounts() {
    }

    /** Lazily unmounts every mount point at or below {@code under}, deepest first. */
    static void unmountUnder(Path dir, Path under) {
        List<String> points;
        try {
            points = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
                    .map(p -> p.replace("\\040", " ")).filter(p -> Path.of(p).startsWith(under))
                    .sorted(Comparator.comparingInt(String::length).reversed()).distinct().toList();
        } catch (IOException e) {
            return;
        }
        for (String point : points) {
            try {
                LabNamespace.run(dir, "umount", "-l", point);
            } catch (IOException | InterruptedException e) {
                Lab.log("unmounting " + point + ": " + e.getMessage());
            }
        }
    }
}
