package io.github.xent4j.cli;

import io.github.xent4j.cli.io.NdArray;
import io.github.xent4j.cli.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A seeded fuzz of the command line, in process: thousands of mutated {@code .npy} headers and
 * files, CSV and JSON inputs and option lists, each run through {@link Main#commandLine} as a user
 * would run {@code xent}. One command line is built and reused (picocli resets every option before
 * a parse), since building one costs more than most runs; so the fuzz also checks that a run leaves
 * no state behind for the next. Every run must end with exit code 0, 1 or 2 (1 or 2 where the input is
 * certainly bad); a failure prints exactly one line on stderr, no stack trace, no internal error,
 * and leaves no output file and no temporary file behind (a stale output from an earlier run
 * included). A failing case prints its seed: rerun it with {@code -Dxent4j.fuzz.seed=S
 * -Dxent4j.fuzz.cases=1}.
 */
class FuzzTest {

    private static final long SEED = Long.getLong("xent4j.fuzz.seed", 0x5EED_12L);
    private static final int CASES = Integer.getInteger("xent4j.fuzz.cases", 3000);
    /** The seed of one case to rerun alone, as printed by a failure. */
    private static final Long ONE_CASE = Long.getLong("xent4j.fuzz.case");

    private static final String X_CSV = "0.1,0.3,0.6\n0.3,0.2,0.5\n0.5,0.25,0.25\n0.2,0.2,0.6\n";
    private static final String Y_CSV = "0\n2\n1\n2\n";
    private static final String X_JSON = "[[0.1, 0.3, 0.6], [0.3, 0.2, 0.5], [0.5, 0.25, 0.25], [0.2, 0.2, 0.6]]";
    private static final String Y_JSON = "[0, 2, 1, 2]";
    private static final String CSV_PALETTE = "0123456789.,;\t \"\n#-+eEnaifxO\u00ff\u0000\u001b\u202e";
    private static final String JSON_PALETTE = "[]{},:\"0123456789.-+eE NaInfity null true\u0000\u001b\\";
    private static final String[] COMMANDS = {"cross-entropy", "nll-loss", "bce", "bce-with-logits", "kl-div"};
    private static final String[] OUT_NAMES = {"out.npy", "out.csv", "out.json", "out.txt", "out", "out.npz", "sub",
        "no/such/dir/out.npy", "out.NPY"};

    @TempDir
    Path dir;

    private int failures;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final picocli.CommandLine cl = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));

    @Test
    void malformedInputsAndOptionsFailCleanly() {
        SplittableRandom seeds = new SplittableRandom(SEED);
        Path work = dir.resolve("w");
        if (ONE_CASE != null) {
            runCase(ONE_CASE, work);
            return;
        }
        int[] byKind = new int[4];
        for (int i = 0; i < CASES; i++) {
            long seed = seeds.nextLong();
            byKind[runCase(seed, work)]++;
        }
        assertTrue(failures > CASES / 2, "most cases exercise a failure path: " + failures + " of " + CASES);
        for (int k = 0; k < byKind.length; k++) {
            assertTrue(CASES < 100 || byKind[k] > CASES / 10, "kind " + k + " ran " + byKind[k] + " times");
        }
    }

    /** One case: returns its kind (0 npy, 1 csv, 2 json, 3 options). */
    private int runCase(long seed, Path work) {
        SplittableRandom r = new SplittableRandom(seed);
        reset(work);
        Case c = new Case(work);
        int kind = r.nextInt(4);
        try {
            switch (kind) {
                case 0 -> npyCase(r, c);
                case 1 -> csvCase(r, c);
                case 2 -> jsonCase(r, c);
                default -> optionsCase(r, c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        check(seed, c);
        return kind;
    }

    /** The files and arguments of one case. */
    private static final class Case {
        final Path work;
        final List<String> args = new ArrayList<>();
        final TreeSet<String> inputs = new TreeSet<>();
        /** Stale files under an output's name, with the option that names them. */
        final List<String[]> stale = new ArrayList<>();
        boolean certainlyBad;
        /** Whether the mutated file is the input (else the target). */
        boolean inputMutated = true;

        Case(Path work) {
            this.work = work;
        }

        String file(String name, byte[] content) throws IOException {
            Path p = work.resolve(name);
            Files.write(p, content);
            inputs.add(name);
            return p.toString();
        }

        String file(String name, String content) throws IOException {
            return file(name, content.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void npyCase(SplittableRandom r, Case c) throws IOException {
        byte[] valid = validNpy(r);
        byte[] bytes;
        int headerEnd = headerEnd(valid);
        switch (r.nextInt(6)) {
            case 0 -> {
                bytes = valid.clone();
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    bytes[r.nextInt(headerEnd)] = (byte) r.nextInt(256);
                }
            }
            case 1 -> {
                bytes = java.util.Arrays.copyOf(valid, r.nextInt(valid.length));
                c.certainlyBad = true;
            }
            case 2 -> {
                bytes = npy(r.nextInt(3) + 1, craftedHeader(r), r.nextInt(10) == 0 ? 1 << 20 : r.nextInt(200));
            }
            case 3 -> {
                bytes = valid.clone();
                bytes[6] = (byte) r.nextInt(5);
                bytes[7] = (byte) (r.nextBoolean() ? 0 : 1 + r.nextInt(255));
                c.certainlyBad = bytes[7] != 0 || bytes[6] == 0 || bytes[6] == 4;
            }
            case 4 -> {
                bytes = valid.clone();
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(8, (short) r.nextInt(65536));
            }
            default -> {
                int at = 10 + r.nextInt(headerEnd - 10);
                byte[] insert = new byte[1 + r.nextInt(8)];
                String palette = "(()[],:'\" 0L\u001b\n";
                for (int k = 0; k < insert.length; k++) {
                    insert[k] = (byte) palette.charAt(r.nextInt(palette.length()));
                }
                bytes = new byte[valid.length + insert.length];
                System.arraycopy(valid, 0, bytes, 0, at);
                System.arraycopy(insert, 0, bytes, at, insert.length);
                System.arraycopy(valid, at, bytes, at + insert.length, valid.length - at);
            }
        }
        boolean mutateInput = r.nextBoolean();
        c.inputMutated = mutateInput;
        String x = mutateInput ? c.file("x.npy", bytes) : c.file("x.npy", validNpy(r));
        String y = mutateInput ? c.file("y.npy", NpyHeaderBytes.TARGETS) : c.file("y.npy", bytes);
        lossArgs(r, c, x, y);
    }

    private void csvCase(SplittableRandom r, Case c) throws IOException {
        boolean mutateInput = r.nextBoolean();
        byte[] bytes = mutateText(r, mutateInput ? X_CSV : Y_CSV, CSV_PALETTE);
        String ext = r.nextInt(4) == 0 ? ".txt" : ".csv";
        String x = mutateInput ? c.file("x" + ext, bytes) : c.file("x.csv", X_CSV);
        String y = mutateInput ? c.file("y.csv", Y_CSV) : c.file("y" + ext, bytes);
        lossArgs(r, c, x, y);
    }

    private void jsonCase(SplittableRandom r, Case c) throws IOException {
        boolean mutateInput = r.nextBoolean();
        String base = mutateInput ? X_JSON : Y_JSON;
        byte[] bytes = r.nextInt(8) == 0 ? deepJson(r) : mutateText(r, base, JSON_PALETTE);
        boolean inline = r.nextInt(4) == 0;
        if (inline) {
            String value = new String(bytes, StandardCharsets.UTF_8);
            c.args.addAll(List.of("explain", mutateInput ? "--logits" : "--target", value,
                    mutateInput ? "--target" : "--logits", mutateInput ? Y_JSON : X_JSON));
            return;
        }
        String x = mutateInput ? c.file("x.json", bytes) : c.file("x.json", X_JSON);
        String y = mutateInput ? c.file("y.json", Y_JSON) : c.file("y.json", bytes);
        lossArgs(r, c, x, y);
    }

    private void optionsCase(SplittableRandom r, Case c) throws IOException {
        String x = c.file("x.npy", validNpy(r));
        String y = c.file("y.npy", NpyHeaderBytes.TARGETS);
        String w = c.file("w.csv", "1\n2\n" + (r.nextBoolean() ? "3\n" : ""));
        String[][] pool = {
            {"--reduction", "mean"}, {"--reduction", "avg"}, {"--reduction", ""}, {"--reduction", "NONE"},
            {"--reduction", "x\u001b[2J"}, {"--label-smoothing", "0.1"}, {"--label-smoothing", "abc"},
            {"--label-smoothing", "0x1p-3"}, {"--label-smoothing", "nan"}, {"--label-smoothing", "NaN"},
            {"--label-smoothing", "-1"}, {"--label-smoothing", "1e309"}, {"--label-smoothing", "0.5d"},
            {"--ignore-index", "-100"}, {"--ignore-index", "2"}, {"--ignore-index", "99999999999"},
            {"--ignore-index", "010"}, {"--ignore-index", "\u0663"}, {"--ignore-index", ""}, {"--weight", w},
            {"--weight", "missing.npy"}, {"--threads", "0"}, {"--threads", "1"}, {"--threads", "-1"},
            {"--threads", "abc"}, {"--bogus"}, {"--out"}, {"--grad"}, {"--target"}, {"--input", "x"},
            {"--chunk-elements", "1"}, {"--chunk-elements", "0"}, {"--verbose"}, {"extra"}, {"--help=x"},
            {"--input=" + x}, {"--log-target"}, {"--pos-weight", w}, {"--dim", "1"}, {"--dim", "-9"},
        };
        String command = r.nextInt(10) == 0 ? (r.nextBoolean() ? "softmax" : "bogus-command") : COMMANDS[r.nextInt(COMMANDS.length)];
        c.args.add(command);
        List<List<String>> groups = new ArrayList<>();
        if (r.nextInt(5) != 0) {
            groups.add(List.of("--input", x));
        }
        if (r.nextInt(5) != 0) {
            groups.add(List.of("--target", y));
        }
        for (int k = r.nextInt(4); k > 0; k--) {
            groups.add(List.of(pool[r.nextInt(pool.length)]));
        }
        groups.addAll(outputs(r, c));
        java.util.Collections.shuffle(groups, new java.util.Random(r.nextLong()));
        groups.forEach(c.args::addAll);
    }

    private void lossArgs(SplittableRandom r, Case c, String x, String y) throws IOException {
        String command = COMMANDS[r.nextInt(COMMANDS.length)];
        if (!command.equals("cross-entropy") && !command.equals("nll-loss") && r.nextBoolean()) {
            command = "cross-entropy";
        }
        int other = r.nextInt(10);
        if (other == 0) {
            c.args.addAll(List.of(r.nextBoolean() ? "softmax" : "log-softmax", "--input", x));
            c.certainlyBad &= c.inputMutated;
        } else if (other == 1) {
            String w = c.file("lw.npy", NpyHeaderBytes.LINEAR_WEIGHT);
            c.args.addAll(List.of("linear-cross-entropy", "--input", x, "--linear-weight", w, "--target", y));
        } else {
            c.args.addAll(List.of(command, "--input", x, "--target", y));
            if (r.nextInt(3) == 0) {
                c.args.addAll(List.of("--reduction", r.nextBoolean() ? "none" : "sum"));
            }
        }
        if (r.nextInt(4) == 0) {
            c.args.addAll(List.of("--chunk-elements", Integer.toString(1 + r.nextInt(8))));
        }
        outputs(r, c).forEach(c.args::addAll);
    }

    /** The output options of a command, as Main finds them (a Path option named --out or --grad...). */
    private static List<String> outputOptions(String command) {
        return switch (command) {
            case "softmax", "log-softmax" -> List.of("--out");
            case "linear-cross-entropy" -> List.of("--out", "--grad-input", "--grad-linear-weight", "--grad-linear-bias");
            case "bogus-command" -> List.of();
            default -> List.of("--out", "--grad");
        };
    }

    /** Adds --out/--grad, sometimes over a stale file of an earlier run, sometimes naming a directory. */
    private List<List<String>> outputs(SplittableRandom r, Case c) throws IOException {
        List<List<String>> args = new ArrayList<>();
        String command = c.args.isEmpty() ? "" : c.args.get(0);
        for (String option : command.equals("linear-cross-entropy") ? List.of("--out", "--grad-input")
                : List.of("--out", "--grad")) {
            if (r.nextInt(3) == 0) {
                continue;
            }
            String name = r.nextInt(3) == 0 ? OUT_NAMES[r.nextInt(OUT_NAMES.length)] : option.substring(2) + ".npy";
            if (option.startsWith("--grad") && name.startsWith("out")) {
                name = "grad" + name.substring(3);
            }
            Path p = c.work.resolve(name);
            if (name.equals("sub")) {
                Files.createDirectories(p);
                c.inputs.add(name);
            } else if (r.nextInt(3) == 0 && !name.contains("/")) {
                Files.writeString(p, "stale result of an earlier run");
                c.stale.add(new String[] {name, option});
            }
            args.add(r.nextBoolean() ? List.of(option, p.toString()) : List.of(option + "=" + p));
        }
        return args;
    }

    private void check(long seed, Case c) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        int code;
        try {
            code = cl.execute(c.args.toArray(String[]::new));
        } catch (Throwable t) {
            fail(describe(seed, c) + " threw " + t, t);
            return;
        }
        String e = err.toString();
        String where = describe(seed, c) + " -> exit " + code + ", stderr: " + e;
        assertTrue(code == 0 || code == 1 || code == 2, where);
        assertTrue(!c.certainlyBad || code != 0, "a certainly bad input must fail: " + where);
        List<String> left = list(c.work);
        if (code == 0) {
            assertTrue(e.isEmpty(), "a success prints nothing on stderr: " + where);
            return;
        }
        failures++;
        assertTrue(e.endsWith("\n") && e.indexOf('\n') == e.length() - 1 || c.args.contains("--verbose"),
                "exactly one line on stderr: " + where);
        if (!c.args.contains("--verbose")) {
            assertTrue(!e.contains("\tat ") && !e.contains("Exception"), "no stack trace, no exception name: " + where);
        }
        assertTrue(!e.contains("internal error"), "no internal error: " + where);
        assertTrue(e.chars().noneMatch(ch -> ch < 0x20 && ch != '\n' && ch != '\t' || ch == 0x7f), "no control bytes: " + where);
        assertTrue(e.length() < 600 || c.args.contains("--verbose"), "a bounded line: " + where);
        TreeSet<String> expected = new TreeSet<>(c.inputs);
        String command = c.args.get(0);
        for (String[] st : c.stale) {
            if (!outputOptions(command).contains(st[1])) {
                expected.add(st[0]);
            }
        }
        assertTrue(new TreeSet<>(left).equals(expected), "only the inputs are left, no output, no temporary: " + left
                + " vs " + expected + ", " + where);
    }

    private static String describe(long seed, Case c) {
        String args = String.join(" ", c.args);
        return "case " + seed + " (rerun it alone with -Dxent4j.fuzz.case=" + seed + "), args: "
                + (args.length() > 300 ? args.substring(0, 300) + "..." : args);
    }

    // ------------------------------------------------------------------ inputs

    /** A valid float32 (4, 3) file with random probabilities: the header numpy writes, then the data. */
    private static byte[] validNpy(SplittableRandom r) {
        byte[] header = NpyHeaderBytes.FLOAT32_4x3;
        ByteBuffer b = ByteBuffer.allocate(header.length + 48).order(ByteOrder.LITTLE_ENDIAN).put(header);
        for (int i = 0; i < 12; i++) {
            b.putFloat((float) r.nextDouble(0.05, 0.9));
        }
        return b.array();
    }

    /** Files written once by the codec (each write is flushed to disk, too slow to repeat thousands of times). */
    private static final class NpyHeaderBytes {
        static final byte[] FLOAT32_4x3;
        static final byte[] TARGETS = npyOf(NdArray.ofLongs(new long[] {0, 2, 1, 2}, 4));
        static final byte[] LINEAR_WEIGHT = npyOf(NdArray.ofFloats(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0.5f, 0, 2}, 5, 3));

        static {
            byte[] full = npyOf(NdArray.ofFloats(new float[12], 4, 3));
            FLOAT32_4x3 = java.util.Arrays.copyOf(full, full.length - 48);
        }
    }

    private static byte[] npyOf(NdArray a) {
        try {
            Path tmp = Files.createTempFile("fuzz", ".npy");
            try {
                Npy.write(tmp, a);
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int headerEnd(byte[] npy) {
        return 10 + (ByteBuffer.wrap(npy).order(ByteOrder.LITTLE_ENDIAN).getShort(8) & 0xFFFF);
    }

    private static byte[] npy(int major, String dict, int dataBytes) {
        byte[] text = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int prefix = major == 1 ? 10 : 12;
        ByteBuffer b = ByteBuffer.allocate(prefix + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) Math.min(text.length, 65535));
        } else {
            b.putInt(text.length);
        }
        b.put(text);
        return b.array();
    }

    /** A header dict with a random choice of keys and values, many of them wrong. */
    private static String craftedHeader(SplittableRandom r) {
        String[] descrs = {"'<f4'", "'<f8'", "'>f4'", "'|b1'", "'<i8'", "'<u8'", "'<c8'", "'|O'", "'<U3'", "'\u001b[2J'", "5",
            "[('a', '<f4')]", "'<f4", "None", "'" + "f".repeat(300) + "'"};
        String[] orders = {"False", "True", "0", "'False'", "None", "Fals"};
        String[] shapes = {"(4, 3)", "(4, 3,)", "(12,)", "()", "[4, 3]", "(4)", "(-1, 3)", "(4, 3L)", "(4, True)",
            "(99999999999999999999,)", "(4294967296, 4294967296)", "(" + "1, ".repeat(70) + ")", "(4, 0)", "(0,)",
            "(" + "(".repeat(r.nextInt(6000)) + ")", "((4, 3),)", "(4.0, 3)", "(0x4, 3)", "(\u0664, 3)"};
        List<String> entries = new ArrayList<>();
        if (r.nextInt(8) != 0) {
            entries.add("'descr': " + descrs[r.nextInt(descrs.length)]);
        }
        if (r.nextInt(8) != 0) {
            entries.add("'fortran_order': " + orders[r.nextInt(orders.length)]);
        }
        if (r.nextInt(8) != 0) {
            entries.add("'shape': " + shapes[r.nextInt(shapes.length)]);
        }
        if (r.nextInt(6) == 0) {
            entries.add("'extra': None");
        }
        java.util.Collections.shuffle(entries, new java.util.Random(r.nextLong()));
        String dict = "{" + String.join(", ", entries) + (r.nextBoolean() ? ", }" : "}");
        if (r.nextInt(10) == 0) {
            dict = dict.substring(0, r.nextInt(dict.length()));
        }
        return dict + " ".repeat(r.nextInt(64)) + "\n";
    }

    private static byte[] mutateText(SplittableRandom r, String base, String palette) {
        StringBuilder s = new StringBuilder(base);
        for (int k = 1 + r.nextInt(3); k > 0; k--) {
            int at = r.nextInt(s.length() + 1);
            switch (r.nextInt(5)) {
                case 0 -> s.insert(at, palette.charAt(r.nextInt(palette.length())));
                case 1 -> {
                    if (at < s.length()) {
                        s.setCharAt(at, palette.charAt(r.nextInt(palette.length())));
                    }
                }
                case 2 -> s.delete(at, Math.min(s.length(), at + 1 + r.nextInt(6)));
                case 3 -> s.insert(at, String.valueOf(palette.charAt(r.nextInt(palette.length()))).repeat(1 + r.nextInt(2000)));
                default -> s.insert(at, s.substring(0, Math.min(s.length(), r.nextInt(40))));
            }
        }
        byte[] bytes = s.toString().getBytes(StandardCharsets.UTF_8);
        if (r.nextInt(10) == 0 && bytes.length > 0) {
            bytes[r.nextInt(bytes.length)] = (byte) (0x80 + r.nextInt(128));
        }
        return bytes;
    }

    private static byte[] deepJson(SplittableRandom r) {
        int depth = 1 + r.nextInt(20_000);
        return ("[".repeat(depth) + (r.nextBoolean() ? "1" : "") + "]".repeat(r.nextInt(depth + 1))).getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ files

    private static void reset(Path work) {
        try {
            if (Files.exists(work)) {
                try (Stream<Path> s = Files.walk(work)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> list(Path work) {
        try (Stream<Path> s = Files.list(work)) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
