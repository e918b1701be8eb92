package dev.parley.client.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A {@link BlockingQueue} that can also be searched: {@link #take} removes the first element that matches, leaving
 * the others in place, and waits for arrivals. Callers may use {@link #queue()} directly at the same time.
 */
public final class Inbox<T> {
    private final LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean closed;

    /** The underlying queue (thread-safe). */
    public BlockingQueue<T> queue() {
        return queue;
    }

    /** Appends an element and wakes up waiters. */
    public void add(T item) {
        queue.add(item);
        signal();
    }

    /** No more elements will arrive: waiters return once nothing matches. */
    public void close() {
        closed = true;
        signal();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes and returns the first {@code n} elements that match, waiting until that many are present.
     *
     * @return the elements in queue order; {@code null} on timeout, or once closed with fewer present (then nothing
     *         is removed)
     */
    public List<T> take(Predicate<? super T> match, int n, long timeout, TimeUnit unit) throws InterruptedException {
        long remaining = unit.toNanos(timeout);
        List<T> taken = new ArrayList<>(n);
        lock.lock();
        try {
            while (true) {
                List<T> found = new ArrayList<>(n - taken.size());
                for (T item : queue) {
                    if (found.size() == n - taken.size()) {
                        break;
                    }
                    if (match.test(item)) {
                        found.add(item);
                    }
                }
                if (found.size() == n - taken.size()) {
                    // Removal by equality: an equal element earlier in the queue is indistinguishable. An element
                    // that a concurrent consumer of queue() took meanwhile is simply searched for again.
                    for (T item : found) {
                        if (queue.remove(item)) {
                            taken.add(item);
                        }
                    }
                    if (taken.size() == n) {
                        return taken;
                    }
                    continue;
                }
                if (remaining <= 0 || closed) {
                    // Only a race with a concurrent consumer leaves elements taken here; give them back (at the tail).
                    queue.addAll(taken);
                    return null;
                }
                remaining = changed.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many queued elements match. */
    public int count(Predicate<? super T> match) {
        int n = 0;
        for (T item : queue) {
            if (match.test(item)) {
                n++;
            }
        }
        return n;
    }

    /** The first {@code max} elements, each cut to {@code maxChars}, for error messages. */
    public String describe(int max, int maxChars) {
        List<T> all = snapshot();
        List<String> shown = new ArrayList<>();
        for (T item : all.subList(0, Math.min(all.size(), max))) {
            String s = String.valueOf(item);
            shown.add(s.length() > maxChars ? s.substring(0, maxChars) + "..." : s);
        }
        return all.size() <= max ? shown.toString() : shown + " and " + (all.size() - max) + " more";
    }

    /** A snapshot of the queue, for diagnostics. */
    public List<T> snapshot() {
        return List.copyOf(queue);
    }
}
