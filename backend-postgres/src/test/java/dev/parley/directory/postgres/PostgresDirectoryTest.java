package dev.parley.directory.postgres;

import dev.parley.directory.Directory;
import dev.parley.directory.DirectoryContract;
import dev.parley.testkit.PostgresExtension;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;

/** The directory contract against a real PostgreSQL: each test's {@code dir} is a database of its own. */
@ExtendWith(PostgresExtension.class)
class PostgresDirectoryTest extends DirectoryContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    /** The database of each {@code dir} this test opened: opening the same dir again is a restart. */
    private final Map<Path, String> urls = new HashMap<>();

    @Override
    protected Directory newDirectory(Path dir) {
        PostgresExtension.Server pg = PostgresExtension.server();
        String url = urls.computeIfAbsent(dir, d -> pg.createDatabase("directory_" + DATABASES.incrementAndGet()));
        return new PostgresDirectory(PostgresDirectoryConfig.of(url, pg.user(), pg.password()));
    }
}
