package dev.ramp.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading manifests and inventory entries, and checking webhook signatures: no cluster needed. */
class ManifestsTest {

    @Test
    void readsEveryDocumentAndSkipsEmptyOnes() throws Exception {
        var manifests = ManifestReader.parse("apps/a.yaml", """
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: one, namespace: team}
                ---
                # only a comment
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: two}
                """.getBytes(StandardCharsets.UTF_8));
        assertThat(manifests).extracting(Manifest::describe).containsExactly("ConfigMap team/one", "Deployment two");
        assertThat(manifests.get(1).location()).isEqualTo("apps/a.yaml, document 3");
        assertThat(manifests.get(1).id()).isEqualTo("apps/v1/Deployment//two");
    }

    @Test
    void namesTheFileAndDocumentOfWhatIsNotAnObject() {
        assertThatThrownBy(() -> ManifestReader.parse("x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: ConfigMap\nmetadata: {name: b}\n"
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(GitSourceException.class).hasMessage("x.yaml, document 2: apiVersion is missing");
        assertThatThrownBy(() -> ManifestReader.parse("y.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"
                .getBytes(StandardCharsets.UTF_8)))
                .hasMessage("y.yaml, document 1: metadata.name is missing");
        assertThatThrownBy(() -> ManifestReader.parse("z.yaml", "- just\n- a list\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("z.yaml, document 1: not a Kubernetes object");
        assertThatThrownBy(() -> ManifestReader.parse("w.yaml", "a: [unclosed\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("w.yaml, document 1: not valid YAML");
    }

    @Test
    void inventoryEntriesRoundTrip() {
        assertThat(InventoryEntry.parse("apps/v1/Deployment/team/podinfo"))
                .isEqualTo(new InventoryEntry("apps/v1", "Deployment", "team", "podinfo"));
        assertThat(InventoryEntry.parse("v1/Namespace//team")).isEqualTo(new InventoryEntry("v1", "Namespace", "", "team"));
        assertThat(InventoryEntry.of("v1", "ConfigMap", null, "c").toString()).isEqualTo("v1/ConfigMap//c");
    }

    @Test
    void onlyTheRightKeyVerifies() {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
        String signature = WebhookSignature.sign(key, body);
        assertThat(signature).startsWith("sha256=").hasSize(7 + 64);
        assertThat(WebhookSignature.verifies(key, body, signature, null)).isTrue();
        assertThat(WebhookSignature.verifies("other".getBytes(), body, signature, null)).isFalse();
        assertThat(WebhookSignature.verifies(key, "{}".getBytes(), signature, null)).isFalse();
        assertThat(WebhookSignature.verifies(key, body, null, null)).isFalse();
        assertThat(WebhookSignature.verifies(key, body, null, "k")).isTrue();
        assertThat(WebhookSignature.verifies(null, body, signature, null)).isFalse();
    }

    @Test
    void backoffDoublesUpToTheInterval() {
        var interval = java.time.Duration.ofSeconds(30);
        assertThat(GitSourceReconciler.backoff(1, interval)).hasSeconds(2);
        assertThat(GitSourceReconciler.backoff(3, interval)).hasSeconds(8);
        assertThat(GitSourceReconciler.backoff(9, interval)).isEqualTo(interval);
    }
}
