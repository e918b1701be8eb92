package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a system message of a group records (a membership or name change), so that every device shows the same
 * history. The message's {@code body} is a readable English rendering; clients may render their own from these
 * fields.
 *
 * @param event       one of the {@code EVENT_*} names
 * @param actor       the user who made the change; absent for changes the server made (an automatic promotion)
 * @param users       the users it concerns (added, removed, promoted or demoted), when any
 * @param name        the group name, for {@code created} and {@code updated}
 * @param description the group description, for {@code updated}
 * @param role        the new role, for {@code role}: {@code admin} or {@code member}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SystemEvent(String event, String actor, List<String> users, String name, String description,
                          String role) {
    public static final String EVENT_CREATED = "created";
    public static final String EVENT_ADDED = "added";
    public static final String EVENT_REMOVED = "removed";
    public static final String EVENT_LEFT = "left";
    public static final String EVENT_ROLE = "role";
    public static final String EVENT_UPDATED = "updated";

    public SystemEvent {
        users = users == null ? null : List.copyOf(users);
    }
}
