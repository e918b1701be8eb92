package dev.parley.directory.sqlite;

import dev.parley.directory.Directory;
import dev.parley.directory.DirectoryContract;
import java.nio.file.Path;

class SqliteDirectoryTest extends DirectoryContract {
    @Override
    protected Directory newDirectory(Path dir) {
        return new SqliteDirectory(dir.resolve("directory.db"));
    }
}
