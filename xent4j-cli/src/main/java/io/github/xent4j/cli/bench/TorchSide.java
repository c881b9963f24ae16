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

    /**
     * What the PyTorch side computes: the op of torch_bench.py, its arrays (float[] written as
     * float32, int[] as int64, each passed as {@code --NAME file}) and its other arguments.
     */
    record Spec(String op, Map<String, Object> arrays, Map<String, String> params) {
    }

    /**
     * The settings PyTorch runs under, to take its best: the process as a user starts it, and with
     * glibc told to keep and reuse freed memory (large tensors otherwise come back as fresh pages
     * each call: page faults, not compute); on a CPU with AVX-512, each of those again with
     * {@code ATEN_CPU_CAPABILITY=avx512} (its default dispatch there is AVX2, and either can win).
     */
    static List<Map<String, String>> settings() {
        List<Map<String, String>> s = new ArrayList<>();
        s.add(Map.of());
        s.add(Map.of("GLIBC_TUNABLES", "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736"));
        if (Machine.avx512()) {
            s.add(Map.of("ATEN_CPU_CAPABILITY", "avx512"));
            s.add(Map.of("ATEN_CPU_CAPABILITY", "avx512",
                    "GLIBC_TUNABLES", "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736"));
        }
        return s;
    }

    /** Runs one case under every setting; each result's variant names the setting. */
    List<Result> run(Spec spec, List<Integer> threads, double seconds) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, Object> e : spec.arrays().entrySet()) {
            Path f = e.getValue() instanceof int[] ints ? writeLongs(dir.resolve(e.getKey() + ".i64"), ints)
                    : write(dir.resolve(e.getKey() + ".f32"), (float[]) e.getValue());
            files.add(f);
            args.add("--" + e.getKey());
            args.add(f.toString());
        }
        for (Map.Entry<String, String> e : spec.params().entrySet()) {
            args.add("--" + e.getKey().replace('_', '-'));
            args.add(e.getValue());
        }
        List<Result> results = new ArrayList<>();
        try {
            for (Map<String, String> env : settings()) {
                for (Result r : run(spec.op(), args, env, threads, seconds)) {
                    String tag = env.isEmpty() ? "" : (env.containsKey("GLIBC_TUNABLES") ? "+recycled" : "")
                            + (env.containsKey("ATEN_CPU_CAPABILITY") ? "+avx512" : "");
                    results.add(new Result(r.op(), r.mode(), r.variant() + tag, r.threads(), r.ms(), r.extraMb(), r.loss()));
                }
            }
        } finally {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
        return results;
    }

    private List<Result> run(String op, List<String> args, Map<String, String> env, List<Integer> threads,
                             double seconds) throws IOException, InterruptedException {
        StringBuilder ts = new StringBuilder();
        for (int v : threads) {
            ts.append(ts.length() == 0 ? "" : ",").append(v);
        }
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--op", op, "--threads", ts.toString(),
                "--seconds", Double.toString(seconds)));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
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
        return results;
    }

    private static Path writeLongs(Path path, int[] values) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : values) {
                b.putLong(v);
            }
            b.flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        return path;
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
