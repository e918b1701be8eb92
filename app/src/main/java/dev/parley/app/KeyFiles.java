package dev.parley.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Supplier;

/** Secrets the server makes on first start and keeps in the data directory (media signing key, VAPID key pair). */
final class KeyFiles {
    private KeyFiles() {
    }

    /**
     * The file's text; on first use {@code make} is written there atomically (two nodes or processes starting at once
     * on one data directory keep the same key).
     */
    static String readOrCreate(Path file, String what, Supplier<String> make) {
        try {
            if (!Files.exists(file)) {
                Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(),
                    ".tmp");
                Files.writeString(tmp, make.get());
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException e) {
                    Files.deleteIfExists(tmp);
                }
            }
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": cannot read or create " + file, e);
        }
    }
}
