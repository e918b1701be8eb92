package dev.parley.directory;

import java.util.Locale;

/**
 * A current member of a conversation.
 *
 * @param joinedSeq the first seq the member may read: messages below it were sent before it joined (0 for direct
 *                  conversations and group founders, who see everything)
 * @param joinedAt  when it joined, epoch ms
 */
public record Member(long userId, Role role, long joinedSeq, long joinedAt) {
    public Member {
        if (role == null) {
            throw new IllegalArgumentException("role: null");
        }
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    public Member withRole(Role newRole) {
        return new Member(userId, newRole, joinedSeq, joinedAt);
    }

    /** What a member may do in a group: admins manage members and the group's name. */
    public enum Role {
        ADMIN, MEMBER;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The role of a wire name, or {@code null} if there is none. */
        public static Role fromWire(String name) {
            for (Role r : values()) {
                if (r.wireName().equals(name)) {
                    return r;
                }
            }
            return null;
        }
    }
}
