package dev.parley.client;

import dev.parley.client.internal.Http;
import dev.parley.protocol.ErrorCode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket session that comes back by itself: whenever its connection ends other than by {@link #close} (network
 * loss, a server restart or crash, an idle or too-slow close), it connects again after an exponential backoff with
 * full jitter, and the server resyncs the device from its cursor ({@code delivered} acknowledgements, or
 * {@link ConnectOptions#withAutoAck}), so nothing is missed. Delivery stays at least once: a message whose
 * acknowledgement the server had not yet saved when it crashed comes again with the same
 * {@code (conversationId, seq)}, which the client drops (a shared {@link ConnectOptions#withTracker tracker} does).
 * Frames of every connection go to the options' listener, in order.
 *
 * <p>It stops for good when the token is refused (close 4401: logged out, revoked, unknown): {@link #failure} says
 * why and {@link #awaitConnected} throws. Sends go to the current connection; while there is none they fail with
 * {@link ParleyClosedException}, and the caller retries with the same {@code clientMsgId} (the server stores it
 * once).
 *
 * <p>With {@link SessionOptions#withDiscovery discovery}, every attempt first asks {@code GET /v1/discovery} which
 * node to connect to: the node that answered last time, then the seeds in order, then the nodes earlier answers
 * listed, skipping any that cannot be reached; a node whose connection just ended or failed is asked last and, when
 * the answer names it, passed over for the next node listed. So when its node dies the session lands on a live one
 * even before the registry notices. A server without discovery (404) is connected to directly. When no node answers,
 * the attempt fails and waits for the backoff like any other.
 */
public final class ParleySession implements AutoCloseable {
    /** The first retry waits up to this long (then twice as long each time, up to {@link #DEFAULT_MAX_DELAY}). */
    public static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(250);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
    private static final int CLOSE_UNAUTHORIZED = 4401;
    /** At most this many nodes are remembered from discovery answers. */
    private static final int MAX_KNOWN_NODES = 64;

    private final ParleyClient client;
    private final String token;
    private final ConnectOptions options;
    private final ScheduledExecutorService timer;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final boolean discovery;
    /** Base URLs of nodes to ask: the seeds, then nodes learned from answers. Guarded by {@link #lock}. */
    private final Set<URI> known = new LinkedHashSet<>();
    /** WebSocket URLs whose connection failed or ended since the last success. Guarded by {@link #lock}. */
    private final Set<URI> avoided = new HashSet<>();
    /** The node that answered the last discovery. Guarded by {@link #lock}. */
    private URI lastAnswered;
    private final AtomicInteger connects = new AtomicInteger();
    private final Object lock = new Object();
    private ParleyConnection current;
    private CompletableFuture<ParleyConnection> nextConnection = new CompletableFuture<>();
    private int attempt;
    private boolean closed;
    private RuntimeException failure;

    ParleySession(ParleyClient client, String token, ConnectOptions options, ScheduledExecutorService timer,
                  SessionOptions sessionOptions) {
        this.client = client;
        this.token = Objects.requireNonNull(token, "token");
        this.options = Objects.requireNonNull(options, "options");
        this.timer = timer;
        this.baseDelay = sessionOptions.baseDelay();
        this.maxDelay = sessionOptions.maxDelay();
        this.discovery = sessionOptions.discovery();
        for (URI seed : sessionOptions.seeds().isEmpty() ? List.of(client.baseUrl()) : sessionOptions.seeds()) {
            known.add(URI.create(Http.normalizeBase(seed)));
        }
        connect();
    }

    /** The open connection, if there is one now. */
    public Optional<ParleyConnection> current() {
        synchronized (lock) {
            return Optional.ofNullable(current).filter(ParleyConnection::isOpen);
        }
    }

    /**
     * Waits for an open connection (the current one, or the next) and for its backlog ({@code synced}).
     *
     * @throws ParleyTimeoutException if none is synced in time
     * @throws ParleyException        if the session stopped for good (token refused) or was closed
     */
    public ParleyConnection awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            CompletableFuture<ParleyConnection> next;
            synchronized (lock) {
                if (failure != null) {
                    throw failure;
                }
                if (closed) {
                    throw sessionClosed();
                }
                if (current != null && current.isOpen()) {
                    next = CompletableFuture.completedFuture(current);
                } else {
                    next = nextConnection;
                }
            }
            long left = deadline - System.nanoTime();
            try {
                ParleyConnection c = next.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
                c.awaitSynced(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)));
                if (c.isOpen()) {
                    return c;
                }
            } catch (TimeoutException e) {
                throw new ParleyTimeoutException("no connection within " + timeout);
            } catch (ExecutionException e) {
                // the session failed meanwhile: the loop reports it
            } catch (ParleyClosedException e) {
                // closed while syncing: wait for the next one
            }
            if (System.nanoTime() >= deadline) {
                throw new ParleyTimeoutException("no connection within " + timeout);
            }
        }
    }

    /** How many connections this session has opened (1 + reconnections). */
    public int connections() {
        return connects.get();
    }

    /** Why the session stopped reconnecting, if it did (the token was refused). */
    public Optional<RuntimeException> failure() {
        synchronized (lock) {
            return Optional.ofNullable(failure);
        }
    }

    /** Stops reconnecting and closes the current connection normally. */
    @Override
    public void close() {
        ParleyConnection c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            c = current;
            nextConnection.completeExceptionally(sessionClosed());
        }
        if (c != null) {
            c.close();
        }
    }

    private static ParleyClosedException sessionClosed() {
        return new ParleyClosedException(new CloseStatus(CloseStatus.NORMAL, "session closed"), null);
    }

    private void connect() {
        CompletableFuture<ParleyConnection> attempt;
        if (discovery) {
            attempt = locate().thenCompose(url -> client.connect(url, token, options).whenComplete((c, error) -> {
                if (error != null) {
                    synchronized (lock) {
                        avoided.add(url);
                    }
                }
            }));
        } else {
            attempt = client.connect(token, options);
        }
        attempt.whenComplete((c, error) -> {
            if (error != null) {
                failedToConnect(unwrap(error));
            } else {
                connected(c);
            }
        });
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The WebSocket URL to connect to, from the first node that answers a discovery. */
    private CompletableFuture<URI> locate() {
        List<URI> order = new ArrayList<>();
        synchronized (lock) {
            Set<URI> avoidedNodes = new HashSet<>();
            for (URI ws : avoided) {
                URI base = Http.baseOfWebSocket(ws);
                if (base != null) {
                    avoidedNodes.add(base);
                }
            }
            List<URI> later = new ArrayList<>();
            Set<URI> all = new LinkedHashSet<>();
            if (lastAnswered != null) {
                all.add(lastAnswered);
            }
            all.addAll(known);
            for (URI node : all) {
                (avoidedNodes.contains(node) ? later : order).add(node);
            }
            order.addAll(later);
        }
        return ask(order, 0, null);
    }

    private CompletableFuture<URI> ask(List<URI> order, int i, Throwable lastError) {
        if (i >= order.size()) {
            return CompletableFuture.failedFuture(new ParleyException("discovery: no node answered (asked "
                + order + ")", lastError));
        }
        URI node = order.get(i);
        return client.discoverAsync(node).handle((answer, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(answered(node, answer));
            }
            Throwable cause = unwrap(error);
            if (cause instanceof ParleyApiException api && api.status() == 404) {
                // a server without discovery (or a single node behind a proxy that hides it): connect to it
                return CompletableFuture.completedFuture(Http.webSocketUri(node));
            }
            return ask(order, i + 1, cause);
        }).thenCompose(f -> f);
    }

    /** Learns the nodes of an answer and picks the node to connect to. */
    private URI answered(URI node, Discovery answer) {
        synchronized (lock) {
            lastAnswered = node;
            for (Discovery.Node n : answer.nodes()) {
                URI base = Http.baseOfWebSocket(n.url());
                if (base != null && known.size() < MAX_KNOWN_NODES) {
                    known.add(base);
                }
            }
            if (!avoided.contains(answer.url())) {
                return answer.url();
            }
            // the node we just lost may still be listed until the registry drops it: take the next one
            for (Discovery.Node n : answer.nodes()) {
                if (!avoided.contains(n.url())) {
                    return n.url();
                }
            }
            return answer.url();
        }
    }

    private void connected(ParleyConnection c) {
        connects.incrementAndGet();
        CompletableFuture<ParleyConnection> waiting;
        synchronized (lock) {
            if (closed) {
                c.close();
                return;
            }
            current = c;
            attempt = 0;
            avoided.clear();
            waiting = nextConnection;
            nextConnection = new CompletableFuture<>();
        }
        waiting.complete(c);
        c.closeFuture().whenComplete((status, e) -> ended(c, status));
    }

    private void ended(ParleyConnection c, CloseStatus status) {
        synchronized (lock) {
            if (closed || current != c) {
                return;
            }
            current = null;
            avoided.add(c.uri());
            if (status != null && status.code() == CLOSE_UNAUTHORIZED) {
                stop(new ParleyClosedException(status, "token refused; log in again", null));
                return;
            }
        }
        retryLater();
    }

    private void failedToConnect(Throwable error) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (error instanceof ParleyErrorException e && e.code() == ErrorCode.UNAUTHORIZED) {
                stop(e);
                return;
            }
        }
        retryLater();
    }

    /** Called under the lock: no more reconnections; waiters learn why. */
    private void stop(RuntimeException why) {
        failure = why;
        nextConnection.completeExceptionally(why);
    }

    private void retryLater() {
        long delay;
        synchronized (lock) {
            if (closed || failure != null) {
                return;
            }
            // full jitter: uniform in [0, min(max, base * 2^attempt)], so that clients of a crashed node spread out
            long ceiling = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt, 20));
            delay = ThreadLocalRandom.current().nextLong(ceiling + 1);
            attempt++;
        }
        timer.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }
}
