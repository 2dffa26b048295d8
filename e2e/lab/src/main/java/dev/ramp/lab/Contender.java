package dev.ramp.lab;

import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * One operator's copy of the demo app in the side-by-side benchmark ({@link FlaggerBenchmark}):
 * what {@link SideBySide} needs to release a version through it and to watch what its users see.
 * Each copy has its own namespace, Deployments, routes and load; the lab's mesh, Prometheus and
 * control plane are shared.
 */
interface Contender {

    /** The operator releasing this copy: {@code ramp} or {@code flagger}. */
    String operator();

    String namespace();

    /** The copy's users: a steady rate of requests through the mesh. */
    LoadGenerator load();

    /**
     * Everything a release of {@code version} needs except its start; the step returned starts it
     * (Ramp: the push webhook; Flagger: the Deployment applied) and answers when it did.
     */
    Callable<Instant> prepare(String version, double errorRate) throws Exception;

    /** The phase in the operator's status: Initialized, Progressing, Succeeded, Failed, ... */
    String phase();

    /** The canary's weight in the VirtualService the mesh routes by. */
    int canaryWeight();

    /** Ramp's copy: released by a commit and its push webhook, watched through its Rollout. */
    static Contender ramp(LabApp app) {
        return new Contender() {
            @Override
            public String operator() {
                return "ramp";
            }

            @Override
            public String namespace() {
                return app.namespace();
            }

            @Override
            public LoadGenerator load() {
                return app.load();
            }

            @Override
            public Callable<Instant> prepare(String version, double errorRate) throws Exception {
                LabApp.Pushed pushed = app.push(version, errorRate);
                return () -> app.announce(pushed).pushed();
            }

            @Override
            public String phase() {
                return app.rollout().phase();
            }

            @Override
            public int canaryWeight() {
                return app.routes().virtualServiceCanaryWeight();
            }
        };
    }
}
