package dev.ramp.egress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP exchange with a remote Ramp does not trust (a webhook, a metrics provider), bounded in
 * time and in size. The deadline covers the whole exchange, connect, headers and body: the JDK
 * client's own request timeout stops once the headers arrive (JDK-8258397), so a remote that
 * trickles its body a byte at a time would otherwise hold the reconcile thread for as long as it
 * likes. At most {@code limit} bytes of the body are read; the rest is never received, and the
 * answer says that it was cut.
 */
public final class BoundedExchange {

    /** What the remote answered: its status, the first bytes of its body, and whether there were more. */
    public record Answer(int status, byte[] body, boolean cut) {

        /** The body read as UTF-8 (a character the cut split becomes U+FFFD). */
        public String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private BoundedExchange() {
    }

    /**
     * Sends the request and reads at most {@code limit} bytes of the answer, all within
     * {@code deadline}.
     *
     * @throws HttpTimeoutException when the deadline passed first (the exchange is then cancelled)
     * @throws IOException when the remote could not be reached or broke off
     */
    public static Answer send(HttpClient http, HttpRequest request, Duration deadline, int limit)
            throws IOException, InterruptedException {
        Prefix prefix = new Prefix(limit);
        CompletableFuture<HttpResponse<Prefix>> exchange = http.sendAsync(request, info -> prefix);
        try {
            HttpResponse<Prefix> response = exchange.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            return new Answer(response.statusCode(), response.body().bytes(), response.body().cut);
        } catch (TimeoutException e) {
            prefix.stop();
            exchange.cancel(true);
            throw new HttpTimeoutException("no whole answer within " + deadline.toMillis() + "ms");
        } catch (InterruptedException e) {
            prefix.stop();
            exchange.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause == null ? "failed" : cause.getMessage(), cause);
        }
    }

    /** A body subscriber that keeps the first {@code limit} bytes and cancels the rest. */
    private static final class Prefix implements HttpResponse.BodySubscriber<Prefix> {

        private final int limit;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final CompletableFuture<Prefix> done = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;
        private boolean cut;

        Prefix(int limit) {
            this.limit = limit;
        }

        synchronized byte[] bytes() {
            return kept.toByteArray();
        }

        void stop() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public CompletionStage<Prefix> getBody() {
            return done;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            synchronized (this) {
                for (ByteBuffer buffer : buffers) {
                    int room = limit - kept.size();
                    int take = Math.min(room, buffer.remaining());
                    byte[] chunk = new byte[take];
                    buffer.get(chunk);
                    kept.write(chunk, 0, take);
                    if (buffer.hasRemaining()) {
                        cut = true;
                    }
                }
            }
            if (cut) {
                // Enough read: the rest of the body is never asked for.
                subscription.cancel();
                done.complete(this);
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            done.complete(this);
        }
    }
}
