package dev.parley.client.internal;

import dev.parley.protocol.ServerFrame;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Requests awaiting their answer on one connection: {@code send} frames by {@code clientMsgId} (several sends of
 * one id are answered in order) and {@code ping} frames in order (a {@code pong} carries no id). Thread-safe.
 */
public final class PendingReplies {
    private final Map<String, ArrayDeque<CompletableFuture<ServerFrame.Sent>>> sends = new ConcurrentHashMap<>();
    private final Queue<Ping> pings = new ConcurrentLinkedQueue<>();

    /** A ping awaiting its pong; {@code heartbeat} pings are the SDK's own. */
    public record Ping(CompletableFuture<ServerFrame.Pong> pong, boolean heartbeat) {
    }

    /** Registers a send of {@code clientMsgId}; the future completes with its {@code sent}. */
    public CompletableFuture<ServerFrame.Sent> expectSent(String clientMsgId) {
        CompletableFuture<ServerFrame.Sent> answer = new CompletableFuture<>();
        sends.compute(clientMsgId, (k, q) -> {
            ArrayDeque<CompletableFuture<ServerFrame.Sent>> queue = q != null ? q : new ArrayDeque<>(2);
            queue.add(answer);
            return queue;
        });
        return answer;
    }

    /** Unregisters a send whose frame could not be written. */
    public void forgetSent(String clientMsgId, CompletableFuture<ServerFrame.Sent> answer) {
        sends.computeIfPresent(clientMsgId, (k, q) -> q.remove(answer) && q.isEmpty() ? null : q);
    }

    /** The oldest send of {@code clientMsgId} still waiting, removed; {@code null} when none. */
    public CompletableFuture<ServerFrame.Sent> takeSent(String clientMsgId) {
        if (clientMsgId == null) {
            return null;
        }
        AtomicReference<CompletableFuture<ServerFrame.Sent>> out = new AtomicReference<>();
        sends.computeIfPresent(clientMsgId, (k, q) -> {
            out.set(q.poll());
            return q.isEmpty() ? null : q;
        });
        return out.get();
    }

    /** How many sends wait, at this moment. */
    public int sendCount() {
        int[] n = {0};
        for (String id : sends.keySet()) {
            sends.computeIfPresent(id, (k, q) -> {
                n[0] += q.size();
                return q;
            });
        }
        return n[0];
    }

    /** Registers a ping, to be answered by the next unclaimed pong. */
    public Ping expectPong(boolean heartbeat) {
        Ping ping = new Ping(new CompletableFuture<>(), heartbeat);
        pings.add(ping);
        return ping;
    }

    /** Unregisters a ping whose frame could not be written; whether it was still waiting. */
    public boolean forgetPong(Ping ping) {
        return pings.remove(ping);
    }

    /** The oldest ping still waiting, removed; {@code null} when none. */
    public Ping takePong() {
        return pings.poll();
    }

    /** Removes every waiting request and hands its future to {@code fail}. */
    public void failAll(Consumer<CompletableFuture<?>> fail) {
        for (String id : List.copyOf(sends.keySet())) {
            ArrayDeque<CompletableFuture<ServerFrame.Sent>> q = sends.remove(id);
            if (q != null) {
                q.forEach(fail);
            }
        }
        for (Ping ping; (ping = pings.poll()) != null; ) {
            fail.accept(ping.pong());
        }
    }
}
