package dev.ramp.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CRDs, as the real kube-apiserver applies them, refuse credentials embedded in a URL (a
 * GitSource's url, a MetricTemplate's provider address, a webhook's url), hook timeouts above
 * 60s, and a webhook with both or neither of url and urlSecretRef.
 */
class CredentialFreeUrlsTest {

    private static KubernetesClient client;
    private static String namespace;
    private static int counter;

    @BeforeAll
    static void cluster() {
        client = TestCluster.get().client();
        namespace = TestCluster.get().newNamespace("urls");
    }

    @Test
    void aGitSourceUrlWithCredentialsIsRefused() {
        refused("GitSource", "url: https://user:ghp_token@git.example.com/team/deploy.git", "spec.url", "must not carry credentials");
        refused("GitSource", "url: https://ghp_token@git.example.com/team/deploy.git", "spec.url", "must not carry credentials");
        refused("GitSource", "url: ssh://git:hunter2@git.example.com/team/deploy.git", "spec.url", "must not carry credentials");
        accepted("GitSource", "url: ssh://git@git.example.com:2222/team/deploy.git");
        accepted("GitSource", "url: git@git.example.com:team/deploy.git");
        accepted("GitSource", "url: https://git.example.com/team/deploy.git");
    }

    @Test
    void aProviderAddressWithCredentialsIsRefused() {
        refused("MetricTemplate", "provider: {address: 'http://admin:secret@prometheus:9090'}\nquery: up",
                "spec.provider.address", "must not carry credentials");
        accepted("MetricTemplate", "provider: {address: 'http://prometheus:9090'}\nquery: up");
    }

    @Test
    void aHookUrlWithCredentialsATooLongTimeoutOrTwoUrlsAreRefused() {
        refused("Rollout", rolloutWithHook("{name: h, url: 'https://u:p@hooks.example.com/x'}"),
                "url", "must not carry credentials");
        refused("Rollout", rolloutWithHook("{name: h, url: 'http://loadtester/', timeout: 61s}"), "timeout", "at most 60s");
        refused("Rollout", rolloutWithHook("{name: h, url: 'http://loadtester/', urlSecretRef: {name: s, key: url}}"),
                "webhooks[0]", "exactly one of url and urlSecretRef");
        refused("Rollout", rolloutWithHook("{name: h}"), "webhooks[0]", "exactly one of url and urlSecretRef");
        accepted("Rollout", rolloutWithHook("{name: h, urlSecretRef: {name: s, key: url}, timeout: 60s}"));
    }

    private static String rolloutWithHook(String hook) {
        return "targetRef: {name: podinfo}\nservice: {port: 9898}\nanalysis:\n  webhooks:\n    - " + hook + "\n";
    }

    private static void refused(String kind, String spec, String field, String complaint) {
        GenericKubernetesResource object = object(kind, spec);
        assertThatThrownBy(() -> client.genericKubernetesResources("ramp.dev/v1alpha1", kind).inNamespace(namespace)
                .resource(object).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining(field)
                .hasMessageContaining(complaint);
    }

    private static void accepted(String kind, String spec) {
        GenericKubernetesResource object = object(kind, spec);
        assertThatCode(() -> client.genericKubernetesResources("ramp.dev/v1alpha1", kind).inNamespace(namespace)
                .resource(object).create()).doesNotThrowAnyException();
    }

    private static GenericKubernetesResource object(String kind, String spec) {
        String yaml = "apiVersion: ramp.dev/v1alpha1\nkind: " + kind + "\nmetadata: {name: u" + (++counter) + "}\nspec:\n"
                + spec.indent(2);
        return Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    }
}
