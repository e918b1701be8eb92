package dev.parley.media;

import dev.parley.media.local.LocalBlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** The embedded blob store passes the blob store contract on real files. */
class LocalBlobStoreTest extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
        try {
            return new LocalBlobStore(Files.createTempDirectory("parley-blobs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
