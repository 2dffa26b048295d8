package dev.ramp.git;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ramp.api.GitSource;
import dev.ramp.kube.ApiErrors;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Receives Git push webhooks at {@code POST /hooks/<namespace>/<gitsource>} on the Quarkus HTTP
 * server, on every replica, leader or standby. A push to the GitSource's branch, signed with its
 * webhook key, is recorded on the GitSource as a sync request ({@link SyncRequestAnnotation}),
 * which the leader acts on. What the server may be made to spend is bounded: the body is read
 * within {@code ramp.git.webhook.read-timeout} and up to {@code ramp.git.webhook.max-body-size}
 * (413 above), requests are admitted per client address, for all clients and up to a number in
 * flight before any body is read ({@link WebhookAdmission}), a GitSource's own token bucket (429
 * with Retry-After) is charged only by requests signed with its key, GitSources come from the
 * informer cache and keys from {@link WebhookKeys}. An unknown GitSource, one without a
 * key and a bad signature all get the same 401, after the same HMAC work, so the answer does not
 * tell which GitSources exist. Failing to record the request is a 503, which Git hosts retry.
 */
@ApplicationScoped
public class PushWebhook {

    static final String PATH = "/hooks/:namespace/:name";
    static final String REFUSED = "refused: not signed with the webhook key of a GitSource at this address";
    private static final Logger LOG = Logger.getLogger(PushWebhook.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TIMER = "ramp.webhook.timer";
    private static final Duration RETRY_AFTER_API_ERROR = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final SyncRequests requests;
    private final Clock clock;
    private final WebhookKeys keys;
    private final TokenBuckets buckets;
    private final WebhookAdmission admission;
    private final long maxBody;
    private final Duration readTimeout;
    /** Checked against when there is no key, so that an unknown GitSource costs the same HMAC as a known one. */
    private final byte[] noKey = new SecureRandom().generateSeed(32);

    public PushWebhook(KubernetesClient client, SyncRequests requests, Clock clock,
            @ConfigProperty(name = "ramp.git.webhook.max-body-size", defaultValue = "1M") MemorySize maxBody,
            @ConfigProperty(name = "ramp.git.webhook.read-timeout", defaultValue = "10s") Duration readTimeout,
            @ConfigProperty(name = "ramp.git.webhook.rate-limit.burst", defaultValue = "10") int burst,
            @ConfigProperty(name = "ramp.git.webhook.rate-limit.per-minute", defaultValue = "30") int perMinute,
            @ConfigProperty(name = "ramp.git.webhook.client-rate-limit.burst", defaultValue = "20") int clientBurst,
            @ConfigProperty(name = "ramp.git.webhook.client-rate-limit.per-minute", defaultValue = "60") int clientPerMinute,
            @ConfigProperty(name = "ramp.git.webhook.global-rate-limit.burst", defaultValue = "100") int globalBurst,
            @ConfigProperty(name = "ramp.git.webhook.global-rate-limit.per-minute", defaultValue = "600") int globalPerMinute,
            @ConfigProperty(name = "ramp.git.webhook.max-in-flight", defaultValue = "32") int maxInFlight) {
        this.client = client;
        this.requests = requests;
        this.clock = clock;
        this.keys = new WebhookKeys(client, clock);
        this.buckets = new TokenBuckets(burst, perMinute, clock);
        this.admission = new WebhookAdmission(new WebhookAdmission.Limit(clientBurst, clientPerMinute),
                new WebhookAdmission.Limit(globalBurst, globalPerMinute), maxInFlight, clock);
        this.maxBody = maxBody.asLongValue();
        this.readTimeout = readTimeout;
    }

    void routes(@Observes Router router) {
        // Two routes: Vert.x runs a body handler before any other on its route, and the clock and
        // the admission must come before the body is read.
        router.post(PATH).handler(this::startReading).handler(this::admit);
        Route route = router.post(PATH);
        route.handler(BodyHandler.create(false).setBodyLimit(maxBody)).handler(this::doneReading)
                .blockingHandler(this::receive, false)
                .failureHandler(this::failed);
        router.route(PATH).handler(ctx -> respond(ctx, 405, "only POST is accepted"));
        LOG.infof("receiving Git push webhooks at %s", PATH.replace(":namespace", "<namespace>").replace(":name", "<gitsource>"));
    }

    /** A client that has not sent its whole body within the read timeout is answered 408 and disconnected. */
    private void startReading(RoutingContext ctx) {
        long timer = ctx.vertx().setTimer(readTimeout.toMillis(), id -> {
            if (ctx.response().ended() || ctx.response().closed()) {
                ctx.request().connection().close();
                return;
            }
            // Vert.x closes the connection once this answer is written.
            ctx.response().putHeader("Connection", "close");
            respond(ctx, 408, "request not received within " + readTimeout.toMillis() + " ms");
        });
        ctx.put(TIMER, timer);
        ctx.addEndHandler(done -> ctx.vertx().cancelTimer(timer));
        ctx.next();
    }

    private void doneReading(RoutingContext ctx) {
        ctx.vertx().cancelTimer(ctx.<Long>get(TIMER));
        ctx.next();
    }

    /** Per client address, for all clients, and in flight: before the body is read or its signature checked. */
    private void admit(RoutingContext ctx) {
        var refused = admission.admit(clientAddress(ctx));
        if (refused.isEmpty()) {
            ctx.addEndHandler(done -> admission.release());
            ctx.next();
            return;
        }
        tooMany(ctx, refused.get().status(), refused.get().retryAfter(), refused.get().message());
    }

    private static String clientAddress(RoutingContext ctx) {
        var address = ctx.request().remoteAddress();
        return address == null ? "unknown" : address.hostAddress();
    }

    /** A 401, charged to the client's and all clients' budget of refused requests. */
    private void refuse(RoutingContext ctx) {
        admission.refused(clientAddress(ctx));
        respond(ctx, 401, REFUSED);
    }

    private static void tooMany(RoutingContext ctx, int status, Duration wait, String message) {
        ctx.response().putHeader("Retry-After", String.valueOf(Math.max(1, (wait.toMillis() + 999) / 1000)));
        respond(ctx, status, message);
    }

    private void failed(RoutingContext ctx) {
        if (ctx.failure() instanceof HttpClosedException) {
            LOG.debugf("push webhook to %s: the client went away", ctx.normalizedPath());
        } else if (ctx.statusCode() == 413) {
            respond(ctx, 413, "body larger than " + maxBody + " bytes");
        } else {
            ctx.next();
        }
    }

    private void receive(RoutingContext ctx) {
        if (!requests.watching()) {
            ctx.response().putHeader("Retry-After", String.valueOf(RETRY_AFTER_API_ERROR.toSeconds()));
            respond(ctx, 503, "not ready: GitSources are not known yet");
            return;
        }
        String namespace = ctx.pathParam("namespace");
        String name = ctx.pathParam("name");
        Buffer buffer = ctx.body().buffer();
        byte[] body = buffer == null ? new byte[0] : buffer.getBytes();
        Optional<GitSource> source = requests.cached(namespace, name);
        byte[] key;
        try {
            key = source.map(keys::of).orElse(null);
        } catch (KubernetesClientException e) {
            unrecorded(ctx, namespace, name, e);
            return;
        }
        var headers = ctx.request().headers();
        boolean signed = WebhookSignature.verifies(key == null ? noKey : key, body, headers.get("X-Hub-Signature-256"),
                headers.get("X-Gitlab-Token"));
        if (key == null || !signed) {
            LOG.debugf("gitsource %s/%s: refused a push webhook", namespace, name);
            refuse(ctx);
            return;
        }
        // Charged only now: requests without the key cannot use up a GitSource's pushes.
        Duration wait = buckets.take(namespace + "/" + name);
        if (!wait.isZero()) {
            tooMany(ctx, 429, wait, "too many pushes for this GitSource");
            return;
        }
        String event = headers.get("X-GitHub-Event") != null ? headers.get("X-GitHub-Event") : headers.get("X-Gitlab-Event");
        if ("ping".equals(event)) {
            respond(ctx, 200, "pong");
            return;
        }
        String ref = ref(body);
        String branchRef = "refs/heads/" + source.get().getSpec().getBranch();
        if (ref != null && !ref.equals(branchRef)) {
            respond(ctx, 202, "push to " + ref + " ignored: GitSource follows " + branchRef);
            return;
        }
        try {
            SyncRequestAnnotation.record(client, namespace, name, clock.instant().toString());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                refuse(ctx);
            } else {
                unrecorded(ctx, namespace, name, e);
            }
            return;
        }
        LOG.infof("gitsource %s/%s: push webhook (%s): sync requested", namespace, name, ref);
        respond(ctx, 202, "sync of GitSource " + namespace + "/" + name + " requested");
    }

    /** The API server failed us: 503 when trying again later may work, so the Git host redelivers. */
    private static void unrecorded(RoutingContext ctx, String namespace, String name, KubernetesClientException e) {
        LOG.warnf("gitsource %s/%s: push webhook not recorded: %s", namespace, name, ApiErrors.describe(e));
        if (ApiErrors.isTransient(e)) {
            ctx.response().putHeader("Retry-After", String.valueOf(RETRY_AFTER_API_ERROR.toSeconds()));
            respond(ctx, 503, "sync request not recorded: the Kubernetes API is unavailable, try again later");
        } else {
            respond(ctx, 500, "sync request not recorded: the Kubernetes API refused it (see the operator's log)");
        }
    }

    private static String ref(byte[] body) {
        try {
            JsonNode ref = JSON.readTree(body).get("ref");
            return ref == null ? null : ref.asText();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void respond(RoutingContext ctx, int code, String message) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(code).putHeader("Content-Type", "text/plain; charset=utf-8").end(message + "\n");
    }
}
