package dev.ramp.chart;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Asks a real API server's authorizer what a ServiceAccount may do, as
 * {@code kubectl auth can-i --as system:serviceaccount:<namespace>:<name>} does.
 */
final class AccessReview {

    /**
     * One question and the answer the chart's RBAC must give. The resource is written as
     * kubectl writes it: {@code secrets}, {@code deployments.apps}, {@code rollouts.ramp.dev/status}.
     */
    record Ask(String verb, String resource, String namespace, String name, boolean allowed) {

        static Ask allowed(String verb, String resource, String namespace) {
            return new Ask(verb, resource, namespace, null, true);
        }

        static Ask denied(String verb, String resource, String namespace) {
            return new Ask(verb, resource, namespace, null, false);
        }

        Ask named(String objectName) {
            return new Ask(verb, resource, namespace, objectName, allowed);
        }

        @Override
        public String toString() {
            return (allowed ? "may " : "may not ") + verb + " " + resource
                    + (name == null ? "" : " " + name) + (namespace == null ? "" : " in " + namespace);
        }
    }

    private final KubernetesClient client;
    private final String user;
    private final String namespace;

    AccessReview(KubernetesClient client, String namespace, String serviceAccount) {
        this.client = client;
        this.namespace = namespace;
        this.user = "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }

    boolean allows(Ask ask) {
        String[] resourceAndSub = ask.resource().split("/", 2);
        String[] resourceAndGroup = resourceAndSub[0].split("\\.", 2);
        SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec()
                .withUser(user)
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated")
                .withNewResourceAttributes()
                .withVerb(ask.verb())
                .withGroup(resourceAndGroup.length > 1 ? resourceAndGroup[1] : "")
                .withResource(resourceAndGroup[0])
                .withSubresource(resourceAndSub.length > 1 ? resourceAndSub[1] : null)
                .withNamespace(ask.namespace())
                .withName(ask.name())
                .endResourceAttributes()
                .endSpec().build();
        return Boolean.TRUE.equals(client.authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed());
    }
}
