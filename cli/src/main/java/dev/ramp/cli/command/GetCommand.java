package dev.ramp.cli.command;

import dev.ramp.api.Rollout;
import dev.ramp.cli.CliException;
import dev.ramp.cli.ExitCodes;
import dev.ramp.cli.Ramp;
import dev.ramp.cli.ReleaseView;
import dev.ramp.cli.Rollouts;
import dev.ramp.cli.render.Ages;
import dev.ramp.cli.render.OutputFormat;
import dev.ramp.cli.render.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ramp get}: the Rollouts of a namespace as a table, or as kubectl's JSON or YAML. */
@Command(name = "get", description = "List Rollouts, or show one, as a table or as JSON/YAML.")
public final class GetCommand implements Callable<Integer> {

    private static final int SHORT_COMMIT = 7;

    @ParentCommand
    Ramp ramp;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "A Rollout; default: all in the namespace.")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "json or yaml instead of a table.")
    OutputFormat output;

    @Option(names = {"-A", "--all-namespaces"}, description = "List the Rollouts of every namespace.")
    boolean allNamespaces;

    @Override
    public Integer call() {
        if (allNamespaces && name != null) {
            throw CliException.usage("a Rollout cannot be retrieved by name across all namespaces");
        }
        Rollouts rollouts = new Rollouts(ramp.cluster());
        List<Rollout> items = name != null ? List.of(rollouts.get(name)) : rollouts.list(allNamespaces);
        items.forEach(r -> r.getMetadata().setManagedFields(null));
        if (output != null) {
            output.print(name != null ? items.get(0) : list(items), ramp.out());
            return ExitCodes.OK;
        }
        if (items.isEmpty()) {
            ramp.err().println(allNamespaces ? "No resources found"
                    : "No resources found in " + rollouts.namespace() + " namespace.");
            return ExitCodes.OK;
        }
        table(items).print(ramp.out(), "");
        return ExitCodes.OK;
    }

    private Table table(List<Rollout> items) {
        Table table = allNamespaces
                ? new Table("NAMESPACE", "NAME", "STRATEGY", "PHASE", "WEIGHT", "FAILED", "LAST PROMOTED", "AGE")
                : new Table("NAME", "STRATEGY", "PHASE", "WEIGHT", "FAILED", "LAST PROMOTED", "AGE");
        for (Rollout rollout : items) {
            ReleaseView view = new ReleaseView(rollout);
            List<Object> cells = new ArrayList<>(List.of(view.name(), view.strategy(),
                    view.paused() ? view.phaseName() + ",Paused" : view.phaseName(), view.weight(),
                    view.failedChecks(), lastPromoted(view),
                    Ages.since(rollout.getMetadata().getCreationTimestamp(), ramp.clock())));
            if (allNamespaces) {
                cells.add(0, view.namespace());
            }
            table.row(cells.toArray());
        }
        return table;
    }

    /** The promoted commit when a GitSource synced it, else the promoted template's hash. */
    private static String lastPromoted(ReleaseView view) {
        String commit = view.status().getLastPromotedCommit();
        if (commit != null && !commit.isBlank()) {
            return commit.length() > SHORT_COMMIT ? commit.substring(0, SHORT_COMMIT) : commit;
        }
        String revision = view.status().getLastPromotedRevision();
        return revision == null || revision.isBlank() ? "<none>" : revision;
    }

    private static Map<String, Object> list(List<Rollout> items) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", "v1");
        list.put("kind", "List");
        list.put("items", items);
        list.put("metadata", Map.of("resourceVersion", ""));
        return list;
    }
}
