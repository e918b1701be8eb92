package dev.parley.media.sqlite;

import dev.parley.media.MediaIndex;
import dev.parley.media.MediaIndexContract;
import dev.parley.sqlite.SqliteDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** The SQLite media index passes the media index contract on a real file. */
class SqliteMediaIndexTest extends MediaIndexContract {
    @Override
    protected MediaIndex newIndex() {
        try {
            return new SqliteMediaIndex(Files.createTempDirectory("parley-media").resolve("media.db"),
                SqliteDatabase.Synchronous.NORMAL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
