package dev.parley.groups;

/**
 * Settings of groups.
 *
 * @param maxMembers the largest a group may be, creator included (WhatsApp's limit, 1024, by default)
 */
public record GroupsConfig(int maxMembers) {
    public static final int DEFAULT_MAX_MEMBERS = 1024;
    public static final int MAX_NAME_CODE_POINTS = 100;
    public static final int MAX_DESCRIPTION_CODE_POINTS = 1000;

    public GroupsConfig {
        if (maxMembers < 2) {
            throw new IllegalArgumentException("maxMembers: " + maxMembers + " (expected: >= 2)");
        }
    }

    public static GroupsConfig defaults() {
        return new GroupsConfig(DEFAULT_MAX_MEMBERS);
    }
}
