package io.github.xent4j.cli.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {

    @TempDir
    Path dir;

    @Test
    void commitMovesTheTempFileIntoPlace() throws IOException {
        Path target = dir.resolve("out.txt");
        Path temp;

        try (AtomicOutput out = AtomicOutput.create(target)) {
            temp = out.tempFile();
            out.stream().write("hello".getBytes(StandardCharsets.UTF_8));
            assertTrue(Files.exists(temp));
            assertFalse(Files.exists(target));
            assertEquals(dir.toAbsolutePath(), temp.getParent());
            out.commit();
            assertTrue(out.isCommitted());
        }

        assertEquals("hello", Files.readString(target));
        assertFalse(Files.exists(temp));
        assertEquals(List.of("out.txt"), names());
    }

    @Test
    void commitReplacesAnExistingFile() throws IOException {
        Path target = dir.resolve("out.txt");
        Files.writeString(target, "old");

        try (AtomicOutput out = AtomicOutput.create(target)) {
            out.stream().write('n');
            out.channel().write(ByteBuffer.wrap("ew".getBytes(StandardCharsets.UTF_8)));
            out.commit();
        }

        assertEquals("new", Files.readString(target));
    }

    @Test
    void closeWithoutCommitDeletesTheTempFileAndKeepsTheOldOne() throws IOException {
        Path target = dir.resolve("out.txt");
        Files.writeString(target, "old");

        assertThrows(IllegalStateException.class, () -> {
            try (AtomicOutput out = AtomicOutput.create(target)) {
                out.stream().write("half".getBytes(StandardCharsets.UTF_8));
                throw new IllegalStateException("computation failed");
            }
        });

        assertEquals("old", Files.readString(target));
        assertEquals(List.of("out.txt"), names());
    }

    @Test
    void closingTheStreamDoesNotCloseTheOutput() throws IOException {
        Path target = dir.resolve("out.txt");

        try (AtomicOutput out = AtomicOutput.create(target)) {
            try (OutputStream s = out.stream()) {
                s.write('x');
            }
            out.commit();
        }

        assertEquals("x", Files.readString(target));
    }

    @Test
    void commitTwiceFails() {
        try (AtomicOutput out = AtomicOutput.create(dir.resolve("a"))) {
            out.commit();
            assertThrows(IllegalStateException.class, out::commit);
        }
    }

    @Test
    void createRejectsADirectory() {
        DataException e = assertThrows(DataException.class, () -> AtomicOutput.create(dir));

        assertEquals(dir + ": cannot write: it is a directory", e.getMessage());
    }

    @Test
    void createRejectsAMissingDirectory() {
        Path target = dir.resolve("no").resolve("out.txt");

        DataException e = assertThrows(DataException.class, () -> AtomicOutput.create(target));

        assertEquals(target + ": cannot write: the directory " + target.toAbsolutePath().getParent()
                + " does not exist", e.getMessage());
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
