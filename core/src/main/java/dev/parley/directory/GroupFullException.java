package dev.parley.directory;

import dev.parley.core.ParleyException;
import dev.parley.protocol.ErrorCode;

/** Adding these members would make the group larger than its limit; nothing was changed. */
public final class GroupFullException extends ParleyException {
    public GroupFullException(long conversationId, int members, int adding, int max) {
        this("members: the group " + conversationId + " has " + members + " members; adding " + adding
            + " would exceed the limit of " + max);
    }

    private GroupFullException(String message) {
        super(ErrorCode.GROUP_FULL, message);
    }

    /** A new group would have more members than allowed. */
    public static GroupFullException newGroup(int members, int max) {
        return new GroupFullException("members: a group of " + members + " members (creator included) would exceed"
            + " the limit of " + max);
    }
}
