package dev.parley.accounts;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/** Argon2id password hashing (Password4j), PHC string format so that parameters can change later. */
public final class Passwords {
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;

    private final Argon2Function function;
    private final String dummyHash;

    public Passwords(AccountsConfig config) {
        this.function = Argon2Function.getInstance(config.argon2MemoryKib(), config.argon2Iterations(),
            config.argon2Parallelism(), HASH_BYTES, Argon2.ID);
        this.dummyHash = hash("parley-dummy-password");
    }

    public String hash(String password) {
        return Password.hash(password).addRandomSalt(SALT_BYTES).with(function).getResult();
    }

    /** Whether the password matches the stored hash (made with any Argon2 parameters). */
    public boolean verify(String password, String storedHash) {
        return Password.check(password, storedHash).with(Argon2Function.getInstanceFromHash(storedHash));
    }

    /** Spends the time of a verification, so that unknown usernames are not told apart by timing. */
    public void burn(String password) {
        verify(password, dummyHash);
    }
}
