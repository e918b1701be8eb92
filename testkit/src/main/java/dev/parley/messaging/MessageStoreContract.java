package dev.parley.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.StorageException;
import dev.parley.protocol.Limits;
import dev.parley.protocol.MediaRef;
import dev.parley.protocol.SystemEvent;
import dev.parley.testkit.Race;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract of {@link MessageStore}. Every implementation subclasses this and only says how to open a store:
 *
 * <pre>{@code
 * class SqliteMessageStoreTest extends MessageStoreContract {
 *     protected MessageStore newStore(Path dir) { return new SqliteMessageStore(dir.resolve("messages.db"), ...); }
 * }
 * }</pre>
 *
 * <p>Besides the rules written on {@link MessageStore}, the suite checks what callers rely on: appends made one
 * after the other by one thread to one conversation get increasing seqs (a client's messages keep their order),
 * a listener that throws does not stop the store, and {@link MessageStore#close} has called every pending listener
 * by the time it returns; an append after close is failed through its listener with a {@link StorageException}.
 * {@link AppendProbe} and {@link AppendOrderCheck} are the listeners it uses; backend tests may use them too.
 */
public abstract class MessageStoreContract {
    private static final int THREADS = 8;
    private static final long T0 = 1_760_000_000_000L;

    /** A fresh directory per test, for backends that keep files. */
    @TempDir
    protected Path dir;

    private final AtomicLong clientIds = new AtomicLong();
    private MessageStore store;

    /**
     * Opens the message store kept in {@code dir}. A new {@code dir} MUST give an empty store; opening the same
     * {@code dir} again after {@link MessageStore#close} MUST see everything stored before.
     */
    protected abstract MessageStore newStore(Path dir);

    @BeforeEach
    void openStore() {
        store = newStore(dir);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    /** The store under test. */
    protected MessageStore store() {
        return store;
    }

    /** Closes the store and opens the same one again. */
    protected MessageStore reopen() {
        MessageStore old = store;
        store = null;
        old.close();
        store = newStore(dir);
        return store;
    }

    // ---- appending

    @Test
    void seqIsDensePerConversationFromOne() {
        assertThat(append(message(1, 100, "a")).seq()).isEqualTo(1);
        assertThat(append(message(1, 100, "b")).seq()).isEqualTo(2);
        assertThat(append(message(2, 100, "c")).seq()).isEqualTo(1);
        assertThat(append(message(1, 200, "d")).seq()).isEqualTo(3);
        assertThat(append(message(2, 200, "e")).seq()).isEqualTo(2);

        assertThat(store.lastSeq(1)).isEqualTo(3);
        assertThat(store.lastSeq(2)).isEqualTo(2);
    }

    @Test
    void storedMessageKeepsEveryField() {
        NewMessage m = new NewMessage(77, 100, 1001, "client-1", "hello", null, T0 + 5);

        StoredMessage stored = append(m);

        assertThat(stored).isEqualTo(new StoredMessage(77, 1, stored.id(), 100, 1001, "client-1", "hello", null,
            T0 + 5));
        assertThat(stored.id()).isPositive();
        assertThat(store.after(77, 0, 10)).containsExactly(stored);
    }

    @Test
    void idsAreUniqueAndGrowWithSeq() {
        List<StoredMessage> stored = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            stored.add(append(message(1 + i % 3, 100, "m" + i)));
        }

        assertThat(stored).extracting(StoredMessage::id).doesNotHaveDuplicates();
        for (long conv = 1; conv <= 3; conv++) {
            long c = conv;
            List<Long> ids = stored.stream().filter(m -> m.conversationId() == c).map(StoredMessage::id).toList();
            assertThat(ids).as("ids of conversation %d in seq order", conv).isSorted();
        }
    }

    @Test
    void concurrentAppendsToOneConversationGetDenseSeqsInOrder() {
        int perThread = 500;
        long conv = 9;
        AppendOrderCheck order = new AppendOrderCheck();

        List<Race.Outcome<List<AppendProbe>>> outcomes = Race.run(THREADS, t -> {
            List<AppendProbe> probes = new ArrayList<>(perThread);
            for (int i = 0; i < perThread; i++) {
                AppendProbe p = new AppendProbe(message(conv, 100 + t, "t" + t + "-" + i), order);
                store.append(p.message(), p);
                probes.add(p);
            }
            return probes;
        });

        List<AppendProbe> all = new ArrayList<>();
        for (Race.Outcome<List<AppendProbe>> o : outcomes) {
            assertThat(o.error()).isNull();
            all.addAll(o.value());
        }
        Map<Long, StoredMessage> bySeq = new HashMap<>();
        for (Race.Outcome<List<AppendProbe>> o : outcomes) {
            long previous = 0;
            for (AppendProbe p : o.value()) {
                StoredMessage m = p.awaitStored(false);
                assertThat(m.seq()).as("seq after %d from one thread", previous).isGreaterThan(previous);
                previous = m.seq();
                assertThat(bySeq.put(m.seq(), m)).as("two messages with seq %d", m.seq()).isNull();
            }
        }
        long total = (long) THREADS * perThread;
        assertThat(bySeq.keySet()).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, total).boxed()
            .toList());
        assertThat(all).allSatisfy(p -> assertThat(p.calls()).isEqualTo(1));
        order.assertClean();
        assertThat(store.lastSeq(conv)).isEqualTo(total);
        List<StoredMessage> read = readAll(conv);
        assertThat(read).hasSize((int) total);
        for (StoredMessage m : read) {
            assertThat(m).isEqualTo(bySeq.get(m.seq()));
        }
    }

    @Test
    void concurrentAppendsToManyConversationsGetDenseSeqsInOrder() {
        int perThread = 300;
        int conversations = 5;
        AppendOrderCheck order = new AppendOrderCheck();

        List<Race.Outcome<List<AppendProbe>>> outcomes = Race.run(THREADS, t -> {
            List<AppendProbe> probes = new ArrayList<>(perThread);
            for (int i = 0; i < perThread; i++) {
                NewMessage m = message(1 + (i + t) % conversations, 100 + t, "t" + t + "-" + i);
                AppendProbe p = new AppendProbe(m, order);
                store.append(p.message(), p);
                probes.add(p);
            }
            return probes;
        });

        Map<Long, List<Long>> seqs = new HashMap<>();
        for (Race.Outcome<List<AppendProbe>> o : outcomes) {
            assertThat(o.error()).isNull();
            for (AppendProbe p : o.value()) {
                StoredMessage m = p.awaitStored(false);
                assertThat(m.conversationId()).isEqualTo(p.message().conversationId());
                seqs.computeIfAbsent(m.conversationId(), k -> new ArrayList<>()).add(m.seq());
                assertThat(p.calls()).isEqualTo(1);
            }
        }
        order.assertClean();
        assertThat(seqs).hasSize(conversations);
        seqs.forEach((conv, list) -> {
            assertThat(list).as("seqs of conversation %d", conv)
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, list.size()).boxed().toList());
            assertThat(store.lastSeq(conv)).isEqualTo(list.size());
        });
    }

    @Test
    void messageIsReadableOnceItsListenerIsCalled() throws Exception {
        ExecutorService readers = Executors.newFixedThreadPool(4);
        try {
            Map<Long, String> problems = new ConcurrentHashMap<>();
            List<AppendProbe> probes = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                NewMessage msg = message(1 + i % 4, 100, "m" + i);
                AppendProbe p = new AppendProbe(msg, null) {
                    @Override
                    public void stored(StoredMessage m, boolean duplicate) {
                        // Read on another thread (listeners must not block): the read must already see the message.
                        readers.execute(() -> {
                            List<StoredMessage> page = store.after(m.conversationId(), m.seq() - 1, 1);
                            if (!page.equals(List.of(m))) {
                                problems.put(m.id(), "after(" + (m.seq() - 1) + ") gave " + page);
                            }
                            long last = store.lastSeq(m.conversationId());
                            if (last < m.seq()) {
                                problems.put(m.id(), "lastSeq " + last + " < seq " + m.seq());
                            }
                        });
                        super.stored(m, duplicate);
                    }
                };
                store.append(msg, p);
                probes.add(p);
            }
            for (AppendProbe p : probes) {
                p.awaitStored(false);
            }
            readers.shutdown();
            assertThat(readers.awaitTermination(AppendProbe.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(problems).isEmpty();
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void listenerThatThrowsDoesNotStopTheStore() {
        NewMessage first = message(1, 100, "boom");
        AppendProbe thrower = new AppendProbe(first, null) {
            @Override
            public void stored(StoredMessage m, boolean duplicate) {
                super.stored(m, duplicate);
                throw new IllegalStateException("listener bug (thrown on purpose by the test)");
            }
        };
        store.append(first, thrower);
        thrower.awaitStored(false);

        assertThat(append(message(1, 100, "after")).seq()).isEqualTo(2);
        assertThat(thrower.calls()).isEqualTo(1);
    }

    // ---- idempotency

    @Test
    void duplicateGetsTheOriginal() {
        StoredMessage original = append(new NewMessage(1, 100, 1001, "dup-1", "first", null, T0));

        AppendProbe again =
            new AppendProbe(new NewMessage(1, 100, 1002, "dup-1", "second", MediaRef.of("x"), T0 + 9), null);
        store.append(again.message(), again);

        assertThat(again.awaitStored(true)).isEqualTo(original);
        assertThat(store.lastSeq(1)).isEqualTo(1);
        assertThat(store.after(1, 0, 10)).containsExactly(original);
    }

    @Test
    void duplicateDoesNotTakeASeq() {
        StoredMessage a = append(new NewMessage(1, 100, 1001, "key-a", "a", null, T0));
        appendDuplicate(new NewMessage(1, 100, 1001, "key-a", "again", null, T0 + 1));
        StoredMessage b = append(message(1, 100, "b"));

        assertThat(a.seq()).isEqualTo(1);
        assertThat(b.seq()).isEqualTo(2);
    }

    @Test
    void sameClientMsgIdOfAnotherSenderIsAnotherMessage() {
        StoredMessage fromAlice = append(new NewMessage(1, 100, 1001, "same", "alice", null, T0));
        StoredMessage fromBob = append(new NewMessage(1, 200, 2001, "same", "bob", null, T0));

        assertThat(fromBob.seq()).isEqualTo(2);
        assertThat(fromBob.id()).isNotEqualTo(fromAlice.id());
        assertThat(fromBob.body()).isEqualTo("bob");
    }

    @Test
    void idempotencyKeyIsTheSenderAndClientMsgIdWhateverTheConversation() {
        StoredMessage original = append(new NewMessage(1, 100, 1001, "k", "first", null, T0));

        StoredMessage dup = appendDuplicate(new NewMessage(2, 100, 1001, "k", "elsewhere", null, T0));

        assertThat(dup).isEqualTo(original);
        assertThat(store.lastSeq(2)).isZero();
    }

    @Test
    void duplicatesInOneBurstAreStoredOnce() {
        int copies = 50;
        List<AppendProbe> probes = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            AppendProbe p = new AppendProbe(new NewMessage(1, 100, 1001, "burst", "copy " + i, null, T0 + i), null);
            store.append(p.message(), p);
            probes.add(p);
        }
        StoredMessage next = append(message(1, 100, "next"));

        List<AppendProbe.Result> results = probes.stream().map(AppendProbe::await).toList();
        assertThat(results).allSatisfy(r -> assertThat(r.error()).isNull());
        assertThat(results.stream().filter(r -> !r.duplicate())).hasSize(1);
        StoredMessage original = results.stream().filter(r -> !r.duplicate()).findFirst().orElseThrow().message();
        assertThat(original.body()).isEqualTo("copy 0");
        assertThat(original.seq()).isEqualTo(1);
        assertThat(results).allSatisfy(r -> assertThat(r.message()).isEqualTo(original));
        assertThat(next.seq()).isEqualTo(2);
        assertThat(store.lastSeq(1)).isEqualTo(2);
    }

    @Test
    void duplicateIsRecognizedAfterReopen() {
        StoredMessage original = append(new NewMessage(1, 100, 1001, "persisted", "first", null, T0));

        reopen();

        assertThat(appendDuplicate(new NewMessage(1, 100, 1001, "persisted", "retry", null, T0 + 1)))
            .isEqualTo(original);
        assertThat(append(message(1, 100, "new")).seq()).isEqualTo(2);
    }

    // ---- reading

    @Test
    void afterPagesForwardInAscendingOrder() {
        List<StoredMessage> all = appendMany(1, 10);

        assertThat(store.after(1, 0, 3)).containsExactlyElementsOf(all.subList(0, 3));
        assertThat(store.after(1, 3, 3)).containsExactlyElementsOf(all.subList(3, 6));
        assertThat(store.after(1, 8, 5)).containsExactlyElementsOf(all.subList(8, 10));
        assertThat(store.after(1, 0, 100)).containsExactlyElementsOf(all);
        assertThat(store.after(1, 10, 5)).isEmpty();
        assertThat(store.after(1, 50, 5)).isEmpty();
    }

    @Test
    void beforeGivesTheNewestBelowInAscendingOrder() {
        List<StoredMessage> all = appendMany(1, 10);

        assertThat(store.before(1, Long.MAX_VALUE, 3)).containsExactlyElementsOf(all.subList(7, 10));
        assertThat(store.before(1, 11, 3)).containsExactlyElementsOf(all.subList(7, 10));
        assertThat(store.before(1, 8, 3)).containsExactlyElementsOf(all.subList(4, 7));
        assertThat(store.before(1, 4, 10)).containsExactlyElementsOf(all.subList(0, 3));
        assertThat(store.before(1, 2, 10)).containsExactly(all.getFirst());
        assertThat(store.before(1, 1, 10)).isEmpty();
    }

    @Test
    void readsOfAConversationDoNotSeeOtherConversations() {
        List<StoredMessage> one = appendMany(1, 3);
        appendMany(2, 4);

        assertThat(store.after(1, 0, 100)).containsExactlyElementsOf(one);
        assertThat(store.before(1, Long.MAX_VALUE, 100)).containsExactlyElementsOf(one);
        assertThat(store.after(3, 0, 100)).isEmpty();
        assertThat(store.before(3, Long.MAX_VALUE, 100)).isEmpty();
        assertThat(store.lastSeq(3)).isZero();
    }

    @Test
    void lastSeqsAndLastMessagesOfManyConversations() {
        Map<Long, StoredMessage> newest = new HashMap<>();
        for (long conv = 1; conv <= 20; conv++) {
            List<StoredMessage> stored = appendMany(conv, (int) (conv % 4) + 1);
            newest.put(conv, stored.getLast());
        }
        List<Long> asked = new ArrayList<>();
        Map<Long, Long> expectedSeqs = new HashMap<>();
        for (long conv = 1; conv <= 1_500; conv++) {
            asked.add(conv);
            expectedSeqs.put(conv, newest.containsKey(conv) ? newest.get(conv).seq() : 0L);
        }
        Collections.shuffle(asked);

        assertThat(store.lastSeqs(asked)).isEqualTo(expectedSeqs);
        assertThat(store.lastMessages(asked)).isEqualTo(newest);
        assertThat(store.lastSeqs(List.of())).isEmpty();
        assertThat(store.lastMessages(List.of())).isEmpty();
        assertThat(store.lastMessages(List.of(999L))).isEmpty();
        assertThat(store.lastSeqs(List.of(999L))).isEqualTo(Map.of(999L, 0L));

        reopen(); // cold caches: the answers come from storage

        assertThat(store.lastSeqs(asked)).isEqualTo(expectedSeqs);
        assertThat(store.lastMessages(asked)).isEqualTo(newest);
        assertThat(store.lastSeq(20)).isEqualTo(newest.get(20L).seq());
    }

    // ---- content

    @Test
    void bodiesRoundTripExactly() {
        StringBuilder huge = new StringBuilder();
        String[] pieces = {"😀", "👩‍👩‍👧‍👦", "a", "é", "中", "\u0301", "🇫🇷", "\uD834\uDD1E"};
        int codePoints = 0;
        for (int i = 0; codePoints < Limits.MAX_BODY_CODE_POINTS; i++) {
            String piece = pieces[i % pieces.length];
            int n = piece.codePointCount(0, piece.length());
            if (codePoints + n > Limits.MAX_BODY_CODE_POINTS) {
                piece = "x";
                n = 1;
            }
            huge.append(piece);
            codePoints += n;
        }
        assertThat(huge.codePointCount(0, huge.length())).isEqualTo(Limits.MAX_BODY_CODE_POINTS);
        List<String> bodies = List.of("", " ", "plain", "line\nbreak\r\ntab\t", "quotes \" ' \\ ` %s %d {}",
            "nul\u0000inside", "emoji 😀👍🏽", "zwj 👩‍💻", "rtl שלום عربى", "combining e\u0301", "bmp edge \uFFFD\uFEFF",
            "'); DROP TABLE messages; --", huge.toString());

        List<StoredMessage> stored = new ArrayList<>();
        for (String body : bodies) {
            stored.add(append(new NewMessage(1, 100, 1001, "c" + clientIds.incrementAndGet(), body, null, T0)));
        }

        assertThat(stored).extracting(StoredMessage::body).containsExactlyElementsOf(bodies);
        assertThat(store.after(1, 0, 100)).extracting(StoredMessage::body).containsExactlyElementsOf(bodies);
        assertThat(store.lastMessages(List.of(1L)).get(1L).body()).isEqualTo(huge.toString());
    }

    @Test
    void mediaAndMissingBodyRoundTrip() {
        MediaRef full = new MediaRef("media-1", "image/jpeg", 123_456L, 640, 480, true);
        MediaRef idOnly = MediaRef.of("media-2");

        StoredMessage withFull = append(new NewMessage(1, 100, 1001, "m1", null, full, T0));
        StoredMessage withId = append(new NewMessage(1, 100, 1001, "m2", "caption", idOnly, T0));
        StoredMessage without = append(new NewMessage(1, 100, 1001, "m3", "text", null, T0));

        assertThat(withFull.media()).isEqualTo(full);
        assertThat(withFull.body()).isNull();
        assertThat(withId.media()).isEqualTo(idOnly);
        assertThat(without.media()).isNull();
        assertThat(store.after(1, 0, 10)).containsExactly(withFull, withId, without);

        reopen();

        assertThat(store.after(1, 0, 10)).containsExactly(withFull, withId, without);
    }

    @Test
    void systemEventsRoundTrip() {
        SystemEvent added = new SystemEvent(SystemEvent.EVENT_ADDED, "100", List.of("200", "300"), null, null, null);
        SystemEvent renamed = new SystemEvent(SystemEvent.EVENT_UPDATED, "100", null, "New name", "about", null);

        StoredMessage a = append(new NewMessage(1, 100, 0, "sys-1", "Alice added Bob, Carol", null, T0, added));
        StoredMessage r = append(new NewMessage(1, 100, 0, "sys-2", "Alice renamed the group", null, T0, renamed));
        StoredMessage plain = append(new NewMessage(1, 100, 1001, "m", "hi", null, T0));

        assertThat(a.system()).isEqualTo(added);
        assertThat(r.system()).isEqualTo(renamed);
        assertThat(plain.system()).isNull();
        reopen();
        assertThat(store.after(1, 0, 10)).containsExactly(a, r, plain);
    }

    // ---- lifecycle

    @Test
    void everythingSurvivesCloseAndReopen() {
        Map<Long, List<StoredMessage>> byConversation = new HashMap<>();
        for (long conv = 1; conv <= 3; conv++) {
            byConversation.put(conv, appendMany(conv, 5 + (int) conv));
        }

        reopen();

        byConversation.forEach((conv, stored) -> {
            assertThat(store.after(conv, 0, 100)).containsExactlyElementsOf(stored);
            assertThat(store.lastSeq(conv)).isEqualTo(stored.size());
        });
        // New appends continue where the conversation was, whatever caches the store had.
        assertThat(append(message(2, 100, "after reopen")).seq()).isEqualTo(byConversation.get(2L).size() + 1);
        assertThat(append(message(3, 100, "after reopen too")).seq()).isEqualTo(byConversation.get(3L).size() + 1);
    }

    @Test
    void closeCompletesOrFailsEveryAppendInFlight() {
        int count = 3_000;
        List<AppendProbe> probes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            AppendProbe p = new AppendProbe(message(1 + i % 3, 100, "inflight" + i), null);
            store.append(p.message(), p);
            probes.add(p);
        }

        MessageStore closed = store;
        store = null;
        closed.close();

        // Every listener has been called by the time close() returned.
        Map<Long, Set<Long>> stored = new HashMap<>();
        for (AppendProbe p : probes) {
            assertThat(p.calls()).as("listener calls of %s when close() returned", p.message().clientMsgId())
                .isEqualTo(1);
            AppendProbe.Result r = p.await();
            if (r.error() == null) {
                assertThat(r.duplicate()).isFalse();
                assertThat(stored.computeIfAbsent(r.message().conversationId(), k -> new HashSet<>())
                    .add(r.message().seq())).isTrue();
            } else {
                assertThat(r.error()).isInstanceOf(StorageException.class);
            }
        }
        store = newStore(dir);
        Map<Long, StoredMessage> reread = new HashMap<>();
        for (long conv = 1; conv <= 3; conv++) {
            for (StoredMessage m : readAll(conv)) {
                reread.put(m.id(), m);
            }
        }
        for (AppendProbe p : probes) {
            AppendProbe.Result r = p.await();
            if (r.error() == null) {
                assertThat(reread.get(r.message().id())).as("message acknowledged as stored before close")
                    .isEqualTo(r.message());
            }
        }
        stored.forEach((conv, seqs) -> assertThat(seqs).as("seqs of conversation %d", conv)
            .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, seqs.size()).boxed().toList()));
    }

    @Test
    void closeWhileOtherThreadsAppendLeavesNoListenerUncalled() throws Exception {
        int appenders = 4;
        List<List<AppendProbe>> probes = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(appenders);
        MessageStore closing = store;
        for (int t = 0; t < appenders; t++) {
            List<AppendProbe> mine = new ArrayList<>();
            probes.add(mine);
            long sender = 100 + t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 3_000; i++) {
                    AppendProbe p = new AppendProbe(message(1, sender, "racing close " + i), null);
                    closing.append(p.message(), p);
                    mine.add(p);
                    if (i == 100) {
                        started.countDown();
                    }
                }
            }));
        }
        assertThat(started.await(AppendProbe.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

        store = null;
        closing.close();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(AppendProbe.WAIT_SECONDS));
        }

        long stored = 0;
        for (List<AppendProbe> mine : probes) {
            boolean rejected = false;
            for (AppendProbe p : mine) {
                assertThat(p.calls()).as("listener calls of %s", p.message().clientMsgId()).isEqualTo(1);
                AppendProbe.Result r = p.await();
                if (r.error() == null) {
                    assertThat(rejected).as("%s stored after an earlier append of its thread failed",
                        p.message().clientMsgId()).isFalse();
                    stored++;
                } else {
                    assertThat(r.error()).isInstanceOf(StorageException.class);
                    rejected = true;
                }
            }
        }
        store = newStore(dir);
        assertThat(store.lastSeq(1)).isEqualTo(stored);
    }

    @Test
    void appendAfterCloseFailsItsListener() {
        MessageStore closed = store;
        store = null;
        closed.close();

        AppendProbe p = new AppendProbe(message(1, 100, "late"), null);
        closed.append(p.message(), p);

        AppendProbe.Result r = p.await();
        assertThat(r.error()).isInstanceOf(StorageException.class);
        assertThat(p.calls()).isEqualTo(1);
        closed.close(); // closing twice is harmless
    }

    @Test
    void countAfterCountsOthersMessagesAboveASeq() {
        long conv = 4242;
        append(message(conv, 1, "a"));
        append(message(conv, 2, "b"));
        append(message(conv, 1, "c"));
        append(message(conv, 2, "d"));
        assertThat(store.countAfter(conv, 0, 1)).isEqualTo(2);
        assertThat(store.countAfter(conv, 2, 1)).isEqualTo(1);
        assertThat(store.countAfter(conv, 4, 1)).isZero();
        assertThat(store.countAfter(conv, 0, 3)).isEqualTo(4);
        assertThat(store.countAfter(999_999, 0, 1)).isZero();
    }

    // ---- helpers

    /** A new text message with a fresh client id. */
    protected NewMessage message(long conversationId, long senderUserId, String body) {
        return new NewMessage(conversationId, senderUserId, senderUserId * 10 + 1,
            "c" + clientIds.incrementAndGet(), body, null, T0 + clientIds.get());
    }

    /** Appends and waits until the message is stored as new. */
    protected StoredMessage append(NewMessage m) {
        AppendProbe p = new AppendProbe(m, null);
        store.append(m, p);
        return p.awaitStored(false);
    }

    /** Appends a message that must be recognized as a duplicate; returns the original. */
    protected StoredMessage appendDuplicate(NewMessage m) {
        AppendProbe p = new AppendProbe(m, null);
        store.append(m, p);
        return p.awaitStored(true);
    }

    /** Appends {@code n} messages to a conversation one after the other. */
    protected List<StoredMessage> appendMany(long conversationId, int n) {
        List<StoredMessage> stored = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            stored.add(append(message(conversationId, 100 + i % 2, "message " + i)));
        }
        return stored;
    }

    /** Every message of a conversation, read forward in pages. */
    protected List<StoredMessage> readAll(long conversationId) {
        List<StoredMessage> all = new ArrayList<>();
        long from = 0;
        while (true) {
            List<StoredMessage> page = store.after(conversationId, from, Limits.MAX_PAGE_LIMIT);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            from = page.getLast().seq();
        }
    }
}
