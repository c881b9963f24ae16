package io.github.xent4j.cli.bench;

import io.github.xent4j.BceWithLogitsLoss;
import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.Xent4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code xent bench}: times xent4j's fused kernels (and, with {@code --compare-torch}, PyTorch on
 * the same data with the same thread counts) and prints a markdown table: ms, Melem/s, the ratio to
 * PyTorch, the ratio to the machine bound, and the peak extra memory of each side. The last line is
 * {@code summary: fwd+bwd speedup vs torch at C>=1000: min A (1 thread), min B (2 threads)}.
 *
 * <p>The fused linear + cross-entropy cases ({@code --fused}, on by default, seconds per call;
 * {@code --fused none} skips them) add a table of their own, the GEMM's throughput next to the
 * measured FMA peak, and a {@code summary fused} line with the targets just before the last
 * line ({@link FusedCases}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark the active xent4j kernels, optionally side by side with PyTorch (python3 + torch).",
                "Cross-entropy (class-index targets, MEAN, float32) forward and forward+backward per shape and "
                        + "thread count, plus BCE-with-logits; each time is the best of repeated calls on warm buffers."})
public final class BenchCommand implements Callable<Integer> {

    static final String DEFAULT_SHAPES = "1024x10,8192x100,4096x1000,2048x32000,512x128256";
    static final String QUICK_SHAPES = "1024x10,8192x100,4096x1000,256x32000,64x128256";
    /** The fused linear + cross-entropy cases (N x D x V) of issue 9. */
    static final String DEFAULT_FUSED = "1024x2048x32000,1024x2048x128256";
    static final String QUICK_FUSED = "256x512x4096";

    @Spec
    CommandSpec spec;

    @Option(names = "--compare-torch", description = "Also time PyTorch (via --python) on the same data.")
    boolean compareTorch;

    @Option(names = "--threads", split = ",", defaultValue = "1,2", paramLabel = "N[,N...]",
            description = "Thread counts (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--shapes", split = ",", paramLabel = "NxC[,NxC...]",
            description = "Cross-entropy shapes (default: " + DEFAULT_SHAPES + "; with --quick: " + QUICK_SHAPES + "); "
                    + "'none' to skip.")
    List<String> shapes;

    @Option(names = "--fused", split = ",", paramLabel = "NxDxV[,...]",
            description = "Fused linear + cross-entropy shapes: hidden N x D, vocabulary V (default: " + DEFAULT_FUSED
                    + ", seconds per call; with --quick: " + QUICK_FUSED + "); 'none' to skip.")
    List<String> fused;

    @Option(names = "--openblas", paramLabel = "PATH",
            description = "The OpenBLAS the torch side of the fused cases preloads (LD_PRELOAD; default: "
                    + "/usr/lib/x86_64-linux-gnu/libopenblas.so.0 when it exists; 'none': the system BLAS).")
    String openblas;

    @Option(names = "--bce-shape", paramLabel = "NxC",
            description = "BCE-with-logits shape (default 65536x100; with --quick 8192x100); 'none' to skip.")
    String bceShape;

    @Option(names = "--quick", description = "Smaller shapes and shorter timings (a CI-sized run, under a minute).")
    boolean quick;

    @Option(names = "--seconds", paramLabel = "S",
            description = "Time budget per measurement, per side (default 1.0; with --quick 0.15).")
    Double seconds;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "PATH",
            description = "Python with torch and numpy (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--out", paramLabel = "FILE.md", description = "Also write the table to this file.")
    Path out;

    /** One line of the table. */
    record Row(String op, int n, int c, String mode, int threads, double xentMs, double xentExtraMb,
               double torchReuseMs, double torchDefaultMs, double torchReuseMb, double torchDefaultMb,
               MachineBound.Bound bound) {
        long elements() {
            return (long) n * c;
        }

        double torchBestMs() {
            return Double.isNaN(torchReuseMs) ? torchDefaultMs : torchReuseMs;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<int[]> ceShapes = new ArrayList<>();
        List<int[]> fusedShapes = new ArrayList<>();
        int[] bce;
        try {
            for (String s : shapes != null ? shapes : List.of((quick ? QUICK_SHAPES : DEFAULT_SHAPES).split(","))) {
                if (!s.strip().equalsIgnoreCase("none")) {
                    ceShapes.add(parseShape("--shapes", s));
                }
            }
            for (String s : fused != null ? fused : List.of((quick ? QUICK_FUSED : DEFAULT_FUSED).split(","))) {
                if (!s.strip().equalsIgnoreCase("none")) {
                    fusedShapes.add(parseFused(s));
                }
            }
            String b = bceShape != null ? bceShape : quick ? "8192x100" : "65536x100";
            bce = b.equalsIgnoreCase("none") ? null : parseShape("--bce-shape", b);
            for (int t : threads) {
                if (t < 1) {
                    throw new IllegalArgumentException("--threads: " + t + " must be >= 1");
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("xent bench: " + e.getMessage());
            return 2;
        }
        final double secs = seconds != null ? seconds : quick ? 0.15 : 1.0;
        final String kernels = Xent4j.kernels();
        final boolean vector = kernels.startsWith("vector");

        List<String> header = new ArrayList<>();
        header.add("kernels: " + kernels + "; java " + System.getProperty("java.version") + "; " + cpu()
                + "; " + Runtime.getRuntime().availableProcessors() + " cpus");
        if (!vector) {
            header.add("note: the Vector API provider is not active (run with --add-modules jdk.incubator.vector, "
                    + "as ./xent does); the machine bound uses scalar loops");
        }
        Path tmp = Files.createTempDirectory("xent-bench");
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "xent-bench-bound");
            t.setDaemon(true);
            return t;
        });
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<FusedCases.Row> fusedRows = new ArrayList<>();
        List<FusedCases.GemmRow> gemmRows = new ArrayList<>();
        String torchBlas = null;
        try {
            TorchSide torch = null;
            if (compareTorch) {
                torch = new TorchSide(python, tmp);
                if (torch.unavailable() != null) {
                    header.add("torch: not available: " + torch.unavailable() + "; showing the xent4j side only");
                    torch = null;
                } else {
                    header.add("torch " + torch.version() + " via " + python);
                }
            }
            for (String h : header) {
                o.println(h);
            }
            o.flush();
            XentSide xent = new XentSide(secs);
            MachineBound boundProbe = new MachineBound(pool, vector);
            if (!ceShapes.isEmpty() || bce != null) {
                xent.warmUp(threads);
                boundProbe.warmUp();
            }
            for (int[] shape : ceShapes) {
                o.printf(Locale.ROOT, "... cross_entropy %dx%d%n", shape[0], shape[1]);
                o.flush();
                rows.addAll(crossEntropyCase(shape[0], shape[1], xent, boundProbe, torch, secs, notes));
            }
            if (bce != null) {
                o.printf(Locale.ROOT, "... bce_with_logits %dx%d%n", bce[0], bce[1]);
                o.flush();
                rows.addAll(bceCase(bce[0], bce[1], xent, boundProbe, torch, secs, notes));
            }
            FusedCases fc = new FusedCases();
            if (!fusedShapes.isEmpty()) {
                fc.warmUp(threads, secs);
            }
            String blasLib = TorchSide.openblas(openblas);
            if (!fusedShapes.isEmpty() && torch != null && blasLib == null) {
                notes.add("fused cases: no OpenBLAS to preload (apt-get install libopenblas0-pthread, or --openblas PATH): "
                        + "torch runs on the system BLAS, on Debian the reference BLAS at a few GFLOP/s");
            }
            for (int[] f : fusedShapes) {
                o.printf(Locale.ROOT, "... linear_cross_entropy %dx%dx%d%n", f[0], f[1], f[2]);
                o.flush();
                fusedRows.addAll(fc.run(f[0], f[1], f[2], threads, torch, blasLib, secs, notes));
                boolean probed = gemmRows.stream().anyMatch(g -> g.n() == f[0] && g.d() == f[1]);
                if (!probed) {
                    gemmRows.addAll(fc.gemm(f[0], f[1], threads, pool, vector, secs));
                }
                if (torch != null) {
                    torchBlas = torch.blas();
                }
            }
        } finally {
            pool.shutdownNow();
            try (var files = Files.list(tmp)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(tmp);
        }
        String table = render(header, rows, FusedCases.render(fusedRows, gemmRows, torchBlas),
                fusedShapes.isEmpty() ? null : FusedCases.targets(fusedRows, gemmRows), notes, compareTorch);
        o.print(table);
        o.flush();
        if (out != null) {
            Path tmpOut = out.resolveSibling(out.getFileName() + ".tmp");
            Files.writeString(tmpOut, table, StandardCharsets.UTF_8);
            Files.move(tmpOut, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return 0;
    }

    private List<Row> crossEntropyCase(int n, int c, XentSide xent, MachineBound bound, TorchSide torch,
                                       double secs, List<String> notes) throws Exception {
        Random r = new Random(1234L + 31L * n + c);
        float[] logits = new float[n * c];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) r.nextGaussian();
        }
        int[] target = new int[n];
        for (int i = 0; i < n; i++) {
            target[i] = r.nextInt(c);
        }
        float[] grad = new float[logits.length];
        int[] dims = {n, c};
        List<TorchSide.Result> tr = torch == null ? List.of()
                : torch.crossEntropy(logits, target, n, c, threads, secs);
        List<Row> rows = new ArrayList<>();
        double gradMb = 4.0 * logits.length / (1 << 20);
        for (String mode : List.of("fwd", "fwd+bwd")) {
            boolean backward = mode.equals("fwd+bwd");
            for (int t : threads) {
                CrossEntropyLoss loss = CrossEntropyLoss.builder().reduction(Reduction.MEAN).threads(t).build();
                Timing.Call call = backward ? () -> xent.sink(loss.compute(logits, dims, target, null, null, grad))
                        : () -> xent.sink(loss.compute(logits, dims, target, null, null, null));
                double ms = Timing.bestMs(call, secs, 3);
                double allocMb = Timing.allocatedBytes(call) / (double) (1 << 20);
                double extraMb = allocMb + (backward ? gradMb : 0);
                MachineBound.Bound b = bound.measure(logits, backward ? grad : null, t, secs);
                TorchSide.Result reuse = find(tr, backward ? "fwdbwd" : "fwd", "reuse", t);
                TorchSide.Result dflt = find(tr, backward ? "fwdbwd" : "fwd", "default", t);
                rows.add(new Row("cross_entropy", n, c, mode, t, ms, extraMb,
                        reuse == null ? Double.NaN : reuse.ms(), dflt == null ? Double.NaN : dflt.ms(),
                        reuse == null ? Double.NaN : reuse.extraMb(), dflt == null ? Double.NaN : dflt.extraMb(), b));
            }
        }
        if (torch != null && !tr.isEmpty()) {
            double mine = CrossEntropyLoss.DEFAULTS.value(logits, dims, target);
            double theirs = tr.get(0).loss();
            double rel = Math.abs(mine - theirs) / Math.abs(theirs);
            notes.add(String.format(Locale.ROOT, "cross_entropy %dx%d: loss xent4j %.7f, torch %.7f (relative difference %.1e)%s",
                    n, c, mine, theirs, rel, rel > 1e-5 ? "  <-- MISMATCH" : ""));
        }
        // in place: the gradient overwrites the logits (on a copy), nothing else is allocated
        float[] work = logits.clone();
        CrossEntropyLoss one = CrossEntropyLoss.builder().reduction(Reduction.MEAN).build();
        long inPlace = Timing.allocatedBytes(() -> xent.sink(one.compute(work, dims, target, null, null, work)));
        notes.add(String.format(Locale.ROOT, "cross_entropy %dx%d in place (gradient over the logits): %d bytes allocated per call",
                n, c, inPlace));
        return rows;
    }

    private List<Row> bceCase(int n, int c, XentSide xent, MachineBound bound, TorchSide torch, double secs,
                              List<String> notes) throws Exception {
        Random r = new Random(99L + n + c);
        float[] logits = new float[n * c];
        float[] target = new float[n * c];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (2 * r.nextGaussian());
            target[i] = r.nextInt(2);
        }
        float[] grad = new float[logits.length];
        int[] dims = {n, c};
        List<TorchSide.Result> tr = torch == null ? List.of()
                : torch.bceWithLogits(logits, target, n, c, threads, secs);
        List<Row> rows = new ArrayList<>();
        double gradMb = 4.0 * logits.length / (1 << 20);
        for (String mode : List.of("fwd", "fwd+bwd")) {
            boolean backward = mode.equals("fwd+bwd");
            for (int t : threads) {
                BceWithLogitsLoss loss = BceWithLogitsLoss.builder().reduction(Reduction.MEAN).threads(t).build();
                Timing.Call call = backward ? () -> xent.sink(loss.compute(logits, dims, target, null, null, grad))
                        : () -> xent.sink(loss.compute(logits, dims, target, null, null, null));
                double ms = Timing.bestMs(call, secs, 3);
                double extraMb = Timing.allocatedBytes(call) / (double) (1 << 20) + (backward ? gradMb : 0);
                MachineBound.Bound b = bound.measure(logits, backward ? grad : null, t, secs);
                TorchSide.Result dflt = find(tr, backward ? "fwdbwd" : "fwd", "default", t);
                rows.add(new Row("bce_with_logits", n, c, mode, t, ms, extraMb, Double.NaN,
                        dflt == null ? Double.NaN : dflt.ms(), Double.NaN, dflt == null ? Double.NaN : dflt.extraMb(), b));
            }
        }
        if (torch != null && !tr.isEmpty()) {
            double mine = BceWithLogitsLoss.DEFAULTS.value(logits, dims, target);
            double theirs = tr.get(0).loss();
            double rel = Math.abs(mine - theirs) / Math.abs(theirs);
            notes.add(String.format(Locale.ROOT, "bce_with_logits %dx%d: loss xent4j %.7f, torch %.7f (relative difference %.1e)%s",
                    n, c, mine, theirs, rel, rel > 1e-5 ? "  <-- MISMATCH" : ""));
        }
        return rows;
    }

    private static TorchSide.Result find(List<TorchSide.Result> results, String mode, String variant, int threads) {
        for (TorchSide.Result r : results) {
            if (r.mode().equals(mode) && r.variant().equals(variant) && r.threads() == threads) {
                return r;
            }
        }
        return null;
    }

    /** The markdown table, notes and the summary line (always last). */
    static String render(List<String> header, List<Row> rows, List<String> notes, boolean torchAsked) {
        return render(header, rows, "", null, notes, torchAsked);
    }

    /** The same with the fused cases' tables after the main one and their targets line before the summary. */
    static String render(List<String> header, List<Row> rows, String fusedTables, String fusedTargets, List<String> notes,
                         boolean torchAsked) {
        StringBuilder sb = new StringBuilder();
        sb.append('\n');
        for (String h : header) {
            sb.append(h).append("  \n");
        }
        sb.append('\n');
        sb.append("| op | N x C | pass | thr | xent ms | Melem/s | torch ms (reuse) | torch ms (default) | vs torch | "
                + "bound ms (stream / exp) | xent / bound | extra MB xent | extra MB torch (reuse / default) |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %dx%d | %s | %d | %s | %.0f | %s | %s | %s | %s (%s / %s) | %.2f | %s | %s / %s |%n",
                    r.op(), r.n(), r.c(), r.mode(), r.threads(), ms(r.xentMs()), r.elements() / r.xentMs() / 1e3,
                    ms(r.torchReuseMs()), ms(r.torchDefaultMs()),
                    Double.isNaN(r.torchBestMs()) ? "-" : String.format(Locale.ROOT, "%.2fx", r.torchBestMs() / r.xentMs()),
                    ms(r.bound().ms()), ms(r.bound().streamMs()), ms(r.bound().expMs()), r.xentMs() / r.bound().ms(),
                    mb(r.xentExtraMb()), mb(r.torchReuseMb()), mb(r.torchDefaultMb())));
        }
        sb.append('\n');
        sb.append("vs torch: PyTorch's time (its reused-buffer best case where there is one, else its default) "
                + "divided by xent4j's; xent / bound: xent4j's time over max(stream, exp) measured in this run.  \n");
        sb.append('\n').append(fusedTables);
        for (String n : notes) {
            sb.append(n).append("  \n");
        }
        sb.append('\n');
        if (fusedTargets != null) {
            sb.append(fusedTargets).append('\n');
        }
        sb.append(summary(rows, torchAsked)).append('\n');
        return sb.toString();
    }

    static String summary(List<Row> rows, boolean torchAsked) {
        StringBuilder sb = new StringBuilder("summary: fwd+bwd speedup vs torch at C>=1000: ");
        String[] parts = new String[2];
        for (int t = 1; t <= 2; t++) {
            final int threads = t;
            double min = rows.stream()
                    .filter(r -> r.op().equals("cross_entropy") && r.mode().equals("fwd+bwd") && r.c() >= 1000
                            && r.threads() == threads && !Double.isNaN(r.torchBestMs()))
                    .map(r -> r.torchBestMs() / r.xentMs())
                    .min(Comparator.naturalOrder()).orElse(Double.NaN);
            parts[t - 1] = (Double.isNaN(min) ? (torchAsked ? "n/a" : "n/a (no --compare-torch)")
                    : String.format(Locale.ROOT, "min %.2fx", min)) + (t == 1 ? " (1 thread)" : " (2 threads)");
        }
        return sb.append(parts[0]).append(", ").append(parts[1]).toString();
    }

    private static String ms(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String mb(double v) {
        return Double.isNaN(v) ? "-" : v < 0 ? "?" : String.format(Locale.ROOT, "%.1f", v);
    }

    static int[] parseShape(String option, String s) {
        String[] p = s.trim().toLowerCase(Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                int n = Integer.parseInt(p[0]);
                int c = Integer.parseInt(p[1]);
                if (n >= 1 && c >= 1 && (long) n * c <= Integer.MAX_VALUE - 16) {
                    return new int[] {n, c};
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException(option + ": '" + s + "' must be NxC with N, C >= 1 and N*C < 2^31");
    }

    static int[] parseFused(String s) {
        String[] p = s.trim().toLowerCase(Locale.ROOT).split("x");
        try {
            if (p.length == 3) {
                int n = Integer.parseInt(p[0]);
                int d = Integer.parseInt(p[1]);
                int v = Integer.parseInt(p[2]);
                if (n >= 1 && d >= 1 && v >= 1 && (long) v * d <= Integer.MAX_VALUE - 16 && (long) n * d <= Integer.MAX_VALUE - 16) {
                    return new int[] {n, d, v};
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException("--fused: '" + s + "' must be NxDxV with N, D, V >= 1 and V*D, N*D < 2^31");
    }

    private static String cpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
