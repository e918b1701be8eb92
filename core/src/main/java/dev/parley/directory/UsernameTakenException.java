package dev.parley.directory;

import dev.parley.core.ParleyException;
import dev.parley.protocol.ErrorCode;

/** A user with this username (compared lower-case) already exists. */
public final class UsernameTakenException extends ParleyException {
    public UsernameTakenException(String username) {
        super(ErrorCode.USERNAME_TAKEN, "username: \"" + username + "\" is taken");
    }
}
