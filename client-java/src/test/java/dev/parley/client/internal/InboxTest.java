package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InboxTest {
    private final Inbox<String> inbox = new Inbox<>();

    @Test
    void takesOnlyMatchingElementsAndLeavesTheRestInOrder() throws Exception {
        inbox.add("a1");
        inbox.add("b1");
        inbox.add("a2");
        inbox.add("b2");
        assertThat(inbox.take(s -> s.startsWith("b"), 2, 0, TimeUnit.SECONDS)).containsExactly("b1", "b2");
        assertThat(inbox.queue()).containsExactly("a1", "a2");
    }

    @Test
    void waitsForArrivalsAndRemovesNothingOnTimeout() throws Exception {
        inbox.add("x");
        assertThat(inbox.take(s -> s.equals("y"), 1, 50, TimeUnit.MILLISECONDS)).isNull();
        assertThat(inbox.take(s -> s.equals("x"), 2, 50, TimeUnit.MILLISECONDS)).isNull();
        assertThat(inbox.queue()).containsExactly("x");

        CompletableFuture<Object> later = CompletableFuture.supplyAsync(() -> {
            try {
                return inbox.take(s -> s.equals("y"), 1, 5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        inbox.add("y");
        assertThat(later.get(5, TimeUnit.SECONDS)).asList().containsExactly("y");
    }

    @Test
    void closeWakesWaitersButStillServesWhatIsThere() throws Exception {
        CompletableFuture<Object> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return inbox.take(s -> true, 1, 10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        long start = System.nanoTime();
        inbox.close();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(2));
        inbox.add("late");
        assertThat(inbox.take(s -> true, 1, 0, TimeUnit.SECONDS)).containsExactly("late");
    }
}
