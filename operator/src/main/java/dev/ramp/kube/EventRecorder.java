package dev.ramp.kube;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Records Kubernetes Events on Ramp's resources, as {@code kubectl describe} shows them.
 * An Event is a courtesy to the user: failing to record one never fails a reconcile. The
 * message is cut to {@link Messages#MAX_LENGTH} characters and any URL in it redacted, whoever
 * wrote it.
 */
public class EventRecorder {

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    public static final String COMPONENT = "ramp";

    private final KubernetesClient client;
    private final Clock clock;

    public EventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void normal(HasMetadata about, String reason, String message) {
        record(about, "Normal", reason, message);
    }

    public void warning(HasMetadata about, String reason, String message) {
        record(about, "Warning", reason, message);
    }

    private void record(HasMetadata about, String type, String reason, String message) {
        String namespace = about.getMetadata().getNamespace();
        String now = Instant.now(clock).toString();
        var event = new EventBuilder()
                .withNewMetadata()
                .withName(about.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
                .withNamespace(namespace)
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(about.getApiVersion()).withKind(about.getKind())
                        .withName(about.getMetadata().getName()).withNamespace(namespace)
                        .withUid(about.getMetadata().getUid()).build())
                .withType(type).withReason(reason).withMessage(Messages.bounded(message))
                .withNewSource(COMPONENT, null)
                .withReportingComponent(COMPONENT)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("could not record event %s on %s/%s: %s", reason, namespace,
                    about.getMetadata().getName(), e.getMessage());
        }
    }
}
