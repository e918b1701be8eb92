package dev.parley.directory;

import dev.parley.push.PushRegistration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
 *   <li>Group membership changes are atomic, also against other nodes: {@link #addMembers} never lets a group grow
 *       past its limit, and {@link #removeMember} and {@link #setRole} never leave a group with members but no
 *       admin.</li>
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

    /** Deletes a device of this user (and its token, cursors and push channel); false if there was none. */
    boolean deleteDevice(long userId, long deviceId);

    /**
     * The direct conversation of two distinct users, created with id {@code newId} if it does not exist yet.
     * Idempotent and race-free: concurrent callers for one pair all get the same conversation.
     */
    Conversation directConversation(long userA, long userB, long newId, long now);

    Optional<Conversation> conversation(long conversationId);

    /** The conversations a user is a member of, in no particular order. */
    List<Conversation> conversationsOf(long userId);

    /** Stores a new group conversation with its members, of whom at least one is an admin. */
    void createGroup(Conversation group);

    /**
     * Adds members to a group, all or nothing. Users who are members already are skipped; a former member who is
     * added again becomes a current member with the new {@code joinedSeq} (and its former membership is dropped).
     *
     * @return the members added
     * @throws GroupFullException if the group would then have more than {@code maxMembers} members
     * @throws dev.parley.core.ParleyException {@code not_found} if there is no such group
     */
    List<Member> addMembers(long conversationId, List<Member> members, int maxMembers);

    /**
     * Removes a member of a group, which keeps read access up to {@code leftSeq} as a {@link FormerMember}. When it
     * was the last admin, the member who joined first (then the lowest user id) becomes admin in the same
     * transaction.
     *
     * @return what changed, or empty if the user was not a member
     */
    Optional<Removal> removeMember(long conversationId, long userId, long leftSeq);

    /** Moves a former member's {@code leftSeq} forward (to the seq of the message that announced the departure). */
    void extendFormerMember(long conversationId, long userId, long leftSeq);

    /**
     * Gives a member another role. Demoting the last admin is refused.
     *
     * @return {@link RoleChange#CHANGED}, or why nothing was changed
     */
    RoleChange setRole(long conversationId, long userId, Member.Role role);

    /** Sets a group's name and description; false if there is no such group. */
    boolean updateGroup(long conversationId, String title, String description);

    /** The former membership of a user in a conversation, if it left (or was removed) and did not rejoin. */
    Optional<FormerMember> formerMember(long conversationId, long userId);

    /** Every former membership of a user, in no particular order. */
    List<FormerMember> formerMemberships(long userId);

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

    /**
     * Sets a device's push channel, replacing the one it had. The same address registered by another device before
     * (an app reinstalled and logged in again) is taken from that device, so one phone is not woken twice. Ignored
     * when the device does not exist (or is not the user's).
     */
    void savePushRegistration(PushRegistration registration);

    /**
     * Removes a device's push channel. With an {@code address}, only if the channel still is that one: a
     * registration replaced meanwhile is kept.
     *
     * @return whether one was removed
     */
    boolean deletePushRegistration(long deviceId, String address);

    /** The push channels of these users' devices, in no particular order. */
    List<PushRegistration> pushRegistrations(Collection<Long> userIds);

    /** Sets whether push notifications to this user may carry message text. */
    void savePushPreviews(long userId, boolean previews);

    /** The users among these who allowed message text in their push notifications (default: not). */
    Set<Long> pushPreviews(Collection<Long> userIds);

    /** Mutes a conversation for a user until {@code until} (epoch ms); 0 unmutes. */
    void saveMute(long userId, long conversationId, long until);

    /** When these users' mutes of a conversation end (epoch ms), by user id; users without one are absent. */
    Map<Long, Long> mutes(long conversationId, Collection<Long> userIds);

    /** A user's mutes, by conversation id (epoch ms when each ends). */
    Map<Long, Long> mutesOf(long userId);

    @Override
    void close();

    /**
     * The outcome of {@link #removeMember}.
     *
     * @param removed  the membership that ended
     * @param promoted the user who became admin because the last admin left, or {@code null}
     */
    record Removal(Member removed, Long promoted) {
    }

    /** The outcome of {@link #setRole}. */
    enum RoleChange {
        CHANGED, UNCHANGED, NOT_A_MEMBER, LAST_ADMIN
    }
}
