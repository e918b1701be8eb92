package dev.parley.client.internal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Serializes writes to a {@link java.net.http.WebSocket}, which allows one outstanding send at a time and throws
 * {@link IllegalStateException} otherwise. Actions run in submission order, each after the previous one's stage
 * completed, without holding a lock and without recursion (so that a long queue of writes that complete at once
 * cannot overflow the stack).
 */
public final class OutboundQueue {
    private final ArrayDeque<Item> items = new ArrayDeque<>();
    private boolean busy;
    private Throwable failure;

    private record Item(Supplier<? extends CompletionStage<?>> action, CompletableFuture<Void> done) {
    }

    /**
     * Queues a write. The action runs when every earlier write has completed; it returns the write's stage, or
     * {@code null} to skip (decided at run time, e.g. a coalesced acknowledgement with nothing new).
     *
     * @return completes when the write completed, or exceptionally when it or the queue failed
     */
    public CompletableFuture<Void> submit(Supplier<? extends CompletionStage<?>> action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            if (failure != null) {
                done.completeExceptionally(failure);
                return done;
            }
            items.add(new Item(action, done));
            if (busy) {
                return done;
            }
            busy = true;
        }
        drain();
        return done;
    }

    /** Fails every queued write and every later {@link #submit}, e.g. when the socket closed. Idempotent. */
    public void fail(Throwable cause) {
        ArrayDeque<Item> dropped;
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = cause;
            dropped = new ArrayDeque<>(items);
            items.clear();
        }
        dropped.forEach(i -> i.done.completeExceptionally(cause));
    }

    /** How many writes wait behind the one in progress. */
    public synchronized int queued() {
        return items.size();
    }

    private void drain() {
        while (true) {
            Item item;
            synchronized (this) {
                item = items.poll();
                if (item == null) {
                    busy = false;
                    return;
                }
            }
            CompletableFuture<?> stage;
            try {
                CompletionStage<?> s = item.action.get();
                stage = s == null ? CompletableFuture.completedFuture(null) : s.toCompletableFuture();
            } catch (RuntimeException | Error e) {
                stage = CompletableFuture.failedFuture(e);
            }
            if (!stage.isDone()) {
                // Resume when this write completes; the callback continues the loop on that thread.
                stage.whenComplete((v, e) -> {
                    settle(item, e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e);
                    drain();
                });
                return;
            }
            settle(item, stage.isCompletedExceptionally() ? cause(stage) : null);
        }
    }

    private static void settle(Item item, Throwable error) {
        if (error == null) {
            item.done.complete(null);
        } else {
            item.done.completeExceptionally(error);
        }
    }

    private static Throwable cause(CompletableFuture<?> done) {
        Throwable e = done.handle((v, t) -> t).join();
        return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
