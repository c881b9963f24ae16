package io.github.xent4j.cli;

import io.github.xent4j.cli.io.NdArray;
import io.github.xent4j.cli.io.Npy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the command line in-process and holds what it printed. */
final class Cli {

    /** What one run returned and printed. */
    record Run(int code, String out, String err) {

        /** Asserts a success with nothing on stderr and returns stdout. */
        String ok() {
            assertEquals("", err, "stderr");
            assertEquals(0, code, "exit code; stderr: " + err);
            return out;
        }

        /** Asserts exit 1 with exactly one line on stderr and nothing on stdout, and returns the line. */
        String badData() {
            assertEquals(1, code, "exit code; stdout: " + out + " stderr: " + err);
            assertTrue(err.endsWith("\n") && err.indexOf('\n') == err.length() - 1, "one line on stderr: " + err);
            assertTrue(!err.contains("\tat "), "no stack trace: " + err);
            assertEquals("", out, "stdout");
            return err.strip();
        }

        /** Asserts exit 2 with exactly one line on stderr, {@code "xent COMMAND: problem (see ... --help)"}, and returns it. */
        String badUsage() {
            assertEquals(2, code, "exit code; stderr: " + err);
            assertTrue(err.endsWith("\n") && err.indexOf('\n') == err.length() - 1, "one line on stderr: " + err);
            assertTrue(err.startsWith("xent") && err.strip().endsWith(" --help')"), "xent COMMAND: problem (see --help): " + err);
            assertTrue(!err.contains("\tat "), "no stack trace: " + err);
            return err.strip();
        }
    }

    private Cli() {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** A committed fixture, by name. */
    static Path fixture(String name) {
        try {
            return Path.of(Cli.class.getResource("/cli/fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String path(Path p) {
        return p.toString();
    }

    static Path npy(Path dir, String name, NdArray a) {
        Path p = dir.resolve(name);
        Npy.write(p, a);
        return p;
    }

    static Path text(Path dir, String name, String content) {
        Path p = dir.resolve(name);
        try {
            Files.writeString(p, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static NdArray read(Path p) {
        return Npy.read(p);
    }

    static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names in a directory, for "nothing else was left behind" checks. */
    static java.util.List<String> list(Path dir) {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
