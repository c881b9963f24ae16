package io.github.xent4j.cli.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An output file that appears under its name only once it is complete.
 *
 * <p>The data goes to a hidden temporary file in the target's directory ({@code .NAME.RANDOM.tmp});
 * {@link #commit()} flushes it to disk and renames it over the target (atomically where the file
 * system allows, otherwise by replacing). {@link #close()} without a commit deletes the temporary
 * file, so a failure never leaves a half-written or stale output behind:
 *
 * <pre>{@code
 * try (AtomicOutput out = AtomicOutput.create(Path.of("losses.csv"))) {
 *     out.stream().write(bytes);
 *     out.commit();
 * }
 * }</pre>
 *
 * <p>Write through either {@link #stream()} or {@link #channel()}; the stream is flushed whenever the
 * channel is asked for. Not thread-safe.
 */
public final class AtomicOutput implements AutoCloseable {

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private BufferedOutputStream stream;
    private boolean committed;
    private boolean closed;

    private AtomicOutput(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
    }

    /**
     * Creates the temporary file next to {@code target}.
     *
     * @param target the final path; its directory must exist; an existing file there is replaced
     *               on commit
     * @return the open output
     * @throws DataException if the target is a directory or the temporary file cannot be created
     */
    public static AtomicOutput create(Path target) {
        if (Files.isDirectory(target)) {
            throw DataException.at(target, "cannot write: it is a directory");
        }
        Path fileName = target.getFileName();
        if (fileName == null) {
            throw DataException.at(target, "cannot write: not a file name");
        }
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw DataException.at(target, "cannot write: the directory " + dir + " does not exist");
        }
        for (int attempt = 0; ; attempt++) {
            String name = "." + fileName + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
            Path temp = dir == null ? Path.of(name) : dir.resolve(name);
            try {
                // CREATE_NEW without attributes: the final file gets the usual umask permissions.
                FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new AtomicOutput(target, temp, channel);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw DataException.io(target, "write", e);
                }
            } catch (IOException e) {
                throw DataException.io(target, "write", e);
            }
        }
    }

    /** The path the file will have after {@link #commit()}. */
    public Path target() {
        return target;
    }

    /** The temporary file being written. */
    public Path tempFile() {
        return temp;
    }

    /**
     * A buffered stream into the temporary file. Closing it only flushes it; {@link #commit()} and
     * {@link #close()} manage the file.
     */
    public OutputStream stream() {
        checkOpen();
        if (stream == null) {
            stream = new BufferedOutputStream(new OutputStream() {
                private final OutputStream raw = Channels.newOutputStream(channel);

                @Override
                public void write(int b) throws IOException {
                    raw.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    raw.write(b, off, len);
                }

                @Override
                public void close() {
                    // the channel belongs to AtomicOutput
                }
            }, 1 << 16) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }
        return stream;
    }

    /** The channel of the temporary file, positioned after everything written so far. */
    public FileChannel channel() {
        checkOpen();
        flushStream();
        return channel;
    }

    /**
     * Flushes the data to disk and renames the temporary file to the target.
     *
     * @throws DataException if flushing or renaming fails; the temporary file is then deleted
     * @throws IllegalStateException if already committed or closed
     */
    public void commit() {
        checkOpen();
        try {
            flushStream();
            channel.force(false);
            channel.close();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            committed = true;
        } catch (IOException | RuntimeException e) {
            close();
            if (e instanceof DataException) {
                throw (DataException) e;
            }
            throw e instanceof IOException ? DataException.io(target, "write", (IOException) e)
                    : new DataException(target + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Whether {@link #commit()} succeeded. */
    public boolean isCommitted() {
        return committed;
    }

    /** Deletes the temporary file unless the output was committed. Idempotent; never throws. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (committed) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // the file is deleted below; there is nothing left to save
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // best effort: a leftover hidden .tmp file is harmless
        }
    }

    private void flushStream() {
        if (stream != null) {
            try {
                stream.flush();
            } catch (IOException e) {
                throw DataException.io(target, "write", e);
            }
        }
    }

    private void checkOpen() {
        if (committed || closed) {
            throw new IllegalStateException("output to " + target + " is already " + (committed ? "committed" : "closed"));
        }
    }
}
