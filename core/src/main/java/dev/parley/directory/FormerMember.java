package dev.parley.directory;

/**
 * A user who left a group (or was removed) and did not rejoin: it may still read the messages it could see while it
 * was a member, {@code joinedSeq <= seq <= leftSeq}, and nothing sent later.
 *
 * @param leftSeq the seq of the message that announced its departure (or, if that was not stored, the last seq
 *                before it)
 */
public record FormerMember(long conversationId, long userId, long joinedSeq, long leftSeq) {
}
