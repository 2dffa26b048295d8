package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** The Services and VirtualService Ramp generates for a Rollout's target. */
public class ServiceSpec {

    @Pattern("^[a-z]([-a-z0-9]*[a-z0-9])?$")
    // A Service name is a DNS-1035 label: 63 characters at most. The -primary and -canary
    // Services' names are shortened to fit (RolloutNames), so the full 63 is usable here.
    @Size(max = 63)
    @JsonPropertyDescription("Name of the generated Services and VirtualService; defaults to the target's name. Ramp also creates <name>-primary and <name>-canary, shortened with a hash to 63 characters if longer.")
    private String name;

    @Required
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port the Services expose.")
    private Integer port;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Container port the Services send traffic to; defaults to port.")
    private Integer targetPort;

    @Size(max = 32)
    @JsonPropertyDescription("Hosts of the VirtualService; defaults to the Service's name.")
    private List<String> hosts;

    @Size(max = 32)
    @JsonPropertyDescription("Istio gateways the VirtualService binds to; defaults to mesh.")
    private List<String> gateways;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public Integer getTargetPort() {
        return targetPort;
    }

    public void setTargetPort(Integer targetPort) {
        this.targetPort = targetPort;
    }

    public List<String> getHosts() {
        return hosts;
    }

    public void setHosts(List<String> hosts) {
        this.hosts = hosts;
    }

    public List<String> getGateways() {
        return gateways;
    }

    public void setGateways(List<String> gateways) {
        this.gateways = gateways;
    }
}
