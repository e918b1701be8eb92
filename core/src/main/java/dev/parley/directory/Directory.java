package dev.parley.directory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Users, devices, conversations, memberships and per-device sync cursors.
 *
 * <p>Contract, checked by {@code DirectoryContract} in {@code testkit} for every implementation:
 * <ul>
 *   <li>Every method MAY block (I/O): callers MUST NOT call it on an event loop thread.</li>
 *   <li>Every method is thread-safe and each call is atomic.</li>
 *   <li>Usernames are given lower-case; {@link #createUser} MUST fail with {@link UsernameTakenException} when the
 *       name exists, and MUST NOT create a second user under any interleaving.</li>
 *   <li>{@link #directConversation} MUST return the same conversation for a pair of users in either order, even when
 *       called concurrently from several threads (or nodes).</li>
 *   <li>{@link #saveCursors} and {@link #saveReceipts} MUST only move positions forward: a lower {@code seq} than
 *       stored is ignored.</li>
 *   <li>Failures of the backend surface as {@link dev.parley.core.StorageException}, never as driver exceptions.</li>
 * </ul>
 */
public interface Directory extends AutoCloseable {

    /** Stores a new user; fails with {@link UsernameTakenException} if the username exists. */
    void createUser(User user);

    Optional<User> findUser(long userId);

    /** Looks a user up by lower-case username. */
    Optional<User> findUserByUsername(String username);

    /** The users among these ids that exist. */
    Map<Long, User> findUsers(Collection<Long> userIds);

    /** Stores a new device with the SHA-256 hash of its token. */
    void createDevice(Device device, byte[] tokenHash);

    /** The device whose token has this SHA-256 hash, if it exists (revoked devices do not). */
    Optional<Device> findDeviceByTokenHash(byte[] tokenHash);

    /** A user's devices, oldest first. */
    List<Device> devices(long userId);

    /** Deletes a device of this user (and its token and cursors); false if there was none. */
    boolean deleteDevice(long userId, long deviceId);

    /**
     * The direct conversation of two distinct users, created with id {@code newId} if it does not exist yet.
     * Idempotent and race-free: concurrent callers for one pair all get the same conversation.
     */
    Conversation directConversation(long userA, long userB, long newId, long now);

    Optional<Conversation> conversation(long conversationId);

    /** The conversations a user is a member of, in no particular order. */
    List<Conversation> conversationsOf(long userId);

    /** A device's sync cursors: conversation id to the highest seq it acknowledged. Absent means 0. */
    Map<Long, Long> cursors(long deviceId);

    /** Moves cursors forward (never back), in one batch. Cursors of deleted devices are ignored. */
    void saveCursors(Collection<SyncCursor> cursors);

    /** The receipt positions of a conversation's members, by user id; members without one are absent. */
    Map<Long, ReceiptPosition> receipts(long conversationId);

    /** A user's receipt positions, by conversation id. */
    Map<Long, ReceiptPosition> receiptsOf(long userId);

    /** Moves receipt positions forward, each column independently (never back), in one batch. */
    void saveReceipts(Collection<ReceiptPosition> positions);

    /** Stores when a user was last online (epoch ms); only moves forward. */
    void saveLastSeen(long userId, long lastSeen);

    /** Presence settings of these users (absent: never seen, default privacy). */
    Map<Long, PresenceSettings> presenceSettings(Collection<Long> userIds);

    /** Sets who may see a user's last seen and online status. */
    void savePrivacy(long userId, PresenceSettings.Visibility lastSeen);

    @Override
    void close();
}
