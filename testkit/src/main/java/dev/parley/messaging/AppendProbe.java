package dev.parley.messaging;

import static org.assertj.core.api.Assertions.fail;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link MessageStore.AppendListener} for tests: it records the outcome of one append and counts its calls (a
 * correct store calls it exactly once). Optionally feeds an {@link AppendOrderCheck}.
 */
public class AppendProbe implements MessageStore.AppendListener {
    /** How long {@link #await} waits for the listener. */
    public static final long WAIT_SECONDS = 20;

    private final NewMessage message;
    private final AppendOrderCheck order;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private final AtomicInteger calls = new AtomicInteger();

    /** A probe for this message; {@code order}, when not null, checks the order of listener calls. */
    public AppendProbe(NewMessage message, AppendOrderCheck order) {
        this.message = message;
        this.order = order;
    }

    @Override
    public void stored(StoredMessage m, boolean duplicate) {
        if (order != null && !duplicate) {
            order.enter(m);
        }
        calls.incrementAndGet();
        result.complete(new Result(m, duplicate, null));
    }

    @Override
    public void failed(RuntimeException error) {
        calls.incrementAndGet();
        result.complete(new Result(null, false, error));
    }

    /** The message this probe listens for. */
    public NewMessage message() {
        return message;
    }

    /** How often the listener was called so far (1 when all is well). */
    public int calls() {
        return calls.get();
    }

    /** Waits for the outcome. */
    public Result await() {
        try {
            return result.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("listener of " + message.clientMsgId() + " not called in " + WAIT_SECONDS + " s",
                e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until the message is stored, and checks whether it was a duplicate. */
    public StoredMessage awaitStored(boolean duplicate) {
        Result r = await();
        if (r.error() != null) {
            throw new AssertionError("append of " + message.clientMsgId() + " failed", r.error());
        }
        if (r.duplicate() != duplicate) {
            fail("append of %s: duplicate=%s (expected: %s)", message.clientMsgId(), r.duplicate(), duplicate);
        }
        return r.message();
    }

    /** The outcome of one append: a message (and whether it was a duplicate) or an error. */
    public record Result(StoredMessage message, boolean duplicate, RuntimeException error) {
    }
}
