package io.github.xent4j.cli.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An output file that appears under its name only once it is complete.
 *
 * <p>The data goes to a hidden temporary file in the target's directory
 * ({@code .NAME.PID-RANDOM.tmp}, PID being this process); {@link #commit()} flushes it to disk and
 * renames it over the target (atomically where the file system allows, otherwise by replacing).
 * {@link #close()} without a commit deletes the temporary file, so a failure never leaves a
 * half-written or stale output behind:
 *
 * <pre>{@code
 * try (AtomicOutput out = AtomicOutput.create(Path.of("losses.csv"))) {
 *     out.stream().write(bytes);
 *     out.commit();
 * }
 * }</pre>
 *
 * <p>An interrupted run (SIGINT, SIGTERM) cleans up too: a shutdown hook deletes the temporary
 * files that are still open. A run that could not clean up (SIGKILL, a power cut) leaves its
 * temporary file, and the next output to the same name deletes it: {@link #create(Path)} removes
 * the temporaries of that name whose process is no longer alive (and those of the older
 * {@code .NAME.RANDOM.tmp} form not modified for a minute). Nothing else in the directory is
 * touched.
 *
 * <p>Every file the command line writes for the user goes through this class. Write through either
 * {@link #stream()} or {@link #channel()}; the stream is flushed whenever the channel is asked for.
 * Not thread-safe.
 */
public final class AtomicOutput implements AutoCloseable {

    /** The temporary files of this process not yet committed or closed, for the shutdown hook. */
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
    private static final long PID = ProcessHandle.current().pid();
    /** A temporary file of the older form, without the process id, is stale after this long untouched. */
    private static final long LEGACY_STALE_MILLIS = 60_000;

    static {
        Thread hook = new Thread(AtomicOutput::deleteLive, "xent-atomic-output-cleanup");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already exiting: outputs created now are closed by their owners or not at all
        }
    }

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
        Path folder = dir == null ? Path.of("") : dir;
        deleteStale(folder, fileName.toString());
        for (int attempt = 0; ; attempt++) {
            String name = "." + fileName + "." + PID + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
            Path temp = folder.resolve(name);
            try {
                // CREATE_NEW without attributes: the final file gets the usual umask permissions.
                FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                LIVE.add(temp);
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

    /**
     * Deletes the temporary files for {@code name} in {@code dir} left by runs that ended without
     * cleaning up: those of a process that is no longer alive, and those of the older form without a
     * process id that nothing has written to for a minute. Best effort; never throws.
     */
    static void deleteStale(Path dir, String name) {
        Pattern own = Pattern.compile("\\." + Pattern.quote(name) + "\\.(?:(\\d{1,19})-)?[0-9a-f]{1,16}\\.tmp");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "." + globQuote(name) + ".*.tmp")) {
            for (Path p : entries) {
                Matcher m = own.matcher(p.getFileName().toString());
                if (!m.matches() || LIVE.contains(p) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                boolean stale;
                if (m.group(1) != null) {
                    long pid = Long.parseLong(m.group(1));
                    stale = pid != PID && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                } else {
                    stale = System.currentTimeMillis() - Files.getLastModifiedTime(p).toMillis() > LEGACY_STALE_MILLIS;
                }
                if (stale) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: a leftover is harmless, and this run's own output matters more
        }
    }

    private static String globQuote(String name) {
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) {
            if ("*?[]{}\\".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** The shutdown hook: deletes the temporary files still open. */
    static void deleteLive() {
        for (Path p : LIVE) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException ignored) {
                // best effort while the JVM exits
            }
        }
    }

    /** The temporary files this process has open now, for tests. */
    static Set<Path> live() {
        return Set.copyOf(LIVE);
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
            LIVE.remove(temp);
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
            // best effort: a leftover hidden .tmp file is harmless, and the next run deletes it
        }
        LIVE.remove(temp);
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
