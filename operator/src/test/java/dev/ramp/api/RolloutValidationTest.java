package dev.ramp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ramp.testing.TestCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CRDs' OpenAPI schema and CEL rules, as the real kube-apiserver applies them: a malformed
 * Rollout is refused with a message that names the field, a good one gets its defaults.
 */
class RolloutValidationTest {

    private static KubernetesClient client;
    private static String namespace;

    @BeforeAll
    static void cluster() {
        client = TestCluster.get().client();
        namespace = TestCluster.get().newNamespace("validation");
    }

    @Test
    void aMinimalRolloutIsAcceptedWithDefaults() {
        GenericKubernetesResource created = create("minimal", """
                targetRef: {name: podinfo}
                service: {port: 9898}
                """);
        assertThat(created.get("spec", "strategy").toString()).isEqualTo("Canary");
        assertThat(created.get("spec", "progressDeadlineSeconds").toString()).isEqualTo("600");
        assertThat(created.get("spec", "targetRef", "apiVersion").toString()).isEqualTo("apps/v1");
    }

    @Test
    void theBriefsExampleIsAccepted() {
        create("example", """
                targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
                strategy: Canary
                progressDeadlineSeconds: 600
                service: {port: 9898, targetPort: 9898, hosts: [podinfo.example.com], gateways: [mesh]}
                analysis:
                  interval: 30s
                  threshold: 3
                  stepWeights: [5, 10, 25, 50]
                  metrics:
                    - {name: request-success-rate, thresholdRange: {min: 99}, interval: 1m}
                    - {name: request-duration, thresholdRange: {max: 500}, interval: 1m}
                    - name: error-budget
                      templateRef: {name: error-budget, namespace: ramp-system}
                      thresholdRange: {max: 1}
                  webhooks:
                    - {name: load-test, type: rollout, url: "http://loadtester/", timeout: 5s, metadata: {cmd: "hey"}}
                gitRevert: {enabled: true, sourceRef: {name: apps}, mode: Push}
                """);
    }

    @Test
    void anHpaOrAScaledObjectIsAcceptedAsAutoscalerRef() {
        create("hpa", """
                targetRef: {name: podinfo}
                autoscalerRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: podinfo}
                service: {port: 9898}
                """);
        create("keda", """
                targetRef: {name: podinfo}
                autoscalerRef: {apiVersion: keda.sh/v1alpha1, kind: ScaledObject, name: podinfo}
                service: {port: 9898}
                """);
    }

    @Test
    void aStatefulSetWithoutAMeshIsAccepted() {
        GenericKubernetesResource created = create("statefulset", """
                targetRef: {apiVersion: apps/v1, kind: StatefulSet, name: ledger}
                service: {port: 8080, provider: None}
                analysis: {stepWeights: [25, 50]}
                """);
        assertThat(created.get("spec", "targetRef", "kind").toString()).isEqualTo("StatefulSet");
    }

    @Test
    void aStatefulSetBehindIstioOrTheGatewayApiIsAcceptedWithTheAppsOwnMetrics() {
        create("statefulset-istio", """
                targetRef: {kind: StatefulSet, name: ledger}
                service: {port: 8080, provider: Istio}
                analysis:
                  stepWeights: [10, 50]
                  requestsTemplateRef: {name: ledger-requests}
                  metrics: [{name: success-rate, templateRef: {name: ledger-success-rate}, thresholdRange: {min: 99}}]
                  sessionAffinity: {cookieName: canary}
                """);
        create("statefulset-gateway", """
                targetRef: {kind: StatefulSet, name: ledger}
                service: {port: 8080, provider: GatewayAPI, parentRefs: [{name: edge}]}
                analysis:
                  metrics: [{name: request-success-rate, thresholdRange: {min: 99}}]
                """);
    }

    @Test
    void aStatefulSetWithWhatCannotWorkIsRefused() {
        assertRefused("""
                targetRef: {kind: StatefulSet, name: ledger}
                service: {port: 8080}
                """, "spec", "targetRef.kind StatefulSet behind Istio: Istio's built-in metrics select the canary");
        assertRefused("""
                targetRef: {kind: StatefulSet, name: ledger}
                service: {port: 8080, provider: Istio}
                analysis:
                  requestsTemplateRef: {name: ledger-requests}
                  metrics: [{name: request-success-rate, thresholdRange: {min: 99}}]
                """, "spec", "give each analysis.metrics entry a templateRef");
        assertRefused("""
                targetRef: {kind: StatefulSet, name: ledger}
                autoscalerRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: ledger}
                service: {port: 8080, provider: GatewayAPI, parentRefs: [{name: edge}]}
                """, "spec", "autoscalerRef with targetRef.kind StatefulSet");
        assertRefused("""
                targetRef: {kind: StatefulSet, name: ledger}
                strategy: ABTest
                service: {port: 8080, provider: GatewayAPI, parentRefs: [{name: edge}]}
                analysis: {match: [{headers: {x-canary: {exact: "1"}}}]}
                """, "spec", "targetRef.kind StatefulSet supports strategy: Canary only");
        assertRefused("""
                targetRef: {kind: StatefulSet, name: ledger}
                strategy: BlueGreen
                service: {port: 8080, provider: None}
                """, "spec", "targetRef.kind StatefulSet supports strategy: Canary only");
        assertRefused("""
                targetRef: {kind: DaemonSet, name: ledger}
                service: {port: 8080}
                """, "spec.targetRef.kind", "targetRef.kind must be Deployment or StatefulSet");
    }

    @Test
    void stepsCountedInPodsAreAStatefulSetsAloneAndExcludeWeights() {
        GenericKubernetesResource created = create("pods", """
                targetRef: {apiVersion: apps/v1, kind: StatefulSet, name: ledger}
                service: {port: 8080, provider: None}
                analysis: {stepReplicas: [1, 2]}
                """);
        assertThat(created.get("spec", "analysis", "stepReplicas").toString()).isEqualTo("[1, 2]");
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis: {stepReplicas: [1, 2]}
                """, "spec", "analysis.stepReplicas counts a StatefulSet's pods: only for targetRef.kind StatefulSet");
        assertRefused("""
                targetRef: {kind: StatefulSet, name: ledger}
                service: {port: 8080, provider: None}
                analysis: {stepReplicas: [1, 2], stepWeights: [25, 50]}
                """, "spec.analysis", "stepReplicas counts the steps in pods, stepWeight, maxWeight and stepWeights in percent: use one");
        assertRefused("""
                targetRef: {kind: StatefulSet, name: ledger}
                service: {port: 8080, provider: None}
                analysis: {stepReplicas: [2, 1]}
                """, "spec.analysis.stepReplicas", "stepReplicas must be in ascending order");
        assertRefused("""
                targetRef: {kind: StatefulSet, name: ledger}
                service: {port: 8080, provider: None}
                analysis: {stepReplicas: [0, 1]}
                """, "spec.analysis.stepReplicas", "stepReplicas must be pod counts of at least 1");
    }

    @Test
    void anAutoscalerThatCannotWorkIsRefused() {
        assertRefused("""
                targetRef: {name: podinfo}
                autoscalerRef: {apiVersion: autoscaling/v1, kind: HorizontalPodAutoscaler, name: podinfo}
                service: {port: 9898}
                """, "spec.autoscalerRef", "autoscalerRef must name an autoscaling/v2 HorizontalPodAutoscaler or a keda.sh/v1alpha1 ScaledObject");
        assertRefused("""
                targetRef: {name: podinfo}
                autoscalerRef: {apiVersion: keda.sh/v1alpha1, kind: ScaledJob, name: podinfo}
                service: {port: 9898}
                """, "spec.autoscalerRef", "autoscalerRef must name");
    }

    @Test
    void stepWeightTogetherWithStepWeightsIsRefused() {
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis: {stepWeight: 10, stepWeights: [5, 10]}
                """, "spec.analysis", "stepWeight and stepWeights are mutually exclusive");
    }

    @Test
    void aWeightAbove100IsRefused() {
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis: {stepWeight: 150}
                """, "spec.analysis.stepWeight", "100");
    }

    @Test
    void descendingStepWeightsAreRefused() {
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis: {stepWeights: [50, 10]}
                """, "spec.analysis.stepWeights", "ascending");
    }

    @Test
    void matchWithoutAbTestIsRefused() {
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  match: [{headers: {x-canary: {exact: insider}}}]
                """, "spec", "analysis.match is only allowed with strategy: ABTest");
    }

    @Test
    void sessionAffinityOnlyWithAnHttpCanaryAndAWellFormedCookie() {
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                strategy: BlueGreen
                analysis:
                  sessionAffinity: {cookieName: ramp-canary}
                """, "spec", "analysis.sessionAffinity is only allowed with strategy: Canary");
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898, protocol: GRPC, provider: GatewayAPI, parentRefs: [{name: public}]}
                analysis:
                  sessionAffinity: {cookieName: ramp-canary}
                """, "spec", "not allowed with service.protocol: GRPC");
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  sessionAffinity: {cookieName: "a;b"}
                """, "spec.analysis.sessionAffinity.cookieName", "should match");
        GenericKubernetesResource accepted = create("sticky", """
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  sessionAffinity: {cookieName: ramp-canary}
                """);
        assertThat(accepted.get("spec", "analysis", "sessionAffinity", "maxAge").toString()).isEqualTo("24h");
    }

    @Test
    void anUnknownStrategyIsRefused() {
        assertRefused("""
                targetRef: {name: podinfo}
                strategy: Linear
                service: {port: 9898}
                """, "spec.strategy", "Unsupported value");
    }

    @Test
    void aMissingTargetRefIsRefused() {
        assertRefused("""
                service: {port: 9898}
                """, "spec.targetRef", "Required value");
    }

    @Test
    void aMalformedIntervalIsRefused() {
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis: {interval: soon}
                """, "spec.analysis.interval", "should match");
    }

    @Test
    void aCustomMetricWithoutTemplateIsRefused() {
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  metrics: [{name: error-budget, thresholdRange: {max: 1}}]
                """, "spec.analysis.metrics[0]", "needs a templateRef");
    }

    @Test
    void aCompareMetricGetsItsJudgeAndKeepsItsDirection() {
        GenericKubernetesResource created = create("compare", """
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  judge: {pass: 90, marginal: 60, confidence: 0.95, minPoints: 12}
                  metrics:
                    - name: request-duration
                      compare: {direction: increase, tolerance: 0.1, minEffect: 20, critical: true, weight: 2}
                    - {name: request-success-rate, thresholdRange: {min: 99}}
                """);
        assertThat(created.get("spec", "analysis", "metrics", 0, "compare", "direction").toString()).isEqualTo("increase");
        assertThat(created.get("spec", "analysis", "judge", "minPoints").toString()).isEqualTo("12");
    }

    @Test
    void aMetricBothComparedAndRangedIsRefused() {
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  metrics: [{name: request-duration, thresholdRange: {max: 500}, compare: {direction: increase}}]
                """, "spec.analysis.metrics[0]", "thresholdRange or compared with its baseline (compare), not both");
    }

    @Test
    void aMetricNeitherComparedNorRangedIsRefused() {
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  metrics: [{name: request-duration}]
                """, "spec.analysis.metrics[0]", "needs a thresholdRange or compare");
    }

    @Test
    void impossibleCompareAndJudgeSettingsAreRefused() {
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  metrics: [{name: request-duration, compare: {direction: sideways}}]
                """, "spec.analysis.metrics[0].compare.direction", "Unsupported value");
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  metrics: [{name: request-duration, compare: {direction: increase, weight: 0}}]
                """, "spec.analysis.metrics[0].compare.weight", "must be positive");
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  judge: {pass: 70}
                  metrics: [{name: request-duration, compare: {direction: increase}}]
                """, "spec.analysis.judge", "judge.marginal must not exceed judge.pass");
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  judge: {minPoints: 3}
                  metrics: [{name: request-duration, compare: {direction: increase}}]
                """, "spec.analysis.judge.minPoints", "greater than or equal to 5");
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  judge: {confidence: 0.98}
                  metrics: [{name: request-duration, thresholdRange: {max: 500}}]
                """, "spec.analysis", "no metric has compare");
    }

    @Test
    void aBaselineIsAcceptedBesideAWeightedCanaryThatComparesWithIt() {
        GenericKubernetesResource created = create("baseline", """
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  baseline: true
                  stepWeights: [10, 25, 50]
                  metrics: [{name: request-duration, compare: {direction: increase}}]
                """);
        assertThat(created.get("spec", "analysis", "baseline").toString()).isEqualTo("true");
    }

    @Test
    void aBaselineThatCannotHaveTheCanarysShareOrIsComparedWithNothingIsRefused() {
        String compare = "  metrics: [{name: request-duration, compare: {direction: increase}}]\n";
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  baseline: true
                  stepWeights: [25, 50, 75]
                """ + compare, "spec.analysis", "stepWeights and maxWeight must be at most 50");
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  baseline: true
                  stepWeight: 20
                  maxWeight: 60
                """ + compare, "spec.analysis", "stepWeights and maxWeight must be at most 50");
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  baseline: true
                  metrics: [{name: request-duration, thresholdRange: {max: 500}}]
                """, "spec.analysis", "without one the baseline is only cost");
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898, provider: None}
                analysis:
                  baseline: true
                """ + compare, "spec", "service.provider: None splits traffic by pods");
        assertRefused("""
                targetRef: {name: podinfo}
                strategy: BlueGreen
                service: {port: 9898}
                analysis:
                  baseline: true
                """ + compare, "spec", "analysis.baseline is only allowed with strategy: Canary");
        assertRefused("""
                targetRef: {name: podinfo}
                strategy: ABTest
                service: {port: 9898}
                analysis:
                  baseline: true
                  match: [{headers: {x-canary: {exact: "1"}}}]
                """ + compare, "spec", "analysis.baseline is only allowed with strategy: Canary");
        assertRefused("""
                targetRef: {name: podinfo}
                strategy: BlueGreen
                service: {port: 9898}
                analysis:
                  baseline: true
                  mirror: true
                """ + compare, "spec.analysis", "analysis.mirror checks it without any");
        assertRefused("""
                targetRef: {apiVersion: apps/v1, kind: StatefulSet, name: ledger}
                service: {port: 9898, provider: None}
                analysis:
                  baseline: true
                """ + compare, "spec", "a StatefulSet is released in place");
    }

    @Test
    void aThresholdRangeWithoutBoundsIsRefused() {
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898}
                analysis:
                  metrics: [{name: request-success-rate, thresholdRange: {}}]
                """, "spec.analysis.metrics[0].thresholdRange", "needs min, max or both");
    }

    @Test
    void aTargetNameLongerThanADeploymentNameIsRefused() {
        assertRefused("targetRef: {name: " + "a".repeat(254) + "}\nservice: {name: podinfo, port: 9898}\n",
                "spec.targetRef.name", "253");
    }

    @Test
    void aServiceNameOfTheFull63CharactersIsAccepted() {
        // Its -primary and -canary Services are shortened to fit, so the DNS limit is the only one.
        create("long-service", "targetRef: {name: " + "a".repeat(253) + "}\nservice: {name: s" + "a".repeat(62)
                + ", port: 9898}\n");
    }

    @Test
    void aServiceNameAboveTheDnsLimitIsRefused() {
        assertRefused("targetRef: {name: podinfo}\nservice: {name: s" + "a".repeat(63) + ", port: 9898}\n",
                "spec.service.name", "63");
    }

    @Test
    void aCanaryWithoutAMeshIsAcceptedAndWhatOnlyARouterCanDoIsRefused() {
        create("no-mesh", """
                targetRef: {name: podinfo}
                service: {port: 9898, provider: None}
                analysis: {stepWeights: [20, 50], requestsTemplateRef: {name: requests}}
                """);
        assertRefused("""
                targetRef: {name: podinfo}
                strategy: ABTest
                service: {port: 9898, provider: None}
                analysis: {match: [{headers: {x-canary: {exact: "1"}}}]}
                """, "spec", "strategy: ABTest needs a router that matches requests");
        assertRefused("""
                targetRef: {name: podinfo}
                strategy: BlueGreen
                service: {port: 9898, provider: None}
                analysis: {mirror: true}
                """, "spec", "analysis.mirror needs a router that copies requests");
        assertRefused("targetRef: {name: podinfo}\nservice: {port: 9898, provider: None, hosts: [podinfo.example.com]}\n",
                "spec", "with service.provider: None clients call the Service");
        assertRefused("targetRef: {name: podinfo}\nservice: {port: 9898, provider: None, parentRefs: [{name: public}]}\n",
                "spec", "with service.provider: None clients call the Service");
        assertRefused("""
                targetRef: {name: podinfo}
                autoscalerRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: podinfo}
                service: {port: 9898, provider: None}
                """, "spec", "autoscalerRef cannot be used with service.provider: None");
        assertRefused("""
                targetRef: {name: podinfo}
                service: {port: 9898, provider: None}
                analysis:
                  sessionAffinity: {cookieName: ramp-canary}
                """, "spec", "analysis.sessionAffinity needs a router that reads each request's cookie");
    }

    private static int counter;

    private static GenericKubernetesResource create(String name, String spec) {
        return client.genericKubernetesResources("ramp.dev/v1alpha1", "Rollout").inNamespace(namespace)
                .resource(rollout(name, spec)).create();
    }

    private static void assertRefused(String spec, String field, String complaint) {
        GenericKubernetesResource rollout = rollout("bad-" + (++counter), spec);
        assertThatThrownBy(() -> client.genericKubernetesResources("ramp.dev/v1alpha1", "Rollout")
                .inNamespace(namespace).resource(rollout).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining(field)
                .hasMessageContaining(complaint);
    }

    private static GenericKubernetesResource rollout(String name, String spec) {
        String yaml = "apiVersion: ramp.dev/v1alpha1\nkind: Rollout\nmetadata: {name: " + name + "}\nspec:\n"
                + spec.indent(2);
        return Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    }
}
