package dev.ramp.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every name and label value Ramp derives from a target or Service name is one Kubernetes
 * accepts, whatever the length of the name the CRD lets through; short names stay as they were.
 */
class RolloutNamesTest {

    // The patterns and limits the kube-apiserver checks (k8s.io/apimachinery validation).
    private static final String DNS_1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String DNS_1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static final String LABEL_VALUE = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

    private static final String NAME_63 = name(63);
    private static final String NAME_253 = name(253);

    @Test
    void shortNamesAreUnchanged() {
        RolloutNames names = RolloutNames.of(rollout("podinfo", null));

        assertThat(names.target()).isEqualTo("podinfo");
        assertThat(names.primary()).isEqualTo("podinfo-primary");
        assertThat(names.service()).isEqualTo("podinfo");
        assertThat(names.primaryService()).isEqualTo("podinfo-primary");
        assertThat(names.canaryService()).isEqualTo("podinfo-canary");
        assertThat(PrimaryLabels.of(Map.of("app", "podinfo"))).containsExactly(Map.entry("app", "podinfo-primary"));
    }

    @Test
    void namesThatFitExactlyAreUnchanged() {
        String target = name(55);

        assertThat(RolloutNames.primaryOf(target)).isEqualTo(target + "-primary").hasSize(63);
        assertThat(RolloutNames.of(rollout("svc", target)).canaryService()).isEqualTo(target + "-canary");
    }

    @Test
    void aLongTargetGetsValidNames() {
        for (String target : List.of(name(56), NAME_63, NAME_253)) {
            RolloutNames names = RolloutNames.of(rollout(target, "podinfo"));

            assertThat(names.primary()).as("primary of a %d-character target", target.length())
                    .hasSizeLessThanOrEqualTo(63).matches(DNS_1123_LABEL).matches(LABEL_VALUE)
                    .startsWith(target.substring(0, 40)).endsWith("-primary");
        }
    }

    @Test
    void aLongServiceGetsValidServiceNames() {
        RolloutNames names = RolloutNames.of(rollout(NAME_253, NAME_63));

        assertThat(names.service()).isEqualTo(NAME_63);
        for (String service : List.of(names.service(), names.primaryService(), names.canaryService())) {
            // Services, DestinationRules and the app.kubernetes.io/name label all take these names.
            assertThat(service).hasSizeLessThanOrEqualTo(63).matches(DNS_1035_LABEL).matches(LABEL_VALUE);
        }
        assertThat(names.primaryService()).endsWith("-primary");
        assertThat(names.canaryService()).endsWith("-canary");
    }

    @Test
    void primaryAndCanaryNamesAreDistinct() {
        RolloutNames names = RolloutNames.of(rollout(NAME_63, NAME_63));

        assertThat(List.of(names.service(), names.primaryService(), names.canaryService())).doesNotHaveDuplicates();
        assertThat(names.primary()).isNotEqualTo(names.target());
    }

    @Test
    void namesAreStable() {
        Function<String, RolloutNames> names = target -> RolloutNames.of(rollout(target, null));

        assertThat(names.apply(NAME_253)).isEqualTo(names.apply(new String(NAME_253.toCharArray())));
        // Pinned: a different result renames the objects of running Rollouts.
        assertThat(RolloutNames.primaryOf("a".repeat(60))).isEqualTo("a".repeat(46) + "-11ee3912-primary");
    }

    @Test
    void longNamesWithTheSamePrefixStayApart() {
        String a = NAME_253;
        String b = NAME_253.substring(0, 252) + "x";

        assertThat(RolloutNames.primaryOf(a)).isNotEqualTo(RolloutNames.primaryOf(b));
    }

    @Test
    void longSelectorValuesGetValidPrimaryValues() {
        Map<String, String> selector = new LinkedHashMap<>();
        selector.put("app", NAME_63);
        selector.put("app.kubernetes.io/instance", "Release_1." + "x".repeat(53));
        selector.put("tier", "web");
        selector.put("empty", "");

        Map<String, String> primary = PrimaryLabels.of(selector);

        assertThat(primary.values()).allSatisfy(v -> assertThat(v).hasSizeLessThanOrEqualTo(63).matches(LABEL_VALUE));
        selector.forEach((key, value) -> assertThat(primary.get(key)).as(key).isNotEqualTo(value));
        assertThat(primary).containsEntry("tier", "web-primary").containsEntry("empty", "primary");
        assertThat(PrimaryLabels.of(selector)).isEqualTo(primary);
    }

    @Test
    void aCutNeverLeavesASeparatorBeforeTheHash() {
        // 45 characters then '-': the cut for -primary falls just after the '-'.
        String target = "a".repeat(45) + "-" + "b".repeat(20);

        assertThat(RolloutNames.primaryOf(target)).matches(DNS_1123_LABEL).doesNotContain("--")
                .startsWith("a".repeat(45) + "-").hasSize(62);
    }

    /** A valid DNS-1035 label of the given length: letters and digits with some hyphens. */
    private static String name(int length) {
        StringBuilder name = new StringBuilder("p");
        while (name.length() < length) {
            name.append(name.length() % 10 == 9 && name.length() < length - 1 ? '-' : (char) ('a' + name.length() % 26));
        }
        return name.toString();
    }

    private static Rollout rollout(String target, String service) {
        ServiceSpec serviceSpec = new ServiceSpec();
        serviceSpec.setName(service);
        serviceSpec.setPort(9898);
        RolloutSpec spec = new RolloutSpec();
        spec.setTargetRef(new TargetRef(target));
        spec.setService(serviceSpec);
        Rollout rollout = new Rollout();
        rollout.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("r").build());
        rollout.setSpec(spec);
        return rollout;
    }
}
