package dev.parley.groups;

import dev.parley.core.IdGenerator;
import dev.parley.core.Ids;
import dev.parley.core.ParleyException;
import dev.parley.directory.Conversation;
import dev.parley.directory.ConversationCache;
import dev.parley.directory.Directory;
import dev.parley.directory.GroupFullException;
import dev.parley.directory.Member;
import dev.parley.directory.User;
import dev.parley.messaging.MessageStore;
import dev.parley.messaging.MessagingService;
import dev.parley.messaging.StoredMessage;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.SystemEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates groups and changes their membership, roles and name. Every change is first made in the directory (the
 * durable fact, atomic there), then put in the conversation cache so that fan-out sees it at once, then recorded
 * in the conversation as a system message with its own seq, which every member's device gets like any message.
 *
 * <p>Visibility: a member added now may read from the next seq on (the seq the "added" message gets, or a message
 * sent concurrently just before it); a member who leaves keeps read access up to the message that announced it.
 *
 * <p>All methods block (directory and store I/O): call them from a worker thread. Changes of one group are made one
 * at a time on this node; across nodes the directory's atomic operations keep the rules (size limit, an admin).
 */
public final class GroupService {
    private static final Logger log = LoggerFactory.getLogger(GroupService.class);
    private static final long SYSTEM_MESSAGE_TIMEOUT_SECONDS = 30;
    private static final int NAMES_IN_BODY = 5;

    private final Directory directory;
    private final MessageStore store;
    private final ConversationCache conversations;
    private final MessagingService messaging;
    private final IdGenerator ids;
    private final Clock clock;
    private final GroupsConfig config;
    private final ReentrantLock[] locks = new ReentrantLock[64];

    public GroupService(Directory directory, MessageStore store, ConversationCache conversations,
                        MessagingService messaging, IdGenerator ids, Clock clock, GroupsConfig config) {
        this.directory = directory;
        this.store = store;
        this.conversations = conversations;
        this.messaging = messaging;
        this.ids = ids;
        this.clock = clock;
        this.config = config;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    public int maxMembers() {
        return config.maxMembers();
    }

    /**
     * Creates a group with the caller as its admin and the given users as members. Its first message (seq 1) is the
     * "created" system message.
     *
     * @throws ParleyException {@code bad_request} for a bad name or id, {@code not_found} for an unknown user,
     *                         {@code group_full} when there are more than {@code maxMembers} members
     */
    public Conversation create(long actor, String name, String description, List<String> memberIds) {
        String title = name(name);
        String about = description(description);
        Set<Long> others = userIds("members", memberIds);
        others.remove(actor);
        if (others.size() + 1 > config.maxMembers()) {
            throw GroupFullException.newGroup(others.size() + 1, config.maxMembers());
        }
        Map<Long, User> users = existingUsers(others, actor);
        long now = clock.millis();
        List<Member> roster = new ArrayList<>();
        roster.add(new Member(actor, Member.Role.ADMIN, 1, now));
        for (long u : others) {
            roster.add(new Member(u, Member.Role.MEMBER, 1, now));
        }
        Conversation group = new Conversation(ids.next(), Conversation.Kind.GROUP, title, about, roster, now);
        directory.createGroup(group);
        conversations.reload(group.id());
        List<Long> invited = List.copyOf(others);
        post(group, actor, new SystemEvent(SystemEvent.EVENT_CREATED, Ids.toWire(actor), wire(invited), title, null,
            null), nameOf(users, actor) + " created the group \"" + title + "\"", List.of());
        return group;
    }

    /** The group, for a current member. */
    public Conversation get(long actor, long conversationId) {
        return memberOf(actor, group(conversationId, false));
    }

    /** Renames the group and/or sets its description ({@code null}: unchanged); admins only. */
    public Conversation update(long actor, long conversationId, String name, String description) {
        if (name == null && description == null) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "body: expected name and/or description");
        }
        String title = name == null ? null : name(name);
        String about = description == null ? null : description(description);
        return locked(conversationId, () -> {
            Conversation group = group(conversationId, true);
            admin(actor, group);
            String newTitle = title == null ? group.title() : title;
            String newAbout = description == null ? group.description() : about;
            if (newTitle.equals(group.title()) && Objects.equals(newAbout, group.description())) {
                return group;
            }
            directory.updateGroup(conversationId, newTitle, newAbout);
            Conversation updated = group(conversationId, true);
            Map<Long, User> users = directory.findUsers(List.of(actor));
            String body = title != null && !newTitle.equals(group.title())
                ? nameOf(users, actor) + " renamed the group to \"" + newTitle + "\""
                : nameOf(users, actor) + " changed the group description";
            post(updated, actor, new SystemEvent(SystemEvent.EVENT_UPDATED, Ids.toWire(actor), null, newTitle,
                newAbout, null), body, List.of());
            return updated;
        });
    }

    /**
     * Adds users to the group; admins only. Users who are members already are skipped; when nobody is new nothing
     * is posted.
     */
    public Conversation addMembers(long actor, long conversationId, List<String> userIds) {
        Set<Long> wanted = userIds("userIds", userIds);
        if (wanted.isEmpty()) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "userIds: empty (expected: at least one user id)");
        }
        return locked(conversationId, () -> {
            Conversation group = group(conversationId, true);
            admin(actor, group);
            wanted.removeIf(group::hasMember);
            if (wanted.isEmpty()) {
                return group;
            }
            Map<Long, User> users = existingUsers(wanted, actor);
            long joinedSeq = store.lastSeq(conversationId) + 1;
            long now = clock.millis();
            List<Member> fresh = wanted.stream().map(u -> new Member(u, Member.Role.MEMBER, joinedSeq, now)).toList();
            List<Member> added = directory.addMembers(conversationId, fresh, config.maxMembers());
            Conversation updated = group(conversationId, true);
            if (!added.isEmpty()) {
                List<Long> addedIds = added.stream().map(Member::userId).toList();
                post(updated, actor, new SystemEvent(SystemEvent.EVENT_ADDED, Ids.toWire(actor), wire(addedIds), null,
                    null, null), nameOf(users, actor) + " added " + names(users, addedIds), List.of());
            }
            return updated;
        });
    }

    /**
     * Removes a member (admins), or lets the caller leave ({@code userId == actor}). The removed member's devices get
     * the system message that says so, then nothing more of the group. When the last admin leaves, the member who
     * joined first becomes admin, which is posted too.
     */
    public void removeMember(long actor, long conversationId, long userId) {
        locked(conversationId, () -> {
            Conversation group = group(conversationId, true);
            boolean leaving = userId == actor;
            if (!leaving) {
                admin(actor, group);
            } else {
                memberOf(actor, group);
            }
            if (!group.hasMember(userId)) {
                throw new ParleyException(ErrorCode.NOT_FOUND, "userId: " + userId + " (not a member of the group)");
            }
            long leftSeq = store.lastSeq(conversationId);
            Directory.Removal removal = directory.removeMember(conversationId, userId, leftSeq).orElseThrow(
                () -> new ParleyException(ErrorCode.NOT_FOUND, "userId: " + userId + " (not a member of the group)"));
            Conversation updated = group(conversationId, true);
            Map<Long, User> users = directory.findUsers(removal.promoted() == null
                ? List.of(actor, userId) : List.of(actor, userId, removal.promoted()));
            SystemEvent event = leaving
                ? new SystemEvent(SystemEvent.EVENT_LEFT, Ids.toWire(actor), null, null, null, null)
                : new SystemEvent(SystemEvent.EVENT_REMOVED, Ids.toWire(actor), wire(List.of(userId)), null, null,
                    null);
            String body = leaving ? nameOf(users, actor) + " left"
                : nameOf(users, actor) + " removed " + nameOf(users, userId);
            StoredMessage notice = post(updated, actor, event, body, List.of(userId));
            if (notice != null) {
                directory.extendFormerMember(conversationId, userId, notice.seq());
            }
            if (removal.promoted() != null) {
                long p = removal.promoted();
                post(updated, p, new SystemEvent(SystemEvent.EVENT_ROLE, null, wire(List.of(p)), null, null,
                    Member.Role.ADMIN.wireName()), nameOf(users, p) + " is now an admin", List.of());
            }
            return updated;
        });
    }

    /** Makes a member an admin or a plain member; admins only. Demoting the last admin answers {@code conflict}. */
    public Conversation setRole(long actor, long conversationId, long userId, String role) {
        Member.Role r = Member.Role.fromWire(role);
        if (r == null) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "role: \"" + role + "\" (expected: admin or member)");
        }
        return locked(conversationId, () -> {
            Conversation group = group(conversationId, true);
            admin(actor, group);
            switch (directory.setRole(conversationId, userId, r)) {
                case NOT_A_MEMBER -> throw new ParleyException(ErrorCode.NOT_FOUND,
                    "userId: " + userId + " (not a member of the group)");
                case LAST_ADMIN -> throw new ParleyException(ErrorCode.CONFLICT,
                    "role: " + userId + " is the group's only admin (make another member admin first)");
                case UNCHANGED -> {
                    return group;
                }
                case CHANGED -> {
                    // posted below
                }
            }
            Conversation updated = group(conversationId, true);
            Map<Long, User> users = directory.findUsers(List.of(actor, userId));
            String body = r == Member.Role.ADMIN
                ? nameOf(users, actor) + " made " + nameOf(users, userId) + " an admin"
                : nameOf(users, actor) + " dismissed " + nameOf(users, userId) + " as admin";
            post(updated, actor, new SystemEvent(SystemEvent.EVENT_ROLE, Ids.toWire(actor), wire(List.of(userId)),
                null, null, r.wireName()), body, List.of());
            return updated;
        });
    }

    // ---- helpers

    private <T> T locked(long conversationId, Supplier<T> work) {
        ReentrantLock lock = locks[(int) Math.floorMod(conversationId ^ (conversationId >>> 32), locks.length)];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The group; with {@code fresh} read from the directory rather than the cache (before a change).
     *
     * @throws ParleyException {@code not_found} if there is no such group
     */
    private Conversation group(long conversationId, boolean fresh) {
        var found = fresh ? conversations.reload(conversationId) : conversations.get(conversationId);
        return found.filter(Conversation::isGroup).orElseThrow(() -> new ParleyException(ErrorCode.NOT_FOUND,
            "conversation: " + conversationId + " (no such group)"));
    }

    private static Conversation memberOf(long actor, Conversation group) {
        if (!group.hasMember(actor)) {
            throw new ParleyException(ErrorCode.FORBIDDEN, "conversation: " + group.id() + " (you are not a member)");
        }
        return group;
    }

    private static void admin(long actor, Conversation group) {
        Member m = memberOf(actor, group).member(actor);
        if (!m.isAdmin()) {
            throw new ParleyException(ErrorCode.FORBIDDEN, "conversation: " + group.id() + " (only admins may do this)");
        }
    }

    /** Stores and delivers a system message, waiting until it is durable; null (logged) if it could not be. */
    private StoredMessage post(Conversation group, long actor, SystemEvent event, String body, Collection<Long> alsoTo) {
        try {
            return messaging.postSystem(group, actor, event, body, alsoTo)
                .get(SYSTEM_MESSAGE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // The change itself is durable in the directory; only its notice in the conversation is missing.
            log.warn("group {}: the system message \"{}\" was not stored", group.id(), body, e);
        }
        return null;
    }

    private static String name(String name) {
        if (name == null) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "name: missing");
        }
        String t = name.strip();
        int n = t.codePointCount(0, t.length());
        if (n < 1 || n > GroupsConfig.MAX_NAME_CODE_POINTS) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "name: " + n + " characters (expected: 1.."
                + GroupsConfig.MAX_NAME_CODE_POINTS + ")");
        }
        return t;
    }

    private static String description(String description) {
        if (description == null) {
            return null;
        }
        int n = description.codePointCount(0, description.length());
        if (n > GroupsConfig.MAX_DESCRIPTION_CODE_POINTS) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, "description: " + n + " characters (expected: at most "
                + GroupsConfig.MAX_DESCRIPTION_CODE_POINTS + ")");
        }
        return description.isEmpty() ? null : description;
    }

    private static Set<Long> userIds(String field, List<String> wireIds) {
        if (wireIds == null) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, field + ": missing (expected: a list of user ids)");
        }
        Set<Long> result = new LinkedHashSet<>();
        for (String id : wireIds) {
            result.add(Ids.parse(field, id));
        }
        return result;
    }

    /** The users, plus the actor; {@code not_found} naming the first id that does not exist. */
    private Map<Long, User> existingUsers(Collection<Long> userIds, long actor) {
        List<Long> all = new ArrayList<>(userIds);
        all.add(actor);
        Map<Long, User> found = directory.findUsers(all);
        for (long u : userIds) {
            if (!found.containsKey(u)) {
                throw new ParleyException(ErrorCode.NOT_FOUND, "members: " + Ids.toWire(u) + " (no such user)");
            }
        }
        return found;
    }

    private static List<String> wire(List<Long> userIds) {
        return userIds.stream().map(Ids::toWire).toList();
    }

    private static String nameOf(Map<Long, User> users, long userId) {
        User u = users.get(userId);
        if (u == null) {
            return "someone";
        }
        return u.displayName() == null || u.displayName().isBlank() ? u.username() : u.displayName();
    }

    /** "Bob", "Bob and Carol", "Bob, Carol and Dave", or the first few and "and 12 others". */
    private static String names(Map<Long, User> users, List<Long> userIds) {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < userIds.size() && i < NAMES_IN_BODY; i++) {
            shown.add(nameOf(users, userIds.get(i)));
        }
        int rest = userIds.size() - shown.size();
        if (rest > 0) {
            return String.join(", ", shown) + " and " + rest + (rest == 1 ? " other" : " others");
        }
        if (shown.size() == 1) {
            return shown.get(0);
        }
        return String.join(", ", shown.subList(0, shown.size() - 1)) + " and " + shown.get(shown.size() - 1);
    }
}
