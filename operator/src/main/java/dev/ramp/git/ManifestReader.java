package dev.ramp.git;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * Reads the Kubernetes objects a commit declares under a directory: every {@code .yaml} and
 * {@code .yml} file, recursively, each possibly holding several documents. Reads Git's object
 * database directly, so no working tree is checked out, and refuses files beyond its
 * {@link ManifestLimits} before reading them.
 */
public class ManifestReader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final ManifestLimits limits;

    public ManifestReader() {
        this(ManifestLimits.DEFAULT);
    }

    public ManifestReader(ManifestLimits limits) {
        this.limits = limits;
    }

    /** Every object under {@code path} at {@code commit}; a document that is not an object is an error naming it. */
    public List<Manifest> read(Repository repository, ObjectId commit, String path) throws GitSourceException, IOException {
        List<Manifest> manifests = new ArrayList<>();
        Map<String, byte[]> files;
        try {
            files = files(repository, commit, path, limits);
        } catch (LargeObjectException e) {
            throw GitSourceException.userError("InvalidManifest", "a file under " + (normalise(path).isEmpty() ? "the"
                    + " repository root" : normalise(path)) + " is too large to read as a manifest: " + e.getMessage());
        }
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            manifests.addAll(parse(file.getKey(), file.getValue()));
        }
        return manifests;
    }

    /** The YAML files under {@code path} at {@code commit}, by path, in the repository's order. */
    public static Map<String, byte[]> files(Repository repository, ObjectId commit, String path) throws IOException {
        try {
            return files(repository, commit, path, ManifestLimits.DEFAULT);
        } catch (GitSourceException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** As {@link #files(Repository, ObjectId, String)}, refusing files beyond {@code limits} unread. */
    public static Map<String, byte[]> files(Repository repository, ObjectId commit, String path, ManifestLimits limits)
            throws IOException, GitSourceException {
        long total = 0;
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        try (RevWalk walk = new RevWalk(repository); TreeWalk tree = new TreeWalk(repository)) {
            RevCommit revCommit = walk.parseCommit(commit);
            tree.addTree(revCommit.getTree());
            tree.setRecursive(true);
            String directory = normalise(path);
            if (!directory.isEmpty()) {
                tree.setFilter(PathFilter.create(directory));
            }
            while (tree.next()) {
                String file = tree.getPathString();
                if (file.endsWith(".yaml") || file.endsWith(".yml")) {
                    ObjectLoader blob = repository.open(tree.getObjectId(0));
                    total = limits.admit(file, blob.getSize(), total);
                    files.put(file, blob.getCachedBytes((int) Math.min(Integer.MAX_VALUE, limits.maxFileBytes())));
                }
            }
        }
        return files;
    }

    static String normalise(String path) {
        String p = path == null ? "" : path.trim();
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        if (p.equals(".")) {
            p = "";
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    static List<Manifest> parse(String file, byte[] content) throws GitSourceException {
        List<Manifest> manifests = new ArrayList<>();
        int document = 0;
        try (JsonParser parser = YAML.getFactory().createParser(content);
                MappingIterator<Object> documents = YAML.readValues(parser, Object.class)) {
            while (documents.hasNextValue()) {
                document++;
                Object value = documents.nextValue();
                if (value == null) {
                    continue;
                }
                manifests.add(toManifest(file, document, value));
            }
        } catch (IOException | RuntimeException e) {
            throw GitSourceException.userError("InvalidManifest", file + ", document " + Math.max(document, 1)
                    + ": not valid YAML: " + firstLine(e.getMessage()));
        }
        return manifests;
    }

    private static Manifest toManifest(String file, int document, Object value) throws GitSourceException {
        String where = file + ", document " + document;
        if (!(value instanceof Map<?, ?> map)) {
            throw GitSourceException.userError("InvalidManifest",
                    where + ": not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)");
        }
        GenericKubernetesResource object = YAML.convertValue(map, GenericKubernetesResource.class);
        for (String missing : List.of("apiVersion", "kind")) {
            if (map.get(missing) == null || map.get(missing).toString().isBlank()) {
                throw GitSourceException.userError("InvalidManifest",
                        where + ": " + missing + " is missing");
            }
        }
        if (object.getMetadata() == null || object.getMetadata().getName() == null
                || object.getMetadata().getName().isBlank()) {
            throw GitSourceException.userError("InvalidManifest",
                    where + ": metadata.name is missing");
        }
        return new Manifest(file, document, object);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
