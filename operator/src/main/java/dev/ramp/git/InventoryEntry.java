package dev.ramp.git;

/**
 * An object a GitSource applied, as recorded in {@code status.inventory}:
 * {@code apiVersion/kind/namespace/name}, the namespace empty for cluster-scoped objects.
 */
public record InventoryEntry(String apiVersion, String kind, String namespace, String name) {

    public static InventoryEntry of(String apiVersion, String kind, String namespace, String name) {
        return new InventoryEntry(apiVersion, kind, namespace == null ? "" : namespace, name);
    }

    public static InventoryEntry parse(String entry) {
        String[] parts = entry.split("/");
        if (parts.length < 4) {
            throw new IllegalArgumentException("not an inventory entry: " + entry);
        }
        int n = parts.length;
        String apiVersion = String.join("/", java.util.Arrays.copyOfRange(parts, 0, n - 3));
        return new InventoryEntry(apiVersion, parts[n - 3], parts[n - 2], parts[n - 1]);
    }

    @Override
    public String toString() {
        return apiVersion + "/" + kind + "/" + namespace + "/" + name;
    }
}
