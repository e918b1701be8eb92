package dev.parley.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/**
 * Runs one task on several threads that are released at the same instant, to provoke races, and collects what each
 * thread returned or threw.
 */
public final class Race {
    /** How long a race may take before the test fails. */
    public static final long TIMEOUT_SECONDS = 60;

    private Race() {
    }

    /**
     * Runs {@code task.apply(i)} for {@code i} in {@code 0..threads-1}, each on its own thread, all started together.
     *
     * @return the outcome of each thread, by index
     */
    public static <T> List<Outcome<T>> run(int threads, IntFunction<T> task) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>(threads);
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return task.apply(index);
                }));
            }
            if (!ready.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("race: " + threads + " threads did not start in " + TIMEOUT_SECONDS + " s");
            }
            go.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            List<Outcome<T>> outcomes = new ArrayList<>(threads);
            for (Future<T> f : futures) {
                try {
                    outcomes.add(new Outcome<>(f.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS), null));
                } catch (java.util.concurrent.ExecutionException e) {
                    outcomes.add(new Outcome<>(null, e.getCause()));
                } catch (TimeoutException e) {
                    throw new AssertionError("race: not finished in " + TIMEOUT_SECONDS + " s (deadlock?)", e);
                }
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("race: interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * What one thread of a race returned ({@code error == null}) or threw.
     */
    public record Outcome<T>(T value, Throwable error) {
        public boolean succeeded() {
            return error == null;
        }
    }
}
