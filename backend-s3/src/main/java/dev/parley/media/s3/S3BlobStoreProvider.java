package dev.parley.media.s3;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;
import dev.parley.media.BlobStore;
import dev.parley.media.BlobStoreProvider;

/** {@code media.type: s3}: blobs in an S3 bucket; options in {@link S3BlobStoreConfig} and the module README. */
public final class S3BlobStoreProvider implements BlobStoreProvider {
    @Override
    public String type() {
        return "s3";
    }

    @Override
    public BlobStore create(BackendConfig config, Resources resources) {
        return new S3BlobStore(S3BlobStoreConfig.from(config));
    }
}
