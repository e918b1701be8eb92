package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageTrackerTest {
    private final MessageTracker tracker = new MessageTracker();

    @Test
    void contiguousDeliveryHasNoProblems() {
        for (long s = 5; s <= 9; s++) {
            tracker.record("c1", s);
        }
        tracker.record("c2", 1);
        assertThat(tracker.problems()).isEmpty();
        assertThat(tracker.gaps("c1")).isEmpty();
        assertThat(tracker.gaps("c1", 1)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(tracker.highestSeq("c1")).isEqualTo(9);
        assertThat(tracker.conversations()).containsExactly("c1", "c2");
        assertThat(tracker.totalReceived()).isEqualTo(6);
    }

    @Test
    void reportsDuplicatesGapsDisorderAndInvalidSeqs() {
        tracker.record("c1", 1);
        tracker.record("c1", 3);
        tracker.record("c1", 2);
        tracker.record("c1", 3);
        tracker.record("c1", 6);
        tracker.record("c1", 0);
        assertThat(tracker.duplicates("c1")).containsExactly(3L);
        assertThat(tracker.outOfOrder("c1")).containsExactly(2L);
        assertThat(tracker.gaps("c1")).containsExactly(4L, 5L);
        assertThat(tracker.seqs("c1")).containsExactly(1L, 2L, 3L, 6L);
        assertThat(tracker.received("c1")).isEqualTo(6);
        assertThat(tracker.problems()).containsExactly(
            "c1: duplicates [3]", "c1: out of order [2]", "c1: 2 missing seqs [4, 5]", "c1: invalid seqs [0]");
    }

    @Test
    void aStrayHugeSeqDoesNotExplode() {
        tracker.record("c1", 1);
        tracker.record("c1", 1_000_000_000L);
        assertThat(tracker.problems()).singleElement().asString().startsWith("c1: 999999998 missing seqs [2, 3,");
        tracker.reset();
        assertThat(tracker.conversations()).isEmpty();
    }
}
