package io.github.xent4j.cli.bench;

import io.github.xent4j.Xent4j;
import io.github.xent4j.cli.io.AtomicOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code xent bench}: times xent4j (and, with {@code --compare-torch}, PyTorch on the same data with
 * the same thread counts, under its fastest settings) on the cases of {@link Cases}, and prints a
 * markdown table: ms, Melem/s, the ratio to PyTorch, the ratio to the machine bound, and the peak
 * extra memory of each side; then the targets of the speed issues, met or missed, and as the last
 * line a {@code summary:}.
 *
 * <p>The fused linear + cross-entropy cases ({@code flce-NxDxV}: {@value #DEFAULT_FUSED} unless
 * {@code --cases} names others, or none) add a table of their own, the GEMM's throughput next to
 * the measured FMA peak, and a {@code summary fused} line with the targets of issue 9 before the
 * last line ({@link FusedCases}); each of their calls takes seconds.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark the active xent4j kernels, optionally side by side with PyTorch (python3 + torch).",
                "Each case is timed forward and forward+backward (MEAN, float32) per thread count; each time is the "
                        + "best of repeated calls on warm buffers. PyTorch runs as a user starts it and with its "
                        + "buffers reused (and with its AVX-512 dispatch on AVX-512 CPUs); the table shows its best."},
        footerHeading = "%nCases:%n", footer = {"  " + Cases.DEFAULT + "," + BenchCommand.DEFAULT_FUSED,
                "  ce-NxC (any cross-entropy shape), flce-NxDxV (fused linear + cross-entropy: hidden N x D, vocabulary V)"})
public final class BenchCommand implements Callable<Integer> {

    /** The fused linear + cross-entropy cases of issue 9 (N x D x V), and the one a quick run takes. */
    static final String DEFAULT_FUSED = "flce-1024x2048x32000,flce-1024x2048x128256";
    static final String QUICK_FUSED = "flce-256x512x4096";

    @Spec
    CommandSpec spec;

    @Option(names = "--compare-torch", description = "Also time PyTorch (via --python) on the same data.")
    boolean compareTorch;

    @Option(names = "--threads", split = ",", defaultValue = "1,2", paramLabel = "N[,N...]",
            description = "Thread counts (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--cases", split = ",", paramLabel = "NAME[,NAME...]",
            description = "The cases to run, in this order (default: all; names below).")
    List<String> cases;

    @Option(names = "--quick", description = "Smaller shapes and shorter timings (a CI-sized run).")
    boolean quick;

    @Option(names = "--seconds", paramLabel = "S",
            description = "Time budget per measurement, per side (default 1.0; with --quick 0.15).")
    Double seconds;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "PATH",
            description = "Python with torch and numpy (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--out", paramLabel = "FILE.md", description = "Also write the table to this file.")
    Path out;

    @Option(names = "--openblas", paramLabel = "PATH",
            description = "The OpenBLAS the torch side of the fused cases preloads (LD_PRELOAD; default: "
                    + "libopenblas.so.0 where Debian installs it, if present; 'none': the system BLAS, on Debian the "
                    + "reference BLAS).")
    String openblas;

    /** One line of the table. */
    record Row(String op, String label, int classes, long elements, String mode, int threads, double xentMs,
               double xentExtraMb, double torchMs, String torchSetting, double torchExtraMb, MachineBound.Bound bound) {
        double speedup() {
            return torchMs / xentMs;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Cases.Entry> run;
        List<int[]> fusedShapes = new ArrayList<>();
        try {
            List<Cases.Entry> all = Cases.catalogue(quick);
            List<String> named = new ArrayList<>();
            for (String c : cases == null ? List.of((quick ? QUICK_FUSED : DEFAULT_FUSED).split(",")) : cases) {
                if (c.strip().toLowerCase(Locale.ROOT).startsWith("flce-")) {
                    fusedShapes.add(parseFused(c.strip()));
                } else {
                    named.add(c);
                }
            }
            run = cases == null ? all : named.isEmpty() ? List.of() : Cases.select(all, named);
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
        header.add("kernels: " + kernels + "; java " + System.getProperty("java.version") + "; " + Machine.cpu()
                + " (" + Machine.isa() + "); " + Runtime.getRuntime().availableProcessors() + " cpus");
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
                    header.add("torch " + torch.version() + " via " + python + "; settings tried: "
                            + TorchSide.settings().size() + (Machine.avx512() ? " (default and avx512 dispatch, "
                            + "fresh and reused memory)" : " (fresh and reused memory)"));
                }
            }
            for (String h : header) {
                o.println(h);
            }
            o.flush();
            XentSide xent = new XentSide(secs);
            MachineBound boundProbe = new MachineBound(pool, vector);
            if (!run.isEmpty()) {
                xent.warmUp(threads);
                boundProbe.warmUp();
            }
            for (Cases.Entry e : run) {
                o.printf(Locale.ROOT, "... %s%n", e.description());
                o.flush();
                rows.addAll(runCase(e.make().get(), xent, boundProbe, torch, secs, notes));
            }
            if (!fusedShapes.isEmpty()) {
                FusedCases fc = new FusedCases();
                fc.warmUp(threads, secs);
                String blasLib = TorchSide.openblas(openblas);
                if (torch != null && blasLib == null) {
                    notes.add("fused cases: no OpenBLAS to preload (apt-get install libopenblas0-pthread, or --openblas PATH): "
                            + "torch runs on the system BLAS, on Debian the reference BLAS at a few GFLOP/s");
                }
                for (int[] f : fusedShapes) {
                    o.printf(Locale.ROOT, "... linear_cross_entropy %dx%dx%d%n", f[0], f[1], f[2]);
                    o.flush();
                    fusedRows.addAll(fc.run(f[0], f[1], f[2], threads, torch, blasLib, secs, notes));
                    if (gemmRows.stream().noneMatch(g -> g.n() == f[0] && g.d() == f[1])) {
                        gemmRows.addAll(fc.gemm(f[0], f[1], threads, pool, vector, secs));
                    }
                    if (torch != null) {
                        torchBlas = torch.blas();
                    }
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
            try (AtomicOutput file = AtomicOutput.create(out)) {
                file.stream().write(table.getBytes(StandardCharsets.UTF_8));
                file.commit();
            }
        }
        return 0;
    }

    private List<Row> runCase(Cases.Case c, XentSide xent, MachineBound bound, TorchSide torch, double secs,
                              List<String> notes) throws Exception {
        float[] grad = new float[c.x().length];
        List<TorchSide.Result> tr = torch == null ? List.of() : torch.run(c.torch(), threads, secs);
        List<Row> rows = new ArrayList<>();
        double gradMb = 4.0 * grad.length / (1 << 20);
        for (String mode : List.of("fwd", "fwd+bwd")) {
            boolean backward = mode.equals("fwd+bwd");
            for (int t : threads) {
                Timing.Call call = () -> xent.sink(c.xent().run(t, backward ? grad : null));
                xent.warm(call);
                double ms = Timing.bestMs(call, secs, 3);
                double extraMb = Timing.allocatedBytes(call) / (double) (1 << 20) + (backward ? gradMb : 0);
                MachineBound.Bound b = bound.measure(c.x(), c.also(), backward ? grad : null, t, secs);
                TorchSide.Result best = best(tr, backward ? "fwdbwd" : "fwd", t);
                rows.add(new Row(c.op(), c.label(), c.classes(), c.elements(), mode, t, ms, extraMb,
                        best == null ? Double.NaN : best.ms(), best == null ? "-" : best.variant(),
                        best == null ? Double.NaN : best.extraMb(), b));
            }
        }
        if (!tr.isEmpty()) {
            double mine = c.xent().run(1, null);
            double theirs = tr.get(0).loss();
            double rel = Math.abs(mine - theirs) / Math.max(Math.abs(theirs), 1e-30);
            notes.add(String.format(Locale.ROOT, "%s %s: loss xent4j %.7f, torch %.7f (relative difference %.1e)%s",
                    c.op(), c.label(), mine, theirs, rel, rel > 1e-5 ? "  <-- MISMATCH" : ""));
        }
        if (c.name().startsWith("ce-") && c.x().length <= (1 << 28) && c.also().length == 0) {
            // in place: the gradient overwrites the input (a copy), so nothing the size of the input is allocated
            float[] work = c.x().clone();
            long bytes = Timing.allocatedBytes(() -> xent.sink(c.xent().run(1, work)));
            notes.add(String.format(Locale.ROOT, "%s %s, gradient into a reused buffer: %d bytes allocated per call",
                    c.op(), c.label(), bytes));
        }
        return rows;
    }

    /** PyTorch's fastest result for a pass and thread count, over its variants and settings. */
    private static TorchSide.Result best(List<TorchSide.Result> results, String mode, int threads) {
        TorchSide.Result best = null;
        for (TorchSide.Result r : results) {
            if (r.mode().equals(mode) && r.threads() == threads && (best == null || r.ms() < best.ms())) {
                best = r;
            }
        }
        return best;
    }

    /** The markdown table, notes, the targets and the summary line (always last). */
    static String render(List<String> header, List<Row> rows, List<String> notes, boolean torchAsked) {
        return render(header, rows, "", null, notes, torchAsked);
    }

    /** The same with the fused cases' tables after the main one and their targets before the summary. */
    static String render(List<String> header, List<Row> rows, String fusedTables, String fusedTargets,
                         List<String> notes, boolean torchAsked) {
        StringBuilder sb = new StringBuilder();
        sb.append('\n');
        for (String h : header) {
            sb.append(h).append("  \n");
        }
        sb.append('\n');
        sb.append("| op | case | pass | thr | xent ms | Melem/s | torch ms (best setting) | vs torch | "
                + "bound ms (stream / exp) | xent / bound | extra MB xent | extra MB torch |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %.0f | %s | %s | %s (%s / %s) | %.2f | %s | %s |%n",
                    r.op(), r.label(), r.mode(), r.threads(), ms(r.xentMs()), r.elements() / r.xentMs() / 1e3,
                    Double.isNaN(r.torchMs()) ? "-" : ms(r.torchMs()) + " (" + r.torchSetting() + ")",
                    Double.isNaN(r.torchMs()) ? "-" : String.format(Locale.ROOT, "%.2fx", r.speedup()),
                    ms(r.bound().ms()), ms(r.bound().streamMs()), ms(r.bound().expMs()), r.xentMs() / r.bound().ms(),
                    mb(r.xentExtraMb()), mb(r.torchExtraMb())));
        }
        sb.append('\n');
        sb.append("vs torch: PyTorch's best time (over its variants and settings: reuse = its out= kernels, "
                + "+recycled = glibc reusing freed memory, +avx512 = ATEN_CPU_CAPABILITY=avx512) divided by xent4j's; "
                + "xent / bound: xent4j's time over max(stream, exp) measured in this run.  \n");
        sb.append('\n').append(fusedTables);
        for (String n : notes) {
            sb.append(n).append("  \n");
        }
        sb.append('\n');
        for (String t : targets(rows, torchAsked)) {
            sb.append(t).append("  \n");
        }
        if (fusedTargets != null) {
            sb.append(fusedTargets).append("  \n");
        }
        sb.append('\n');
        sb.append(summary(rows, torchAsked)).append('\n');
        return sb.toString();
    }

    /** The minimum fwd+bwd speed-up over the rows a filter keeps, per thread count 1 and 2. */
    private static double[] minSpeedup(List<Row> rows, java.util.function.Predicate<Row> keep) {
        double[] min = {Double.NaN, Double.NaN};
        for (Row r : rows) {
            if (r.mode().equals("fwd+bwd") && r.threads() <= 2 && !Double.isNaN(r.torchMs()) && keep.test(r)) {
                int i = r.threads() - 1;
                min[i] = Double.isNaN(min[i]) ? r.speedup() : Math.min(min[i], r.speedup());
            }
        }
        return min;
    }

    private static String met(String what, double[] min, double target, boolean torchAsked) {
        if (Double.isNaN(min[0]) && Double.isNaN(min[1])) {
            return "target: " + what + " >= " + target + "x: n/a" + (torchAsked ? "" : " (no --compare-torch)");
        }
        StringBuilder sb = new StringBuilder("target: " + what + " >= " + target + "x: ");
        String sep = "";
        for (int i = 0; i < 2; i++) {
            if (!Double.isNaN(min[i])) {
                sb.append(sep).append(String.format(Locale.ROOT, "min %.2fx (%d thread%s) %s",
                        min[i], i + 1, i == 0 ? "" : "s", min[i] >= target ? "met" : "MISSED"));
                sep = ", ";
            }
        }
        return sb.toString();
    }

    /** The speed targets of the issues, met or missed in this run. */
    static List<String> targets(List<Row> rows, boolean torchAsked) {
        List<String> t = new ArrayList<>();
        t.add(met("every case, fwd+bwd", minSpeedup(rows, r -> true), 2.0, torchAsked));
        t.add(met("cross-entropy at C >= 1000 (plain, weighted, probabilities)",
                minSpeedup(rows, r -> r.op().equals("cross_entropy") && r.classes() >= 1000), 3.5, torchAsked));
        t.add(met("cross-entropy K-dim", minSpeedup(rows, r -> r.op().equals("cross_entropy") && r.label().startsWith("(")),
                3.0, torchAsked));
        double worstLarge = 0;
        double worstOther = 0;
        for (Row r : rows) {
            double q = r.xentMs() / r.bound().ms();
            if (r.op().equals("cross_entropy") && r.classes() >= 32000) {
                worstLarge = Math.max(worstLarge, q);
            } else {
                worstOther = Math.max(worstOther, q);
            }
        }
        t.add(String.format(Locale.ROOT, "target: within 1.3x of the machine bound at C >= 32000: worst %.2fx %s; "
                + "within 2x elsewhere: worst %.2fx %s", worstLarge, worstLarge <= 1.3 ? "met" : "MISSED",
                worstOther, worstOther <= 2 ? "met" : "MISSED"));
        return t;
    }

    /** The last line: the minimum fwd+bwd speed-up over all cases, per thread count. */
    static String summary(List<Row> rows, boolean torchAsked) {
        double[] min = minSpeedup(rows, r -> true);
        String[] parts = new String[2];
        for (int i = 0; i < 2; i++) {
            parts[i] = (Double.isNaN(min[i]) ? (torchAsked ? "n/a" : "n/a (no --compare-torch)")
                    : String.format(Locale.ROOT, "min %.2fx", min[i])) + (i == 0 ? " (1 thread)" : " (2 threads)");
        }
        return "summary: fwd+bwd speedup vs torch over all cases: " + parts[0] + ", " + parts[1];
    }

    /** A fused case's name: flce-NxDxV. */
    static int[] parseFused(String s) {
        String[] p = s.substring("flce-".length()).toLowerCase(Locale.ROOT).split("x");
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
        throw new IllegalArgumentException("--cases: '" + s + "' must be flce-NxDxV with N, D, V >= 1 and V*D, N*D < 2^31");
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
}
