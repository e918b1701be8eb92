package dev.parley.directory;

import dev.parley.core.ParleyException;
import dev.parley.protocol.ErrorCode;

/** Adding these members would make the group larger than its limit; nothing was changed. */
public final class GroupFullException extends ParleyException {
    public GroupFullException(long conversationId, int members, int adding, int max) {
        super(ErrorCode.GROUP_FULL, "members: the group " + conversationId + " has " + members + " members; adding "
            + adding + " would exceed the limit of " + max);
    }
}
