package io.github.xent4j.cli;

import io.github.xent4j.cli.io.NdArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static io.github.xent4j.cli.Cli.npy;
import static io.github.xent4j.cli.Cli.run;
import static io.github.xent4j.cli.Cli.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The findings of the hardening review (issue 12), each as the command that showed it. */
class HardeningTest {

    @TempDir
    Path dir;

    private Path x() {
        return npy(dir, "x.npy", NdArray.ofFloats(new float[] {0.1f, 0.3f, 0.6f, 0.3f, 0.2f, 0.5f}, 2, 3));
    }

    private Path y() {
        return npy(dir, "y.npy", NdArray.ofLongs(new long[] {0, 2}, 2));
    }

    @Test
    void aTypoInTheFirstRowIsAnErrorNotAHeader() {
        Path typo = text(dir, "typo.csv", "0.1,0.3,O.6\n0.3,0.2,0.5\n1,2,3\n");
        Path y = text(dir, "y.csv", "2\n1\n");
        assertEquals("xent cross-entropy: " + typo + ":1:3: 'O.6' is not a number (line 1 is data: a header line holds no numbers)",
                run("cross-entropy", "--input", typo.toString(), "--target", y.toString()).badData());
        Path x = text(dir, "x.csv", "0.1,0.3,0.6\n0.3,0.2,0.5\n");
        Path t = text(dir, "t.csv", "x\n2\n1\n");
        assertEquals("xent cross-entropy: " + t + ":1:1: 'x' is not a number (a one-column file has no header line; make it "
                + "a comment with #)", run("cross-entropy", "--input", x.toString(), "--target", t.toString()).badData());
        Path named = text(dir, "named.csv", "a,b,c\n0.1,0.3,0.6\n0.3,0.2,0.5\n");
        Path commented = text(dir, "c.csv", "# target\n2\n1\n");
        assertEquals(run("cross-entropy", "--input", x.toString(), "--target", commented.toString()).ok(),
                run("cross-entropy", "--input", named.toString(), "--target", commented.toString()).ok(),
                "a header of names over 2+ columns, and a # comment, are still read");
    }

    @Test
    void aFailedWriteToStdoutIsBadData() {
        String x = x().toString();
        String y = y().toString();
        for (String[] args : List.of(new String[] {"cross-entropy", "--input", x, "--target", y},
                new String[] {"cross-entropy", "--input", x, "--target", y, "--reduction", "none"},
                new String[] {"demo"}, new String[] {"--version"})) {
            StringWriter err = new StringWriter();
            PrintWriter full = new PrintWriter(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    throw new IOException("No space left on device");
                }
            }, true);
            int code = Main.commandLine(full, new PrintWriter(err, true)).execute(args);
            assertEquals(1, code, String.join(" ", args) + ": " + err);
            assertTrue(err.toString().matches("xent( \\S+)?: standard output: cannot write\n"), err.toString());
        }
    }

    @Test
    void aFailedStdoutWriteRemovesTheOutputsToo() {
        Path out = dir.resolve("l.npy");
        StringWriter err = new StringWriter();
        PrintWriter full = new PrintWriter(OutputStream.nullOutputStream(), true) {
            @Override
            public boolean checkError() {
                return true;
            }
        };
        int code = Main.commandLine(full, new PrintWriter(err, true))
                .execute("cross-entropy", "--input", x().toString(), "--target", y().toString(), "--out", out.toString());
        assertEquals(1, code);
        assertFalse(Files.exists(out), "the run failed, so its --out is not left behind");
    }

    @Test
    void usageErrorsRemoveStaleOutputsAndPrintOneLine() throws IOException {
        String x = x().toString();
        String y = y().toString();
        Path out = dir.resolve("out.npy");
        Path grad = dir.resolve("grad.npy");
        List<String[]> bad = List.of(
                new String[] {"--reduction", "avg"},
                new String[] {"--label-smoothing", "abc"},
                new String[] {"--label-smoothing", "0x1p-3"},
                new String[] {"--label-smoothing", "0.5d"},
                new String[] {"--ignore-index", "010x"},
                new String[] {"--bogus"},
                new String[] {"--label-smoothing", "1.5"});
        for (String[] extra : bad) {
            Files.writeString(out, "old");
            Files.writeString(grad, "old");
            List<String> args = new ArrayList<>(List.of("cross-entropy", "--input", x, "--target", y));
            args.addAll(List.of(extra));
            args.addAll(List.of("--out", out.toString(), "--grad=" + grad));
            String line = run(args.toArray(String[]::new)).badUsage();
            assertTrue(line.startsWith("xent cross-entropy: "), line);
            assertFalse(Files.exists(out) || Files.exists(grad), String.join(" ", extra) + ": stale outputs removed");
        }
        Files.writeString(out, "old");
        String line = run("cross-entropy", "--input", x, "--out", out.toString()).badUsage();
        assertEquals("xent cross-entropy: Missing required option: '--target=T' (see 'xent cross-entropy --help')", line);
        assertFalse(Files.exists(out), "missing --target: stale --out removed");
        assertTrue(run("cross-entropy", "--input", x, "--target", y, "--tagret", y).badUsage().contains("did you mean --target"));
        Files.writeString(out, "old");
        run("softmax", "--input", x, "--dim", "x", "--out", out.toString()).badUsage();
        assertFalse(Files.exists(out), "softmax: stale --out removed");
        run("cross-entropy", "--input", x, "--target", y, "--grad", x).badUsage();
        assertTrue(Files.exists(Path.of(x)), "an output naming an input never removes the input");
    }

    @Test
    void optionNumbersAreSpelledAsInDataFiles() {
        String x = x().toString();
        String y = y().toString();
        String nanLower = run("cross-entropy", "--input", x, "--target", y, "--label-smoothing", "nan").err();
        String nanUpper = run("cross-entropy", "--input", x, "--target", y, "--label-smoothing", "NaN").err();
        assertEquals(nanLower.replace("nan", "NaN"), nanUpper.replace("nan", "NaN"), "nan and NaN are the same value");
        assertEquals(run("cross-entropy", "--input", x, "--target", y, "--label-smoothing", "0.125").ok(),
                run("cross-entropy", "--input", x, "--target", y, "--label-smoothing", "1.25e-1").ok());
        assertTrue(run("cross-entropy", "--input", x, "--target", y, "--label-smoothing", "0x1p-3").badUsage()
                .contains("'0x1p-3' is not a number"));
        assertTrue(run("cross-entropy", "--input", x, "--target", y, "--ignore-index", "\u0663").badUsage()
                .contains("is not an integer"));
    }

    @Test
    void controlBytesAreEscapedAndMessagesBounded() throws IOException {
        Path evil = dir.resolve("evil.npy");
        String header = "{'descr': '\u001b[2J\u001b]0;owned\u0007', 'fortran_order': False, 'shape': (2, 3), }";
        Files.write(evil, npyBytes(header));
        String line = run("cross-entropy", "--input", evil.toString(), "--target", y().toString()).badData();
        assertTrue(line.contains("\\x1b[2J\\x1b]0;owned\\x07"), line);
        assertTrue(line.chars().noneMatch(c -> c < 0x20 || c == 0x7f), line);
        String longValue = "[" + "0,".repeat(200_000) + "0]";
        line = run("explain", "--logits", "[[0.1, 0.2]]", "--target", longValue).badData();
        assertTrue(line.length() <= 480, line.length() + ": " + line);
        line = run("cross-entropy", "--input", x().toString(), "--target", y().toString(), "--reduction", "x\u001b[2J".repeat(1000))
                .badUsage();
        assertTrue(line.length() <= 480 && line.contains("\\x1b[2J") && line.endsWith("(see 'xent cross-entropy --help')"), line);
    }

    @Test
    void helpfulMessages() throws IOException {
        Path x0 = npy(dir, "x0.npy", NdArray.ofFloats(new float[0], 4, 0));
        Path y = npy(dir, "y4.npy", NdArray.ofLongs(new long[] {0, 1, 2, 3}, 4));
        String line = run("cross-entropy", "--input", x0.toString(), "--target", y.toString()).badData();
        assertTrue(line.endsWith("target[0]=0 is out of bounds for 0 classes (the input has no class to choose; "
                + "only the ignore index -100 is valid)"), line);
        Path sub = Files.createDirectory(dir.resolve("sub"));
        line = run("cross-entropy", "--input", x().toString(), "--target", y().toString(), "--out", sub.toString()).badData();
        assertEquals("xent cross-entropy: " + sub + ": cannot write: it is a directory", line);
        line = run("cross-entropy", "--input", sub.toString(), "--target", y().toString()).badData();
        assertEquals("xent cross-entropy: " + sub + ": is a directory, not a file", line);
        Path bad = dir.resolve("bad.csv");
        Files.write(bad, new byte[] {'0', '.', '5', ',', '1', '\n', (byte) 0xc3, '(', ',', '1', '\n'});
        line = run("cross-entropy", "--input", bad.toString(), "--target", "[0, 1]").badData();
        assertTrue(line.endsWith(bad + ":2: invalid UTF-8 at byte 1 of the line (offset 6 in the file): 0xc3; save the file as UTF-8"),
                line);
    }

    @Test
    void theNextRunRemovesThisToolsStaleTemporaries() throws IOException {
        Path out = dir.resolve("l.npy");
        long deadPid = deadPid();
        Path dead = Files.writeString(dir.resolve(".l.npy." + deadPid + "-1f2e3d4c5b6a7988.tmp"), "stale");
        Path alive = Files.writeString(dir.resolve(".l.npy." + ProcessHandle.current().parent().orElseThrow().pid()
                + "-0123456789abcdef.tmp"), "another run, still going");
        Path legacyOld = Files.writeString(dir.resolve(".l.npy.00ff00ff00ff00ff.tmp"), "stale, older form");
        Files.setLastModifiedTime(legacyOld, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        Path legacyNew = Files.writeString(dir.resolve(".l.npy.abcdef.tmp"), "maybe being written");
        Path other = Files.writeString(dir.resolve(".other.npy." + deadPid + "-1f2e3d4c5b6a7988.tmp"), "not ours to judge");
        Path lookalike = Files.writeString(dir.resolve(".l.npy.notours.tmp"), "not this tool's pattern");
        run("cross-entropy", "--input", x().toString(), "--target", y().toString(), "--reduction", "none",
                "--out", out.toString()).ok();
        assertTrue(Files.exists(out));
        assertFalse(Files.exists(dead), "a dead run's temporary is removed");
        assertFalse(Files.exists(legacyOld), "an old temporary of the older form is removed");
        assertTrue(Files.exists(alive) && Files.exists(legacyNew) && Files.exists(other) && Files.exists(lookalike),
                "a live run's temporary, a recent one, another output's and another tool's are kept");
    }

    /** A process id that is not running (the largest Linux allows is 2^22). */
    private static long deadPid() {
        for (long pid = 4_194_303; ; pid--) {
            if (ProcessHandle.of(pid).isEmpty()) {
                return pid;
            }
        }
    }

    private static byte[] npyBytes(String dict) {
        byte[] text = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] data = new byte[6 * 4];
        byte[] b = new byte[10 + text.length + data.length];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) text.length, (byte) (text.length >> 8)};
        System.arraycopy(magic, 0, b, 0, 10);
        System.arraycopy(text, 0, b, 10, text.length);
        return b;
    }
}
