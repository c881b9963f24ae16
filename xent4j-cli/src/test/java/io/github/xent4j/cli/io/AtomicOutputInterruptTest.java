package io.github.xent4j.cli.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An interrupted process deletes the temporary files of its open outputs and its stale outputs (the shutdown hooks). */
class AtomicOutputInterruptTest {

    @TempDir
    Path dir;

    /** Opens an output to args[0], writes to it, prints its temporary file's name and waits to be killed. */
    public static void main(String[] args) throws Exception {
        AtomicOutput out = AtomicOutput.create(Path.of(args[0]));
        out.stream().write(new byte[1 << 20]);
        out.channel().force(false);
        System.out.println(out.tempFile());
        System.out.flush();
        Thread.sleep(120_000);
    }

    @Test
    void sigtermDeletesTheTemporaryFile() throws Exception {
        interrupt("TERM");
    }

    @Test
    void sigintDeletesTheTemporaryFile() throws Exception {
        interrupt("INT");
    }

    private void interrupt(String signal) throws Exception {
        Path target = dir.resolve("g.npy");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                cp.replace(File.pathSeparator + File.pathSeparator, File.pathSeparator),
                AtomicOutputInterruptTest.class.getName(), target.toString()).redirectErrorStream(true).start();
        try {
            String temp = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(temp != null && Files.exists(Path.of(temp)), "the child wrote " + temp);
            assertEquals(1, list().size());
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
            boolean exited = p.waitFor(30, TimeUnit.SECONDS);
            if (!exited && signal.equals("INT")) {
                // A JVM started with SIGINT ignored (a background job of a non-interactive shell) keeps ignoring it.
                org.junit.jupiter.api.Assumptions.abort("SIGINT is ignored in this environment");
            }
            assertTrue(exited, "exited on SIG" + signal);
            assertFalse(Files.exists(Path.of(temp)), "the hook deleted " + temp);
            assertEquals(List.of(), list(), "nothing left: no temporary, no half-written target");
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * The whole command line, interrupted while it waits for its input (a FIFO no one writes to yet):
     * the stale --out of an earlier run is removed, as for any failed run.
     */
    @Test
    void anInterruptedRunRemovesTheStaleOutputOfAnEarlierRun() throws Exception {
        Path fifo = dir.resolve("x.csv");
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0,
                "mkfifo is available");
        Path y = Files.writeString(dir.resolve("y.csv"), "0\n");
        Path out = Files.writeString(dir.resolve("out.npy"), "stale result of an earlier run");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                cp.replace(File.pathSeparator + File.pathSeparator, File.pathSeparator), "io.github.xent4j.cli.Main",
                "cross-entropy", "--input", fifo.toString(), "--target", y.toString(), "--out", out.toString())
                .redirectErrorStream(true).start();
        try {
            // Opening a FIFO for writing returns once the reader has opened it: the run is under way.
            try (var writer = Files.newOutputStream(fifo)) {
                assertTrue(Files.exists(out), "still there while the run waits");
                p.destroy();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exited on SIGTERM");
            }
            assertFalse(Files.exists(out), "the interrupted run removed the stale --out");
        } finally {
            p.destroyForcibly();
        }
    }

    private List<String> list() throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).toList();
        }
    }
}
