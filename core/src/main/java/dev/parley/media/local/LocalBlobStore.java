package dev.parley.media.local;

import dev.parley.core.StorageException;
import dev.parley.media.BlobStore;
import dev.parley.media.OffsetMismatchException;
import dev.parley.media.UploadTooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Blobs as files under a root directory: {@code blobs/ab/abcd...} (the first two hex digits fan the files out over
 * 256 directories) and uploads in progress as {@code staging/<uploadId>}. Every name is checked against
 * {@link BlobStore#KEY} or is a number, so no input can reach outside the root. A blob appears by an atomic rename
 * of a finished file, so readers never see half of one. Appends are forced to disk before they count, so an
 * upload resumes from bytes that survived a crash.
 */
public final class LocalBlobStore implements BlobStore {
    private static final int BUFFER = 64 * 1024;

    private final Path blobs;
    private final Path staging;

    public LocalBlobStore(Path root) {
        this.blobs = root.resolve("blobs");
        this.staging = root.resolve("staging");
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw new StorageException("media: cannot create " + root, e);
        }
    }

    private Path blob(String key) {
        BlobStore.checkKey(key);
        return blobs.resolve(key.substring(0, 2)).resolve(key);
    }

    private Path staged(long uploadId) {
        return staging.resolve(Long.toString(BlobStore.checkUpload(uploadId)));
    }

    @Override
    public long stagedLength(long uploadId) {
        try {
            return Files.size(staged(uploadId));
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new StorageException("media: cannot read upload " + uploadId, e);
        }
    }

    @Override
    public synchronized long append(long uploadId, long offset, InputStream content, long maxLength) {
        Path file = staged(uploadId);
        long have = stagedLength(uploadId);
        if (offset != have) {
            throw new OffsetMismatchException(offset, have);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.position(have);
            long written = have;
            byte[] buf = new byte[BUFFER];
            try {
                int n;
                while ((n = content.read(buf)) > 0) {
                    int take = (int) Math.min(n, maxLength - written);
                    if (take > 0) {
                        ch.write(java.nio.ByteBuffer.wrap(buf, 0, take));
                        written += take;
                    }
                    if (take < n) {
                        throw new UploadTooLargeException(maxLength);
                    }
                }
            } finally {
                ch.force(false); // what arrived before a broken stream stays, for the client to resume after it
            }
            return written;
        } catch (IOException e) {
            throw new StorageException("media: writing upload " + uploadId + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean supportsResume() {
        return true;
    }

    @Override
    public InputStream openStaged(long uploadId) {
        try {
            return Files.newInputStream(staged(uploadId));
        } catch (NoSuchFileException e) {
            return InputStream.nullInputStream();
        } catch (IOException e) {
            throw new StorageException("media: cannot read upload " + uploadId, e);
        }
    }

    @Override
    public void commit(long uploadId, String key) {
        Path from = staged(uploadId);
        Path to = blob(key);
        try {
            Files.createDirectories(to.getParent());
            if (Files.exists(to)) {
                Files.deleteIfExists(from); // the same bytes are stored already
                return;
            }
            if (!Files.exists(from)) {
                throw new NoSuchElementException("upload " + uploadId + ": nothing staged");
            }
            move(from, to);
        } catch (IOException e) {
            throw new StorageException("media: cannot store upload " + uploadId + " as " + key, e);
        }
    }

    /** Renames atomically; if another writer got there first with the same content, drops ours. */
    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(from);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the media directory must allow atomic renames (one file system)", e);
        }
    }

    @Override
    public void discard(long uploadId) {
        try {
            Files.deleteIfExists(staged(uploadId));
        } catch (IOException e) {
            throw new StorageException("media: cannot delete upload " + uploadId, e);
        }
    }

    @Override
    public void put(String key, byte[] content) {
        Path to = blob(key);
        if (Files.exists(to)) {
            return;
        }
        Path tmp = staging.resolve("put-" + UUID.randomUUID());
        try {
            Files.createDirectories(to.getParent());
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW);
                 FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                out.write(content);
                out.flush();
                ch.force(false);
            }
            move(tmp, to);
        } catch (IOException e) {
            throw new StorageException("media: cannot store " + key, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    @Override
    public OptionalLong length(String key) {
        try {
            return OptionalLong.of(Files.size(blob(key)));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new StorageException("media: cannot read " + key, e);
        }
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        Path file = blob(key);
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            if (offset < 0 || length < 0 || offset + length > ch.size()) {
                long size = ch.size();
                ch.close();
                throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + size + " bytes");
            }
            ch.position(offset);
            return new BoundedInputStream(Channels.newInputStream(ch), length);
        } catch (NoSuchFileException e) {
            throw new NoSuchElementException("no blob " + key);
        } catch (IOException e) {
            throw new StorageException("media: cannot read " + key, e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            Files.deleteIfExists(blob(key));
        } catch (IOException e) {
            throw new StorageException("media: cannot delete " + key, e);
        }
    }

    /** At most {@code left} bytes of a stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInputStream(InputStream in, long left) {
            this.in = in;
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    @Override
    public String toString() {
        return "LocalBlobStore[" + blobs.getParent() + "]";
    }
}
