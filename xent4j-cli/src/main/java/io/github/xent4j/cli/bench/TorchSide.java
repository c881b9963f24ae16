package io.github.xent4j.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the PyTorch side: writes the case's data once to raw little-endian files, spawns the
 * python script (a resource next to this class) on them, and parses its {@code RESULT} lines.
 */
final class TorchSide {

    /** One PyTorch measurement. */
    record Result(String op, String mode, String variant, int threads, double ms, double extraMb, double loss) {
    }

    private final String python;
    private final Path dir;
    private final Path script;
    private String unavailable;
    private String version = "?";

    TorchSide(String python, Path dir) throws IOException {
        this.python = python;
        this.dir = dir;
        this.script = dir.resolve("torch_bench.py");
        try (InputStream in = TorchSide.class.getResourceAsStream("torch_bench.py")) {
            if (in == null) {
                throw new IOException("torch_bench.py is missing from the jar");
            }
            Files.copy(in, script);
        }
        this.unavailable = probe();
    }

    /** Null when python3 with torch and numpy runs; otherwise why not. */
    String unavailable() {
        return unavailable;
    }

    String version() {
        return version;
    }

    private String probe() {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch, numpy; print(torch.__version__)")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                String last = out.isEmpty() ? "" : out.substring(out.lastIndexOf('\n') + 1);
                return python + " cannot import torch and numpy (" + last + ")";
            }
            version = out.substring(out.lastIndexOf('\n') + 1);
            return null;
        } catch (IOException e) {
            return python + " cannot be started (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Cross-entropy with class-index targets on (n, c) logits. */
    List<Result> crossEntropy(float[] logits, int[] target, int n, int c, List<Integer> threads, double seconds)
            throws IOException, InterruptedException {
        Path x = write(dir.resolve("x.f32"), logits);
        Path t = dir.resolve("t.i64");
        try (FileChannel ch = FileChannel.open(t, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.allocate(8 * target.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : target) {
                b.putLong(v);
            }
            b.flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        return run("ce", x, t, n, c, threads, seconds);
    }

    /** BCE with logits on (n, c) logits and float targets. */
    List<Result> bceWithLogits(float[] logits, float[] target, int n, int c, List<Integer> threads, double seconds)
            throws IOException, InterruptedException {
        Path x = write(dir.resolve("x.f32"), logits);
        Path t = write(dir.resolve("y.f32"), target);
        return run("bce", x, t, n, c, threads, seconds);
    }

    private List<Result> run(String op, Path x, Path t, int n, int c, List<Integer> threads, double seconds)
            throws IOException, InterruptedException {
        StringBuilder ts = new StringBuilder();
        for (int v : threads) {
            ts.append(ts.length() == 0 ? "" : ",").append(v);
        }
        List<String> cmd = List.of(python, script.toString(), "--op", op, "--x", x.toString(), "--t", t.toString(),
                "--n", Integer.toString(n), "--c", Integer.toString(c), "--threads", ts.toString(),
                "--seconds", Double.toString(seconds));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<Result> results = new ArrayList<>();
        StringBuilder other = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    results.add(parse(line));
                } else if (!line.startsWith("INFO ")) {
                    other.append(line).append('\n');
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IOException("the torch script failed (exit " + p.exitValue() + "):\n" + other);
        }
        Files.deleteIfExists(x);
        Files.deleteIfExists(t);
        return results;
    }

    private static Result parse(String line) {
        Map<String, String> kv = new HashMap<>();
        for (String part : line.substring("RESULT ".length()).trim().split("\\s+")) {
            int eq = part.indexOf('=');
            kv.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return new Result(kv.get("op"), kv.get("mode"), kv.get("variant"), Integer.parseInt(kv.get("threads")),
                Double.parseDouble(kv.get("ms")), Double.parseDouble(kv.get("extra_mb")),
                Double.parseDouble(kv.get("loss")));
    }

    private static Path write(Path path, float[] values) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            int i = 0;
            while (i < values.length) {
                b.clear();
                int m = Math.min(values.length - i, b.capacity() / 4);
                for (int k = 0; k < m; k++) {
                    b.putFloat(values[i + k]);
                }
                i += m;
                b.flip();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
        return path;
    }
}
