package dev.ramp.api;

/** What the target speaks on {@code spec.service.port} ({@code spec.service.protocol}). */
public enum ServiceProtocol {
    /** HTTP/1.1 or HTTP/2; on the Gateway API an HTTPRoute. The default. */
    HTTP,
    /** gRPC; on the Gateway API a GRPCRoute, and the Services' port is named {@code grpc}. */
    GRPC
}
