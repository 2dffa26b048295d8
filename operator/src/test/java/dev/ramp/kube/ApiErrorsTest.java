package dev.ramp.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class ApiErrorsTest {

    /** A type without the field the answer carries, as an operator older than its CRD has. */
    static class OldSpec {
        public int port;
    }

    @Test
    void anAnswerThatCannotBeReadIsNotCalledNoAnswer() throws Exception {
        Exception unreadable;
        try {
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue("{\"port\": 80, \"parentRefs\": []}", OldSpec.class);
            throw new AssertionError("the old type read a field it does not have");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            unreadable = e;
        }
        String described = ApiErrors.describe(new KubernetesClientException("Failed to deserialize", unreadable));

        assertThat(described).startsWith("the API server's answer could not be read by this operator")
                .contains("parentRefs").doesNotContain("no answer");
    }

    @Test
    void noAnswerIsSaidAsSuch() {
        String described = ApiErrors.describe(new KubernetesClientException("Operation failed",
                new ConnectException("Connection refused")));

        assertThat(described).isEqualTo("no answer from the API server: ConnectException: Connection refused");
        assertThat(ApiErrors.isTransient(new KubernetesClientException("x", new ConnectException("y")))).isTrue();
    }
}
