package dev.parley.client;

import java.util.List;

/**
 * A group conversation ({@code POST /v1/groups}, {@code GET /v1/groups/{id}}).
 *
 * @param conversationId the group's conversation id
 * @param name           the group name
 * @param description    the group description, or {@code null}
 * @param members        the current members
 */
public record GroupInfo(String conversationId, String name, String description, List<GroupMember> members) {
    /** Copies {@code members} into an unmodifiable list. */
    public GroupInfo {
        members = List.copyOf(members);
    }

    /** The members' user ids. */
    public List<String> memberIds() {
        return members.stream().map(GroupMember::userId).toList();
    }

    /** The user ids of the admins. */
    public List<String> adminIds() {
        return members.stream().filter(m -> "admin".equals(m.role())).map(GroupMember::userId).toList();
    }
}
