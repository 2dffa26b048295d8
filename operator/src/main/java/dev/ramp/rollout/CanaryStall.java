package dev.ramp.rollout;

import dev.ramp.api.RampLabels;
import dev.ramp.api.RollbackCause;
import dev.ramp.api.StatefulSetLabels;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Why a canary is not ready, read from its Pods and its Deployment as observed: the reason of a
 * rollback at the progress deadline. A canary that crashes (CrashLoopBackOff, a container that
 * exited with an error) or runs without passing its readiness probe is the commit's fault, and
 * is rolled back with {@code ProgressDeadlineExceeded}, which reverts Git. One that never ran
 * because the cluster could not place it (Pods Unschedulable, a ReplicaSet refused by a quota) or
 * could not pull its image (a registry outage) says nothing about the commit:
 * {@code CanaryNotScheduled} and {@code ImageNotPulled} roll back without a revert. Evidence
 * against the commit wins: one crashing Pod beside an unschedulable one reverts. Pure.
 */
public record CanaryStall(String reason, String detail) {

    /** Cluster-written text (a scheduler's or kubelet's message) is cut to this many characters. */
    static final int MAX_DETAIL = 256;

    private static final Set<String> IMAGE_PULL = Set.of("ErrImagePull", "ImagePullBackOff");
    private static final Set<String> APP_WAITING = Set.of("CrashLoopBackOff", "RunContainerError",
            "CreateContainerConfigError", "CreateContainerError", "InvalidImageName");

    /**
     * The stall of {@code target}'s canary of {@code revision}: its Pods are those of {@code pods}
     * that carry the target's selector labels and the revision's label.
     */
    public static CanaryStall of(Deployment target, String revision, Collection<Pod> pods) {
        String name = target.getMetadata().getName();
        List<Pod> canary = pods.stream().filter(p -> isCanary(p, target, revision)).toList();
        return ofPods(canary).or(() -> replicaFailure(target))
                .orElseGet(() -> new CanaryStall(RollbackCause.PROGRESS_DEADLINE_EXCEEDED, canary.isEmpty() ? "no pod of canary "
                        + name + " seen" : canary.size() + " pod(s) of canary " + name + " not ready"));
    }

    /**
     * The stall of a StatefulSet's step (docs/statefulsets.md): its Pods are those of {@code pods}
     * in the StatefulSet's namespace whose {@code controller-revision-hash} is {@code revision};
     * {@code progress} (the partition and counts its controller reports) is the detail when they
     * show nothing. A StatefulSet's controller creates its Pods itself, so there is no ReplicaSet
     * to refuse them.
     */
    public static CanaryStall ofStatefulSet(StatefulSet set, String revision, Collection<Pod> pods, String progress) {
        List<Pod> onRevision = pods.stream().filter(p -> revision != null
                && set.getMetadata().getNamespace().equals(p.getMetadata().getNamespace())
                && p.getMetadata().getLabels() != null
                && revision.equals(p.getMetadata().getLabels().get(StatefulSetLabels.REVISION))).toList();
        return ofPods(onRevision).map(stall -> new CanaryStall(stall.reason(), cut(progress + "; " + stall.detail())))
                .orElseGet(() -> new CanaryStall(RollbackCause.PROGRESS_DEADLINE_EXCEEDED, progress));
    }

    /** What the Pods show: the commit's fault over the cluster's, or empty when none shows anything. */
    private static Optional<CanaryStall> ofPods(List<Pod> pods) {
        List<CanaryStall> found = pods.stream().map(CanaryStall::ofPod).filter(s -> s != null).toList();
        return found.stream().filter(CanaryStall::revertsGit).findFirst().or(() -> found.stream().findFirst());
    }

    /** Whether the rollback this stall leads to reverts the commit in Git. */
    public boolean revertsGit() {
        return new RollbackCause(reason, detail).revertsGit();
    }

    private static boolean isCanary(Pod pod, Deployment target, String revision) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        Map<String, String> selector = target.getSpec().getSelector().getMatchLabels();
        return labels != null && revision != null && revision.equals(labels.get(RampLabels.REVISION))
                && pod.getMetadata().getNamespace() != null && pod.getMetadata().getNamespace().equals(target.getMetadata().getNamespace())
                && (selector == null || labels.entrySet().containsAll(selector.entrySet()));
    }

    /** What one Pod shows, or null when it shows nothing wrong (yet). */
    private static CanaryStall ofPod(Pod pod) {
        String name = pod.getMetadata().getName();
        var status = pod.getStatus();
        if (status == null) {
            return null;
        }
        List<ContainerStatus> containers = Stream.concat(
                Optional.ofNullable(status.getInitContainerStatuses()).orElse(List.of()).stream(),
                Optional.ofNullable(status.getContainerStatuses()).orElse(List.of()).stream()).toList();
        for (ContainerStatus c : containers) {
            var waiting = c.getState() == null ? null : c.getState().getWaiting();
            var terminated = c.getState() == null ? null : c.getState().getTerminated();
            if (waiting != null && APP_WAITING.contains(waiting.getReason())) {
                return app(name, c.getName() + " " + waiting.getReason(), waiting.getMessage());
            }
            if (terminated != null && terminated.getExitCode() != null && terminated.getExitCode() != 0) {
                return app(name, c.getName() + " exited with code " + terminated.getExitCode(), terminated.getReason());
            }
        }
        for (ContainerStatus c : containers) {
            var waiting = c.getState() == null ? null : c.getState().getWaiting();
            if (waiting != null && IMAGE_PULL.contains(waiting.getReason())) {
                return new CanaryStall(RollbackCause.IMAGE_NOT_PULLED, cut("pod " + name + ": image " + c.getImage()
                        + " not pulled (" + waiting.getReason() + ")" + suffix(waiting.getMessage())));
            }
        }
        boolean unschedulable = Optional.ofNullable(status.getConditions()).orElse(List.of()).stream()
                .anyMatch(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
                        && "Unschedulable".equals(c.getReason()));
        if (unschedulable) {
            String message = status.getConditions().stream().filter(c -> "PodScheduled".equals(c.getType()))
                    .findFirst().map(c -> c.getMessage()).orElse(null);
            return new CanaryStall(RollbackCause.CANARY_NOT_SCHEDULED, cut("pod " + name + " unschedulable" + suffix(message)));
        }
        boolean started = Optional.ofNullable(status.getContainerStatuses()).orElse(List.of()).stream()
                .anyMatch(c -> c.getState() != null && c.getState().getRunning() != null && !Boolean.TRUE.equals(c.getReady()));
        if (started) {
            return app(name, "running but not ready (its readiness probe does not pass)", null);
        }
        return null;
    }

    /** A ReplicaSet that could not create the canary's Pods at all, e.g. refused by a ResourceQuota. */
    private static Optional<CanaryStall> replicaFailure(Deployment target) {
        if (target.getStatus() == null || target.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return target.getStatus().getConditions().stream()
                .filter(c -> "ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst().map(c -> new CanaryStall(RollbackCause.CANARY_NOT_SCHEDULED, cut("Deployment "
                        + target.getMetadata().getName() + " cannot create its pods (" + c.getReason() + ")" + suffix(c.getMessage()))));
    }

    private static CanaryStall app(String pod, String what, String message) {
        return new CanaryStall(RollbackCause.PROGRESS_DEADLINE_EXCEEDED, cut("pod " + pod + ": " + what + suffix(message)));
    }

    private static String suffix(String message) {
        return message == null || message.isBlank() ? "" : ": " + message;
    }

    private static String cut(String text) {
        return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "…";
    }
}
