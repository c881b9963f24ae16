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

    /** One PyTorch measurement ({@code transientMb}: extra memory minus the returned gradients; NaN when not measured). */
    record Result(String op, String mode, String variant, int threads, double ms, double extraMb, double loss,
                  double transientMb) {
    }

    /** The OpenBLAS library to preload for the fused cases, where Debian's torch would call the reference BLAS. */
    static final String[] OPENBLAS = {"/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "/usr/lib64/libopenblas.so.0",
        "/usr/lib/libopenblas.so.0"};

    private String blas = "?";

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

    /** The BLAS the fused cases' torch processes ran, from their INFO line ("?" before any ran). */
    String blas() {
        return blas;
    }

    /** The OpenBLAS to preload: {@code option} when given ("none": no preload), else the first existing default. */
    static String openblas(String option) {
        if (option != null) {
            return option.equalsIgnoreCase("none") ? null : option;
        }
        for (String p : OPENBLAS) {
            if (Files.exists(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    /**
     * The naive PyTorch fused case (logits = H W^T, F.cross_entropy, backward; and the forward under
     * no_grad) on the same data: one process per thread count and allocator ("reuse": glibc told to
     * keep freed memory, so buffers are recycled; "default": plain malloc), each started with
     * OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (a
     * machine setting that halves OpenBLAS here), and with LD_PRELOAD of {@code openblas} when not null.
     */
    List<Result> flce(float[] h, float[] w, int[] y, int n, int d, int v, List<Integer> threads, double seconds,
                      String openblas) throws IOException, InterruptedException {
        Path hp = write(dir.resolve("h.f32"), h);
        Path wp = write(dir.resolve("w.f32"), w);
        Path yp = dir.resolve("y.i64");
        try (FileChannel ch = FileChannel.open(yp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.allocate(8 * y.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int t : y) {
                b.putLong(t);
            }
            b.flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        List<Result> results = new ArrayList<>();
        try {
            for (int t : threads) {
                for (String variant : List.of("reuse", "default")) {
                    List<String> cmd = List.of(python, script.toString(), "--op", "flce", "--h", hp.toString(),
                            "--w", wp.toString(), "--t", yp.toString(), "--n", Integer.toString(n), "--d",
                            Integer.toString(d), "--v", Integer.toString(v), "--threads", Integer.toString(t),
                            "--seconds", Double.toString(seconds), "--min-reps", "2", "--variant", variant);
                    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                    Map<String, String> env = pb.environment();
                    env.remove("OPENBLAS_CORETYPE");
                    env.remove("OPENBLAS_L2_SIZE");
                    env.put("OPENBLAS_NUM_THREADS", Integer.toString(t));
                    env.put("OMP_NUM_THREADS", Integer.toString(t));
                    if (openblas != null) {
                        env.put("LD_PRELOAD", openblas);
                    }
                    if (variant.equals("reuse")) {
                        env.put("GLIBC_TUNABLES", "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736");
                    }
                    results.addAll(collect(pb.start()));
                }
            }
        } finally {
            Files.deleteIfExists(hp);
            Files.deleteIfExists(wp);
            Files.deleteIfExists(yp);
        }
        return results;
    }

    private List<Result> collect(Process p) throws IOException, InterruptedException {
        List<Result> results = new ArrayList<>();
        StringBuilder other = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    results.add(parse(line));
                } else if (line.startsWith("INFO ")) {
                    int i = line.indexOf("blas=");
                    if (i >= 0) {
                        blas = line.substring(i);
                    }
                } else {
                    other.append(line).append('\n');
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IOException("the torch script failed (exit " + p.exitValue() + "):\n" + other);
        }
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
                Double.parseDouble(kv.get("loss")),
                kv.containsKey("transient_mb") ? Double.parseDouble(kv.get("transient_mb")) : Double.NaN);
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
