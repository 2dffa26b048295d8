package dev.ramp.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * The Services Ramp generates for a Rollout's target and the route that splits traffic between
 * them: Istio's VirtualService (the default), a Gateway API HTTPRoute or GRPCRoute, or, with
 * provider None, the selector of the Service {@code <name>} over the primary's and canary's pods.
 */
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

    @JsonPropertyDescription("What routes the traffic: Istio (a VirtualService, the default), GatewayAPI (an HTTPRoute or GRPCRoute attached to parentRefs) or None (no mesh: the Service <name> selects the primary's and the canary's pods, and the canary's share is its share of the ready pods; docs/no-mesh.md).")
    private RoutingProvider provider = RoutingProvider.Istio;

    @JsonPropertyDescription("What the target speaks: HTTP (the default) or GRPC (on the Gateway API a GRPCRoute; the Services' port is named grpc).")
    private ServiceProtocol protocol = ServiceProtocol.HTTP;

    @Size(max = 32)
    @JsonPropertyDescription("Hosts of the VirtualService, or hostnames of the HTTPRoute or GRPCRoute; default to the Service's name (Istio) or to every hostname of the Gateway's listener (GatewayAPI).")
    private List<String> hosts;

    @Size(max = 32)
    @JsonPropertyDescription("Istio gateways the VirtualService binds to; defaults to mesh. Istio only.")
    private List<String> gateways;

    @Size(max = 16)
    @JsonPropertyDescription("Gateways the HTTPRoute or GRPCRoute attaches to; at least one with provider GatewayAPI, none with Istio.")
    private List<ParentRef> parentRefs;

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

    public RoutingProvider getProvider() {
        return provider;
    }

    public void setProvider(RoutingProvider provider) {
        this.provider = provider;
    }

    /** {@link #getProvider()}, Istio when unset. */
    public RoutingProvider effectiveProvider() {
        return provider == null ? RoutingProvider.Istio : provider;
    }

    public ServiceProtocol getProtocol() {
        return protocol;
    }

    public void setProtocol(ServiceProtocol protocol) {
        this.protocol = protocol;
    }

    /** {@link #getProtocol()}, HTTP when unset. */
    public ServiceProtocol effectiveProtocol() {
        return protocol == null ? ServiceProtocol.HTTP : protocol;
    }

    public List<ParentRef> getParentRefs() {
        return parentRefs;
    }

    public void setParentRefs(List<ParentRef> parentRefs) {
        this.parentRefs = parentRefs;
    }
}
