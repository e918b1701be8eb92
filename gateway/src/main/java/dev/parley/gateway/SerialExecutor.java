package dev.parley.gateway;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: the frames of one connection are handled in
 * the order they arrived, without a thread per connection. Holds no thread while idle.
 */
final class SerialExecutor implements Executor {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Executor delegate;

    SerialExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    /** Starts a drain unless one runs. When the server is stopping (the delegate refuses work), the waiting
     *  tasks are dropped: their connections are being closed, and the client resends what was not acknowledged. */
    private void schedule() {
        if (!tasks.isEmpty() && running.compareAndSet(false, true)) {
            try {
                delegate.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                tasks.clear();
                running.set(false);
            }
        }
    }

    private void drain() {
        try {
            Runnable next;
            while ((next = tasks.poll()) != null) {
                next.run();
            }
        } finally {
            running.set(false);
            schedule(); // a task added between the last poll and the reset
        }
    }
}
