package dev.ramp.lab;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;

/** Where the mesh stand-in sends a Service's traffic: the Pods that serve it now. */
interface Endpoints {

    /** The Ready Pods of {@code namespace} matching a Service's {@code selector}. */
    List<Pod> endpoints(String namespace, Map<String, String> selector);
}
