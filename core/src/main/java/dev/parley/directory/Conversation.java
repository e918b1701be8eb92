package dev.parley.directory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A conversation and its current members. Immutable; membership lookups are O(1), so that a send or receipt in a
 * group of a thousand members does not scan the list.
 */
public final class Conversation {
    private final long id;
    private final Kind kind;
    private final String title;
    private final String description;
    private final long createdAt;
    private final List<Member> roster;
    private final List<Long> memberIds;
    private final Map<Long, Member> byUser;

    /**
     * @param kind        {@link Kind#DIRECT} (exactly two members, one per pair of users) or {@link Kind#GROUP}
     * @param title       the group name; {@code null} for direct conversations
     * @param description the group description, or {@code null}
     * @param roster      the current members, in no particular order
     */
    public Conversation(long id, Kind kind, String title, String description, List<Member> roster, long createdAt) {
        this.id = id;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.title = title;
        this.description = description;
        this.createdAt = createdAt;
        this.roster = List.copyOf(roster);
        Map<Long, Member> index = new HashMap<>(Math.max(4, roster.size() * 2));
        List<Long> ids = new ArrayList<>(roster.size());
        for (Member m : this.roster) {
            if (index.put(m.userId(), m) != null) {
                throw new IllegalArgumentException("roster: user " + m.userId() + " listed twice");
            }
            ids.add(m.userId());
        }
        this.byUser = Collections.unmodifiableMap(index);
        this.memberIds = Collections.unmodifiableList(ids);
    }

    /** A direct conversation of two users, who both see everything. */
    public static Conversation direct(long id, long userA, long userB, long createdAt) {
        return new Conversation(id, Kind.DIRECT, null, null, List.of(
            new Member(userA, Member.Role.MEMBER, 0, createdAt),
            new Member(userB, Member.Role.MEMBER, 0, createdAt)), createdAt);
    }

    public long id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isGroup() {
        return kind == Kind.GROUP;
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    public long createdAt() {
        return createdAt;
    }

    /** The current members with their roles. */
    public List<Member> roster() {
        return roster;
    }

    /** The user ids of the current members. */
    public List<Long> members() {
        return memberIds;
    }

    public boolean hasMember(long userId) {
        return byUser.containsKey(userId);
    }

    /** The member entry of a user, or {@code null} if it is not a member. */
    public Member member(long userId) {
        return byUser.get(userId);
    }

    public int size() {
        return roster.size();
    }

    /** A copy with another roster (after a membership change). */
    public Conversation withRoster(List<Member> newRoster) {
        return new Conversation(id, kind, title, description, newRoster, createdAt);
    }

    /** A copy with another name and description. */
    public Conversation withDetails(String newTitle, String newDescription) {
        return new Conversation(id, kind, newTitle, newDescription, roster, createdAt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Conversation c && id == c.id && createdAt == c.createdAt && kind == c.kind
            && Objects.equals(title, c.title) && Objects.equals(description, c.description)
            && byUser.equals(c.byUser);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return "Conversation[id=" + id + ", kind=" + kind + ", title=" + title + ", members=" + roster.size() + "]";
    }

    public enum Kind {
        DIRECT, GROUP;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
