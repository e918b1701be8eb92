package dev.parley.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.IdGenerator;
import dev.parley.push.PushKind;
import dev.parley.push.PushRegistration;
import dev.parley.testkit.Race;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract of {@link Directory}. Every implementation subclasses this and only says how to open a directory:
 *
 * <pre>{@code
 * class SqliteDirectoryTest extends DirectoryContract {
 *     protected Directory newDirectory(Path dir) { return new SqliteDirectory(dir.resolve("directory.db")); }
 * }
 * }</pre>
 */
public abstract class DirectoryContract {
    private static final int THREADS = 8;
    private static final long T0 = 1_760_000_000_000L;

    /** A fresh directory per test, for backends that keep files. */
    @TempDir
    protected Path dir;

    private final IdGenerator ids = new IdGenerator(7, Clock.systemUTC());
    private Directory directory;

    /**
     * Opens the directory kept in {@code dir}. A new {@code dir} MUST give an empty directory; opening the same
     * {@code dir} again after {@link Directory#close} MUST see everything stored before.
     */
    protected abstract Directory newDirectory(Path dir);

    @BeforeEach
    void openDirectory() {
        directory = newDirectory(dir);
    }

    @AfterEach
    void closeDirectory() {
        if (directory != null) {
            directory.close();
        }
    }

    /** The directory under test. */
    protected Directory directory() {
        return directory;
    }

    /** Closes the directory and opens the same one again. */
    protected Directory reopen() {
        Directory old = directory;
        directory = null;
        old.close();
        directory = newDirectory(dir);
        return directory;
    }

    // ---- users

    @Test
    void createdUserIsFoundByIdAndByUsername() {
        User alice = user("alice");

        directory.createUser(alice);

        assertThat(directory.findUser(alice.id())).contains(alice);
        assertThat(directory.findUserByUsername("alice")).contains(alice);
    }

    @Test
    void unknownUserIsNotFound() {
        directory.createUser(user("alice"));

        assertThat(directory.findUser(ids.next())).isEmpty();
        assertThat(directory.findUserByUsername("bob")).isEmpty();
        assertThat(directory.findUserByUsername("alic")).isEmpty();
    }

    @Test
    void createUserFailsWhenTheUsernameIsTaken() {
        User first = user("alice");
        directory.createUser(first);
        User second = user("alice");

        assertThatThrownBy(() -> directory.createUser(second)).isInstanceOf(UsernameTakenException.class);

        assertThat(directory.findUserByUsername("alice")).contains(first);
        assertThat(directory.findUser(second.id())).isEmpty();
    }

    @Test
    void concurrentCreateUserOfOneUsernameHasExactlyOneWinner() {
        for (int round = 0; round < 10; round++) {
            String name = "racer" + round;
            List<User> candidates = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                candidates.add(user(name));
            }

            List<Race.Outcome<User>> outcomes = Race.run(THREADS, i -> {
                directory.createUser(candidates.get(i));
                return candidates.get(i);
            });

            List<User> winners = outcomes.stream().filter(Race.Outcome::succeeded).map(Race.Outcome::value).toList();
            assertThat(winners).as("winners of %s", name).hasSize(1);
            assertThat(outcomes.stream().filter(o -> !o.succeeded()).map(Race.Outcome::error))
                .as("losers of %s", name)
                .hasSize(THREADS - 1)
                .allSatisfy(e -> assertThat(e).isInstanceOf(UsernameTakenException.class));
            assertThat(directory.findUserByUsername(name)).contains(winners.getFirst());
            for (User u : candidates) {
                if (u != winners.getFirst()) {
                    assertThat(directory.findUser(u.id())).isEmpty();
                }
            }
        }
    }

    @Test
    void concurrentCreateUserOfDistinctUsernamesAllSucceed() {
        int perThread = 25;

        List<Race.Outcome<List<User>>> outcomes = Race.run(THREADS, t -> {
            List<User> made = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                User u = user("user_" + t + "_" + i);
                directory.createUser(u);
                made.add(u);
            }
            return made;
        });

        for (Race.Outcome<List<User>> o : outcomes) {
            assertThat(o.error()).isNull();
            for (User u : o.value()) {
                assertThat(directory.findUserByUsername(u.username())).contains(u);
            }
        }
    }

    @Test
    void findUsersReturnsTheExistingOnes() {
        User alice = user("alice");
        User bob = user("bob");
        directory.createUser(alice);
        directory.createUser(bob);
        long unknown = ids.next();

        assertThat(directory.findUsers(List.of(alice.id(), unknown, bob.id(), alice.id())))
            .isEqualTo(Map.of(alice.id(), alice, bob.id(), bob));
        assertThat(directory.findUsers(List.of())).isEmpty();
        assertThat(directory.findUsers(List.of(unknown))).isEmpty();
    }

    @Test
    void findUsersTakesManyIds() {
        Map<Long, User> expected = new HashMap<>();
        List<Long> asked = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            User u = user("many" + i);
            directory.createUser(u);
            expected.put(u.id(), u);
            asked.add(u.id());
        }
        for (int i = 0; i < 2_000; i++) {
            asked.add(ids.next()); // more ids than some engines take as parameters of one statement
        }

        assertThat(directory.findUsers(asked)).isEqualTo(expected);
    }

    // ---- devices

    @Test
    void createdDeviceIsFoundByItsTokenHash() {
        User alice = createUser("alice");
        byte[] hash = tokenHash();
        Device phone = new Device(ids.next(), alice.id(), "phone", T0);

        directory.createDevice(phone, hash);

        assertThat(directory.findDeviceByTokenHash(hash.clone())).contains(phone);
        assertThat(directory.findDeviceByTokenHash(tokenHash())).isEmpty();
        byte[] almost = hash.clone();
        almost[31] ^= 1;
        assertThat(directory.findDeviceByTokenHash(almost)).isEmpty();
    }

    @Test
    void devicesAreListedOldestFirst() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        Device laptop = new Device(ids.next(), alice.id(), "laptop", T0 + 300);
        Device phone = new Device(ids.next(), alice.id(), "phone", T0 + 100);
        Device tablet = new Device(ids.next(), alice.id(), "tablet", T0 + 200);
        Device bobs = new Device(ids.next(), bob.id(), "phone", T0 + 50);
        for (Device d : List.of(laptop, phone, tablet, bobs)) {
            directory.createDevice(d, tokenHash());
        }

        assertThat(directory.devices(alice.id())).containsExactly(phone, tablet, laptop);
        assertThat(directory.devices(bob.id())).containsExactly(bobs);
        assertThat(directory.devices(ids.next())).isEmpty();
    }

    @Test
    void deleteDeviceRemovesItsTokenAndCursors() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        Conversation conv = directory.directConversation(alice.id(), bob.id(), ids.next(), T0);
        byte[] phoneHash = tokenHash();
        byte[] laptopHash = tokenHash();
        Device phone = new Device(ids.next(), alice.id(), "phone", T0);
        Device laptop = new Device(ids.next(), alice.id(), "laptop", T0 + 1);
        directory.createDevice(phone, phoneHash);
        directory.createDevice(laptop, laptopHash);
        directory.saveCursors(List.of(new SyncCursor(phone.id(), conv.id(), 5),
            new SyncCursor(laptop.id(), conv.id(), 7)));

        assertThat(directory.deleteDevice(alice.id(), phone.id())).isTrue();

        assertThat(directory.findDeviceByTokenHash(phoneHash)).isEmpty();
        assertThat(directory.devices(alice.id())).containsExactly(laptop);
        assertThat(directory.cursors(phone.id())).isEmpty();
        assertThat(directory.findDeviceByTokenHash(laptopHash)).contains(laptop);
        assertThat(directory.cursors(laptop.id())).isEqualTo(Map.of(conv.id(), 7L));
        assertThat(directory.deleteDevice(alice.id(), phone.id())).as("second delete").isFalse();
    }

    @Test
    void deleteDeviceOfAnotherUserDoesNothing() {
        User alice = createUser("alice");
        User mallory = createUser("mallory");
        byte[] hash = tokenHash();
        Device phone = new Device(ids.next(), alice.id(), "phone", T0);
        directory.createDevice(phone, hash);

        assertThat(directory.deleteDevice(mallory.id(), phone.id())).isFalse();
        assertThat(directory.deleteDevice(alice.id(), ids.next())).isFalse();

        assertThat(directory.findDeviceByTokenHash(hash)).contains(phone);
        assertThat(directory.devices(alice.id())).containsExactly(phone);
    }

    // ---- conversations

    @Test
    void directConversationIsTheSameForAPairInEitherOrder() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        long id = ids.next();

        Conversation first = directory.directConversation(alice.id(), bob.id(), id, T0);
        Conversation again = directory.directConversation(bob.id(), alice.id(), ids.next(), T0 + 1000);
        Conversation third = directory.directConversation(alice.id(), bob.id(), ids.next(), T0 + 2000);

        assertThat(first.id()).isEqualTo(id);
        assertThat(first.kind()).isEqualTo(Conversation.Kind.DIRECT);
        assertThat(first.title()).isNull();
        assertThat(first.createdAt()).isEqualTo(T0);
        assertThat(first.members()).containsExactlyInAnyOrder(alice.id(), bob.id());
        assertSameConversation(again, first);
        assertSameConversation(third, first);
    }

    @Test
    void distinctPairsGetDistinctConversations() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        User carol = createUser("carol");

        Conversation ab = directory.directConversation(alice.id(), bob.id(), ids.next(), T0);
        Conversation ac = directory.directConversation(alice.id(), carol.id(), ids.next(), T0);
        Conversation cb = directory.directConversation(carol.id(), bob.id(), ids.next(), T0);

        assertThat(Set.of(ab.id(), ac.id(), cb.id())).hasSize(3);
        assertThat(ac.members()).containsExactlyInAnyOrder(alice.id(), carol.id());
        assertThat(cb.members()).containsExactlyInAnyOrder(carol.id(), bob.id());
    }

    @Test
    void concurrentDirectConversationOfOnePairIsCreatedOnce() {
        for (int round = 0; round < 10; round++) {
            User a = createUser("pair_a" + round);
            User b = createUser("pair_b" + round);
            long[] newIds = new long[THREADS];
            for (int i = 0; i < THREADS; i++) {
                newIds[i] = ids.next();
            }

            List<Race.Outcome<Conversation>> outcomes = Race.run(THREADS, i -> i % 2 == 0
                ? directory.directConversation(a.id(), b.id(), newIds[i], T0 + i)
                : directory.directConversation(b.id(), a.id(), newIds[i], T0 + i));

            Set<Long> got = new HashSet<>();
            for (Race.Outcome<Conversation> o : outcomes) {
                assertThat(o.error()).as("round %d", round).isNull();
                assertThat(o.value().members()).containsExactlyInAnyOrder(a.id(), b.id());
                got.add(o.value().id());
            }
            assertThat(got).as("conversation ids returned in round %d", round).hasSize(1);
            long winner = got.iterator().next();
            assertThat(newIds).contains(winner);
            assertThat(directory.conversationsOf(a.id())).extracting(Conversation::id).containsExactly(winner);
            assertThat(directory.conversationsOf(b.id())).extracting(Conversation::id).containsExactly(winner);
        }
    }

    @Test
    void conversationIsFoundById() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        Conversation conv = directory.directConversation(alice.id(), bob.id(), ids.next(), T0);

        Optional<Conversation> found = directory.conversation(conv.id());

        assertThat(found).isPresent();
        assertSameConversation(found.get(), conv);
        assertThat(directory.conversation(ids.next())).isEmpty();
    }

    @Test
    void conversationsOfListsEveryConversationOfTheUserWithItsMembers() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        User carol = createUser("carol");
        User dave = createUser("dave");
        Conversation ab = directory.directConversation(alice.id(), bob.id(), ids.next(), T0);
        Conversation ca = directory.directConversation(carol.id(), alice.id(), ids.next(), T0 + 1);
        Conversation bc = directory.directConversation(bob.id(), carol.id(), ids.next(), T0 + 2);

        List<Conversation> ofAlice = directory.conversationsOf(alice.id());

        assertThat(ofAlice).extracting(Conversation::id).containsExactlyInAnyOrder(ab.id(), ca.id());
        for (Conversation c : ofAlice) {
            assertSameConversation(c, c.id() == ab.id() ? ab : ca);
        }
        assertThat(directory.conversationsOf(bob.id())).extracting(Conversation::id)
            .containsExactlyInAnyOrder(ab.id(), bc.id());
        assertThat(directory.conversationsOf(dave.id())).isEmpty();
    }

    @Test
    void conversationsOfAUserWithManyConversations() {
        User hub = createUser("hub");
        Map<Long, Long> peerByConversation = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            User peer = createUser("peer" + i);
            Conversation c = directory.directConversation(hub.id(), peer.id(), ids.next(), T0 + i);
            peerByConversation.put(c.id(), peer.id());
        }

        List<Conversation> convs = directory.conversationsOf(hub.id());

        assertThat(convs).hasSize(100);
        for (Conversation c : convs) {
            assertThat(c.members()).containsExactlyInAnyOrder(hub.id(), peerByConversation.get(c.id()));
        }
    }

    // ---- cursors

    @Test
    void deviceWithoutCursorsHasNone() {
        Device phone = createDevice(createUser("alice"));

        assertThat(directory.cursors(phone.id())).isEmpty();
        assertThat(directory.cursors(ids.next())).isEmpty();
    }

    @Test
    void cursorsOnlyMoveForward() {
        User alice = createUser("alice");
        Conversation c1 = directory.directConversation(alice.id(), createUser("bob").id(), ids.next(), T0);
        Conversation c2 = directory.directConversation(alice.id(), createUser("carol").id(), ids.next(), T0);
        Device phone = createDevice(alice);

        directory.saveCursors(List.of(new SyncCursor(phone.id(), c1.id(), 10), new SyncCursor(phone.id(), c2.id(), 3)));
        assertThat(directory.cursors(phone.id())).isEqualTo(Map.of(c1.id(), 10L, c2.id(), 3L));

        directory.saveCursors(List.of(new SyncCursor(phone.id(), c1.id(), 4), new SyncCursor(phone.id(), c2.id(), 8)));
        assertThat(directory.cursors(phone.id())).isEqualTo(Map.of(c1.id(), 10L, c2.id(), 8L));

        directory.saveCursors(List.of(new SyncCursor(phone.id(), c1.id(), 10)));
        assertThat(directory.cursors(phone.id())).isEqualTo(Map.of(c1.id(), 10L, c2.id(), 8L));

        directory.saveCursors(List.of(new SyncCursor(phone.id(), c1.id(), 11)));
        assertThat(directory.cursors(phone.id())).isEqualTo(Map.of(c1.id(), 11L, c2.id(), 8L));
    }

    @Test
    void oneBatchWithSeveralSeqsOfOneCursorKeepsTheHighest() {
        User alice = createUser("alice");
        Conversation c = directory.directConversation(alice.id(), createUser("bob").id(), ids.next(), T0);
        Device phone = createDevice(alice);

        directory.saveCursors(List.of(new SyncCursor(phone.id(), c.id(), 5), new SyncCursor(phone.id(), c.id(), 9),
            new SyncCursor(phone.id(), c.id(), 2)));

        assertThat(directory.cursors(phone.id())).isEqualTo(Map.of(c.id(), 9L));
    }

    @Test
    void cursorsAreKeptPerDevice() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        Conversation c = directory.directConversation(alice.id(), bob.id(), ids.next(), T0);
        Device phone = createDevice(alice);
        Device laptop = createDevice(alice);
        Device bobs = createDevice(bob);

        directory.saveCursors(List.of(new SyncCursor(phone.id(), c.id(), 5), new SyncCursor(bobs.id(), c.id(), 6)));

        assertThat(directory.cursors(phone.id())).isEqualTo(Map.of(c.id(), 5L));
        assertThat(directory.cursors(laptop.id())).isEmpty();
        assertThat(directory.cursors(bobs.id())).isEqualTo(Map.of(c.id(), 6L));
    }

    @Test
    void cursorsOfDeletedOrUnknownDevicesAreIgnored() {
        User alice = createUser("alice");
        Conversation c = directory.directConversation(alice.id(), createUser("bob").id(), ids.next(), T0);
        Device phone = createDevice(alice);
        Device laptop = createDevice(alice);
        assertThat(directory.deleteDevice(alice.id(), laptop.id())).isTrue();
        long neverExisted = ids.next();

        directory.saveCursors(List.of(new SyncCursor(laptop.id(), c.id(), 5), new SyncCursor(phone.id(), c.id(), 6),
            new SyncCursor(neverExisted, c.id(), 7)));

        assertThat(directory.cursors(phone.id())).isEqualTo(Map.of(c.id(), 6L));
        assertThat(directory.cursors(laptop.id())).isEmpty();
        assertThat(directory.cursors(neverExisted)).isEmpty();
    }

    @Test
    void savingNoCursorsIsHarmless() {
        directory.saveCursors(List.of());
    }

    @Test
    void concurrentSaveCursorsKeepTheHighestSeq() {
        User alice = createUser("alice");
        List<Conversation> convs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            convs.add(directory.directConversation(alice.id(), createUser("peer" + i).id(), ids.next(), T0));
        }
        Device phone = createDevice(alice);
        int rounds = 40;

        List<Race.Outcome<Map<Long, Long>>> outcomes = Race.run(THREADS, t -> {
            Map<Long, Long> highest = new HashMap<>();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int r = 0; r < rounds; r++) {
                List<SyncCursor> batch = new ArrayList<>();
                for (Conversation c : convs) {
                    long seq = random.nextLong(1, 1_000_000);
                    batch.add(new SyncCursor(phone.id(), c.id(), seq));
                    highest.merge(c.id(), seq, Math::max);
                }
                directory.saveCursors(batch);
            }
            return highest;
        });

        Map<Long, Long> expected = new HashMap<>();
        for (Race.Outcome<Map<Long, Long>> o : outcomes) {
            assertThat(o.error()).isNull();
            o.value().forEach((conv, seq) -> expected.merge(conv, seq, Math::max));
        }
        assertThat(directory.cursors(phone.id())).isEqualTo(expected);
    }

    // ---- durability

    @Test
    void everythingSurvivesCloseAndReopen() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        byte[] hash = tokenHash();
        Device phone = new Device(ids.next(), alice.id(), "phone", T0);
        directory.createDevice(phone, hash);
        Conversation conv = directory.directConversation(alice.id(), bob.id(), ids.next(), T0);
        directory.saveCursors(List.of(new SyncCursor(phone.id(), conv.id(), 42)));

        reopen();

        assertThat(directory.findUser(alice.id())).contains(alice);
        assertThat(directory.findUserByUsername("bob")).contains(bob);
        assertThatThrownBy(() -> directory.createUser(user("alice"))).isInstanceOf(UsernameTakenException.class);
        assertThat(directory.findDeviceByTokenHash(hash)).contains(phone);
        assertThat(directory.devices(alice.id())).containsExactly(phone);
        assertSameConversation(directory.conversation(conv.id()).orElseThrow(), conv);
        assertSameConversation(directory.directConversation(bob.id(), alice.id(), ids.next(), T0 + 5), conv);
        assertThat(directory.conversationsOf(bob.id())).extracting(Conversation::id).containsExactly(conv.id());
        assertThat(directory.cursors(phone.id())).isEqualTo(Map.of(conv.id(), 42L));
    }

    // ---- receipts

    @Test
    void receiptPositionsMoveForwardPerColumnAndSurviveReopen() {
        long conv = 77;
        User alice = createUser("alice");
        User bob = createUser("bob");
        directory.saveReceipts(List.of(new ReceiptPosition(conv, alice.id(), 5, 3),
            new ReceiptPosition(conv, bob.id(), 2, 2)));
        // Lower values never win; each column moves on its own.
        directory.saveReceipts(List.of(new ReceiptPosition(conv, alice.id(), 4, 4)));
        assertThat(directory.receipts(conv)).containsOnlyKeys(alice.id(), bob.id())
            .containsEntry(alice.id(), new ReceiptPosition(conv, alice.id(), 5, 4))
            .containsEntry(bob.id(), new ReceiptPosition(conv, bob.id(), 2, 2));
        directory.saveReceipts(List.of(new ReceiptPosition(conv + 1, alice.id(), 9, 1)));
        reopen();
        assertThat(directory.receiptsOf(alice.id())).containsOnlyKeys(conv, conv + 1)
            .containsEntry(conv + 1, new ReceiptPosition(conv + 1, alice.id(), 9, 1));
        assertThat(directory.receipts(12345)).isEmpty();
        directory.saveReceipts(List.of());
    }

    // ---- presence

    @Test
    void lastSeenMovesForwardAndPrivacyIsKeptApart() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        assertThat(directory.presenceSettings(List.of(alice.id(), bob.id()))).isEmpty();
        directory.saveLastSeen(alice.id(), 2_000);
        directory.saveLastSeen(alice.id(), 1_000); // older: ignored
        directory.savePrivacy(alice.id(), PresenceSettings.Visibility.CONTACTS);
        directory.savePrivacy(bob.id(), PresenceSettings.Visibility.NOBODY);
        reopen();
        assertThat(directory.presenceSettings(List.of(alice.id(), bob.id(), 999L)))
            .containsOnlyKeys(alice.id(), bob.id())
            .containsEntry(alice.id(), new PresenceSettings(alice.id(), 2_000, PresenceSettings.Visibility.CONTACTS))
            .containsEntry(bob.id(), new PresenceSettings(bob.id(), 0, PresenceSettings.Visibility.NOBODY));
        directory.saveLastSeen(bob.id(), 5);
        assertThat(directory.presenceSettings(List.of(bob.id())).get(bob.id()).visibility())
            .isEqualTo(PresenceSettings.Visibility.NOBODY);
    }

    // ---- groups

    @Test
    void createdGroupIsFoundWithRolesAndListedForEveryMember() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        Conversation group = group("Climbing", alice, bob);

        directory.createGroup(group);
        reopen();

        Conversation found = directory.conversation(group.id()).orElseThrow();
        assertThat(found).isEqualTo(group);
        assertThat(found.kind()).isEqualTo(Conversation.Kind.GROUP);
        assertThat(found.title()).isEqualTo("Climbing");
        assertThat(found.description()).isEqualTo("about Climbing");
        assertThat(found.member(alice.id()).role()).isEqualTo(Member.Role.ADMIN);
        assertThat(found.member(bob.id())).isEqualTo(new Member(bob.id(), Member.Role.MEMBER, 1, T0));
        assertThat(directory.conversationsOf(bob.id())).containsExactly(group);
    }

    @Test
    void addMembersSkipsMembersAndKeepsTheirJoinPoint() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        User carol = createUser("carol");
        Conversation group = group("g", alice, bob);
        directory.createGroup(group);

        List<Member> added = directory.addMembers(group.id(), List.of(
            new Member(bob.id(), Member.Role.MEMBER, 9, T0 + 9),
            new Member(carol.id(), Member.Role.MEMBER, 9, T0 + 9)), 10);

        assertThat(added).containsExactly(new Member(carol.id(), Member.Role.MEMBER, 9, T0 + 9));
        Conversation now = directory.conversation(group.id()).orElseThrow();
        assertThat(now.members()).containsExactlyInAnyOrder(alice.id(), bob.id(), carol.id());
        assertThat(now.member(bob.id()).joinedSeq()).isEqualTo(1);
        assertThat(now.member(carol.id()).joinedSeq()).isEqualTo(9);
    }

    @Test
    void addMembersPastTheLimitChangesNothing() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        User carol = createUser("carol");
        User dave = createUser("dave");
        Conversation group = group("g", alice, bob);
        directory.createGroup(group);

        assertThatThrownBy(() -> directory.addMembers(group.id(), List.of(member(carol, 5), member(dave, 5)), 3))
            .isInstanceOf(GroupFullException.class)
            .hasMessageContaining("limit of 3");

        assertThat(directory.conversation(group.id()).orElseThrow().members())
            .containsExactlyInAnyOrder(alice.id(), bob.id());
        assertThat(directory.addMembers(group.id(), List.of(member(carol, 5)), 3)).hasSize(1);
    }

    @Test
    void concurrentAddsNeverExceedTheLimit() {
        User alice = createUser("alice");
        Conversation group = group("g", alice);
        directory.createGroup(group);
        List<User> candidates = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            candidates.add(createUser("candidate" + i));
        }

        List<Race.Outcome<List<Member>>> outcomes = Race.run(THREADS,
            i -> directory.addMembers(group.id(), List.of(member(candidates.get(i), 2)), 5));

        assertThat(outcomes.stream().filter(Race.Outcome::succeeded)).hasSize(4);
        assertThat(outcomes.stream().filter(o -> !o.succeeded()).map(Race.Outcome::error))
            .allSatisfy(e -> assertThat(e).isInstanceOf(GroupFullException.class));
        assertThat(directory.conversation(group.id()).orElseThrow().size()).isEqualTo(5);
    }

    @Test
    void removedMemberBecomesFormerMemberAndRejoiningMakesItCurrentAgain() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        Conversation group = group("g", alice, bob);
        directory.createGroup(group);

        Optional<Directory.Removal> removal = directory.removeMember(group.id(), bob.id(), 7);
        directory.extendFormerMember(group.id(), bob.id(), 8);
        directory.extendFormerMember(group.id(), bob.id(), 6); // backwards: ignored

        assertThat(removal).contains(new Directory.Removal(group.member(bob.id()), null));
        assertThat(directory.removeMember(group.id(), bob.id(), 9)).isEmpty();
        assertThat(directory.conversationsOf(bob.id())).isEmpty();
        assertThat(directory.conversation(group.id()).orElseThrow().members()).containsExactly(alice.id());
        assertThat(directory.formerMember(group.id(), bob.id())).contains(new FormerMember(group.id(), bob.id(), 1, 8));
        assertThat(directory.formerMemberships(bob.id())).containsExactly(new FormerMember(group.id(), bob.id(), 1, 8));
        assertThat(directory.formerMember(group.id(), alice.id())).isEmpty();

        directory.addMembers(group.id(), List.of(member(bob, 12)), 10);

        assertThat(directory.formerMember(group.id(), bob.id())).isEmpty();
        assertThat(directory.conversation(group.id()).orElseThrow().member(bob.id()).joinedSeq()).isEqualTo(12);
    }

    @Test
    void whenTheLastAdminLeavesTheMemberWhoJoinedFirstIsPromoted() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        User carol = createUser("carol");
        User dave = createUser("dave");
        directory.createGroup(new Conversation(ids.next(), Conversation.Kind.GROUP, "g", null, List.of(
            new Member(alice.id(), Member.Role.ADMIN, 1, T0),
            new Member(carol.id(), Member.Role.MEMBER, 1, T0 + 20),
            new Member(bob.id(), Member.Role.MEMBER, 1, T0 + 10),
            new Member(dave.id(), Member.Role.MEMBER, 1, T0 + 30)), T0));
        long id = directory.conversationsOf(alice.id()).getFirst().id();

        Directory.Removal removal = directory.removeMember(id, alice.id(), 4).orElseThrow();

        assertThat(removal.promoted()).isEqualTo(bob.id());
        Conversation now = directory.conversation(id).orElseThrow();
        assertThat(now.member(bob.id()).role()).isEqualTo(Member.Role.ADMIN);
        assertThat(now.member(carol.id()).role()).isEqualTo(Member.Role.MEMBER);
        assertThat(directory.removeMember(id, carol.id(), 5).orElseThrow().promoted()).isNull();
    }

    @Test
    void lastMemberLeavingLeavesAnEmptyGroup() {
        User alice = createUser("alice");
        Conversation group = group("g", alice);
        directory.createGroup(group);

        assertThat(directory.removeMember(group.id(), alice.id(), 1).orElseThrow().promoted()).isNull();

        assertThat(directory.conversation(group.id()).orElseThrow().members()).isEmpty();
    }

    @Test
    void rolesChangeButTheLastAdminCannotBeDemoted() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        Conversation group = group("g", alice, bob);
        directory.createGroup(group);

        assertThat(directory.setRole(group.id(), alice.id(), Member.Role.MEMBER))
            .isEqualTo(Directory.RoleChange.LAST_ADMIN);
        assertThat(directory.setRole(group.id(), bob.id(), Member.Role.ADMIN)).isEqualTo(Directory.RoleChange.CHANGED);
        assertThat(directory.setRole(group.id(), bob.id(), Member.Role.ADMIN))
            .isEqualTo(Directory.RoleChange.UNCHANGED);
        assertThat(directory.setRole(group.id(), alice.id(), Member.Role.MEMBER))
            .isEqualTo(Directory.RoleChange.CHANGED);
        assertThat(directory.setRole(group.id(), ids.next(), Member.Role.ADMIN))
            .isEqualTo(Directory.RoleChange.NOT_A_MEMBER);

        Conversation now = directory.conversation(group.id()).orElseThrow();
        assertThat(now.member(alice.id()).role()).isEqualTo(Member.Role.MEMBER);
        assertThat(now.member(bob.id()).role()).isEqualTo(Member.Role.ADMIN);
    }

    @Test
    void concurrentDemotionsKeepOneAdmin() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        Conversation group = group("g", alice, bob);
        directory.createGroup(group);
        directory.setRole(group.id(), bob.id(), Member.Role.ADMIN);
        List<Long> admins = List.of(alice.id(), bob.id());

        Race.run(2, i -> directory.setRole(group.id(), admins.get(i), Member.Role.MEMBER));

        assertThat(directory.conversation(group.id()).orElseThrow().roster())
            .filteredOn(Member::isAdmin).hasSize(1);
    }

    @Test
    void groupNameAndDescriptionChange() {
        User alice = createUser("alice");
        Conversation group = group("old", alice);
        directory.createGroup(group);

        assertThat(directory.updateGroup(group.id(), "new", null)).isTrue();
        assertThat(directory.updateGroup(ids.next(), "x", "y")).isFalse();

        Conversation now = directory.conversation(group.id()).orElseThrow();
        assertThat(now.title()).isEqualTo("new");
        assertThat(now.description()).isNull();
    }

    @Test
    void groupOperationsOnADirectConversationOrNoConversationAreRefused() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        Conversation direct = directory.directConversation(alice.id(), bob.id(), ids.next(), T0);

        assertThatThrownBy(() -> directory.addMembers(direct.id(), List.of(member(createUser("carol"), 1)), 9))
            .isInstanceOf(dev.parley.core.ParleyException.class).hasMessageContaining("no such group");
        assertThatThrownBy(() -> directory.removeMember(ids.next(), alice.id(), 1))
            .isInstanceOf(dev.parley.core.ParleyException.class).hasMessageContaining("no such group");
        assertThat(directory.updateGroup(direct.id(), "x", null)).isFalse();
        assertThat(directory.conversation(direct.id()).orElseThrow().members())
            .containsExactlyInAnyOrder(alice.id(), bob.id());
    }

    // ---- helpers

    /** A new group (not stored): the first user is its admin, the others members; everyone joined at seq 1. */
    protected Conversation group(String name, User admin, User... others) {
        List<Member> roster = new ArrayList<>();
        roster.add(new Member(admin.id(), Member.Role.ADMIN, 1, T0));
        for (User u : others) {
            roster.add(new Member(u.id(), Member.Role.MEMBER, 1, T0));
        }
        return new Conversation(ids.next(), Conversation.Kind.GROUP, name, "about " + name, roster, T0);
    }

    // ---- push channels, settings, mutes

    @Test
    void pushRegistrationIsSavedReplacedAndListedPerUser() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        Device phone = createDevice(alice);
        Device browser = createDevice(alice);
        Device bobs = createDevice(bob);
        PushRegistration apns = push(phone, PushKind.APNS, "a1b2c3", "app.parley", null, null);
        PushRegistration web = push(browser, PushKind.WEBPUSH, "https://push.example/s/1", null, "BPk", "au");
        PushRegistration fcm = push(bobs, PushKind.FCM, "fcm-token", null, null, null);
        for (PushRegistration r : List.of(apns, web, fcm)) {
            directory.savePushRegistration(r);
        }

        assertThat(directory.pushRegistrations(List.of(alice.id()))).containsExactlyInAnyOrder(apns, web);
        assertThat(directory.pushRegistrations(List.of(alice.id(), bob.id(), ids.next())))
            .containsExactlyInAnyOrder(apns, web, fcm);
        assertThat(directory.pushRegistrations(List.of())).isEmpty();

        PushRegistration replaced = push(phone, PushKind.FCM, "new-token", null, null, null);
        directory.savePushRegistration(replaced);
        assertThat(directory.pushRegistrations(List.of(alice.id()))).containsExactlyInAnyOrder(replaced, web);
    }

    @Test
    void anAddressBelongsToOneDeviceOnly() {
        User alice = createUser("alice");
        Device oldLogin = createDevice(alice);
        Device newLogin = createDevice(alice);
        directory.savePushRegistration(push(oldLogin, PushKind.APNS, "same-token", "app", null, null));
        PushRegistration again = push(newLogin, PushKind.APNS, "same-token", "app", null, null);

        directory.savePushRegistration(again);

        assertThat(directory.pushRegistrations(List.of(alice.id()))).containsExactly(again);
    }

    @Test
    void pushRegistrationOfAnUnknownDeviceOrAnotherUsersDeviceIsIgnored() {
        User alice = createUser("alice");
        User mallory = createUser("mallory");
        Device phone = createDevice(alice);

        directory.savePushRegistration(new PushRegistration(mallory.id(), phone.id(), PushKind.FCM, "t", null, null,
            null, T0));
        directory.savePushRegistration(new PushRegistration(alice.id(), ids.next(), PushKind.FCM, "u", null, null,
            null, T0));

        assertThat(directory.pushRegistrations(List.of(alice.id(), mallory.id()))).isEmpty();
    }

    @Test
    void deletePushRegistrationOnlyRemovesTheAddressItWasAskedFor() {
        User alice = createUser("alice");
        Device phone = createDevice(alice);
        PushRegistration current = push(phone, PushKind.FCM, "current", null, null, null);
        directory.savePushRegistration(current);

        assertThat(directory.deletePushRegistration(phone.id(), "stale")).isFalse();
        assertThat(directory.pushRegistrations(List.of(alice.id()))).containsExactly(current);
        assertThat(directory.deletePushRegistration(phone.id(), "current")).isTrue();
        assertThat(directory.pushRegistrations(List.of(alice.id()))).isEmpty();

        directory.savePushRegistration(current);
        assertThat(directory.deletePushRegistration(phone.id(), null)).isTrue();
        assertThat(directory.deletePushRegistration(phone.id(), null)).isFalse();
    }

    @Test
    void deleteDeviceRemovesItsPushRegistration() {
        User alice = createUser("alice");
        Device phone = createDevice(alice);
        directory.savePushRegistration(push(phone, PushKind.FCM, "t", null, null, null));

        directory.deleteDevice(alice.id(), phone.id());

        assertThat(directory.pushRegistrations(List.of(alice.id()))).isEmpty();
    }

    @Test
    void pushPreviewsAreOffUntilAllowed() {
        User alice = createUser("alice");
        User bob = createUser("bob");

        assertThat(directory.pushPreviews(List.of(alice.id(), bob.id()))).isEmpty();
        directory.savePushPreviews(alice.id(), true);
        directory.savePushPreviews(bob.id(), true);
        directory.savePushPreviews(bob.id(), false);

        assertThat(directory.pushPreviews(List.of(alice.id(), bob.id(), ids.next()))).containsExactly(alice.id());
        assertThat(directory.pushPreviews(List.of())).isEmpty();
    }

    @Test
    void mutesAreSetChangedAndLifted() {
        User alice = createUser("alice");
        User bob = createUser("bob");
        Conversation conv = directory.directConversation(alice.id(), bob.id(), ids.next(), T0);
        Conversation other = directory.directConversation(alice.id(), createUser("carol").id(), ids.next(), T0);

        directory.saveMute(alice.id(), conv.id(), T0 + 1000);
        directory.saveMute(alice.id(), other.id(), T0 + 5000);
        directory.saveMute(alice.id(), other.id(), T0 + 9000);

        assertThat(directory.mutes(conv.id(), List.of(alice.id(), bob.id()))).isEqualTo(Map.of(alice.id(), T0 + 1000));
        assertThat(directory.mutesOf(alice.id())).isEqualTo(Map.of(conv.id(), T0 + 1000, other.id(), T0 + 9000));
        assertThat(directory.mutesOf(bob.id())).isEmpty();

        directory.saveMute(alice.id(), conv.id(), 0);
        assertThat(directory.mutes(conv.id(), List.of(alice.id()))).isEmpty();
        assertThat(directory.mutesOf(alice.id())).isEqualTo(Map.of(other.id(), T0 + 9000));
    }

    @Test
    void pushSettingsSurviveReopen() {
        User alice = createUser("alice");
        Device phone = createDevice(alice);
        Conversation conv = directory.directConversation(alice.id(), createUser("bob").id(), ids.next(), T0);
        PushRegistration reg = push(phone, PushKind.UNIFIEDPUSH, "https://up.example/x", null, null, null);
        directory.savePushRegistration(reg);
        directory.savePushPreviews(alice.id(), true);
        directory.saveMute(alice.id(), conv.id(), T0 + 1);

        Directory again = reopen();

        assertThat(again.pushRegistrations(List.of(alice.id()))).containsExactly(reg);
        assertThat(again.pushPreviews(List.of(alice.id()))).containsExactly(alice.id());
        assertThat(again.mutesOf(alice.id())).isEqualTo(Map.of(conv.id(), T0 + 1));
    }

    private static PushRegistration push(Device d, PushKind kind, String address, String topic, String p256dh,
                                         String auth) {
        return new PushRegistration(d.userId(), d.id(), kind, address, topic, p256dh, auth, T0);
    }

    /** A plain member joining at {@code joinedSeq}. */
    protected static Member member(User u, long joinedSeq) {
        return new Member(u.id(), Member.Role.MEMBER, joinedSeq, T0 + joinedSeq);
    }

    /** A new user (not stored) with a fresh id. */
    protected User user(String username) {
        return new User(ids.next(), username, "Display " + username, "$argon2id$hash-of-" + username, T0);
    }

    /** Stores and returns a new user. */
    protected User createUser(String username) {
        User u = user(username);
        directory.createUser(u);
        return u;
    }

    /** Stores and returns a new device of the user, with a random token hash. */
    protected Device createDevice(User owner) {
        Device d = new Device(ids.next(), owner.id(), "device", T0);
        directory.createDevice(d, tokenHash());
        return d;
    }

    /** A random 32-byte hash, as SHA-256 of a token would be. */
    protected static byte[] tokenHash() {
        byte[] hash = new byte[32];
        ThreadLocalRandom.current().nextBytes(hash);
        return hash;
    }

    /** Conversations are equal but for the order of their members, which the contract leaves open. */
    protected static void assertSameConversation(Conversation actual, Conversation expected) {
        assertThat(actual.id()).isEqualTo(expected.id());
        assertThat(actual.kind()).isEqualTo(expected.kind());
        assertThat(actual.title()).isEqualTo(expected.title());
        assertThat(actual.createdAt()).isEqualTo(expected.createdAt());
        assertThat(actual.members()).containsExactlyInAnyOrderElementsOf(expected.members());
    }
}
