package io.github.xent4j.cli.bench;

import io.github.xent4j.BceLoss;
import io.github.xent4j.BceWithLogitsLoss;
import io.github.xent4j.CrossEntropyLoss;
import io.github.xent4j.DistillationLoss;
import io.github.xent4j.FocalLoss;
import io.github.xent4j.KlDivLoss;
import io.github.xent4j.NllLoss;
import io.github.xent4j.Reduction;
import io.github.xent4j.SigmoidFocalLoss;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The cases of {@code xent bench}: each one the same computation, on the same data, for xent4j
 * and for PyTorch (the op of the same name in torch_bench.py). The data of a case is made only when
 * the case runs (the large ones take hundreds of MB), from a seed fixed per case.
 */
final class Cases {

    private Cases() {
    }

    /** The xent4j side of a case: the loss, with the gradient into {@code grad} when it is not null. */
    @FunctionalInterface
    interface Xent {
        double run(int threads, float[] grad);
    }

    /**
     * One case.
     *
     * @param name      its id for {@code --cases}
     * @param op        the loss, as the table shows it
     * @param label     shape and options, as the table shows them
     * @param classes   C (for the summary's groups)
     * @param x         the input, whose shape the gradient has
     * @param also      further inputs of the input's size that the kernels read (a target), for the bound
     * @param xent      the xent4j computation
     * @param torch     the PyTorch side
     */
    record Case(String name, String op, String label, int classes, float[] x, float[][] also, Xent xent,
                TorchSide.Spec torch) {
        long elements() {
            return x.length;
        }
    }

    /** A case not yet made. */
    record Entry(String name, String description, Supplier<Case> make) {
    }

    static final String DEFAULT = "ce-1024x10,ce-8192x100,ce-4096x1000,ce-2048x32000,ce-512x128256,ce-weighted,"
            + "ce-kdim,ce-probs,nll,bce,bce-logits,bce-logits-posweight,kl,sigmoid-focal-4096x1000,sigmoid-focal-65536x100,"
            + "focal-4096x1000,focal-65536x100,distill-4096x1000,distill-65536x100";

    /** Every case at full size, or smaller ones for a quick run. */
    static List<Entry> catalogue(boolean quick) {
        List<Entry> all = new ArrayList<>();
        int[][] ce = quick
                ? new int[][] {{1024, 10}, {8192, 100}, {4096, 1000}, {256, 32000}, {64, 128256}}
                : new int[][] {{1024, 10}, {8192, 100}, {4096, 1000}, {2048, 32000}, {512, 128256}};
        String[] ceNames = {"ce-1024x10", "ce-8192x100", "ce-4096x1000", "ce-2048x32000", "ce-512x128256"};
        for (int i = 0; i < ce.length; i++) {
            int n = ce[i][0];
            int c = ce[i][1];
            all.add(new Entry(ceNames[i], "cross-entropy " + n + "x" + c, () -> crossEntropy(n, c, false)));
        }
        int rows = quick ? 512 : 4096;
        all.add(new Entry("ce-weighted", "cross-entropy " + rows + "x1000, class weights + label smoothing 0.1 + 10% ignored",
                () -> crossEntropy(rows, 1000, true)));
        int[] kdim = quick ? new int[] {4, 21, 64, 64} : new int[] {32, 21, 64, 64};
        all.add(new Entry("ce-kdim", "cross-entropy on K-dim input " + shape(kdim), () -> crossEntropyKdim(kdim)));
        all.add(new Entry("ce-probs", "cross-entropy with probability targets " + rows + "x1000", () -> crossEntropyProbs(rows, 1000)));
        int nllRows = quick ? 1024 : 8192;
        all.add(new Entry("nll", "nll_loss " + nllRows + "x1000", () -> nll(nllRows, 1000)));
        int bceRows = quick ? 8192 : 65536;
        all.add(new Entry("bce", "binary_cross_entropy (probabilities) " + bceRows + "x100", () -> bce(bceRows, 100)));
        all.add(new Entry("bce-logits", "binary_cross_entropy_with_logits " + bceRows + "x100", () -> bceLogits(bceRows, 100, false)));
        all.add(new Entry("bce-logits-posweight", "binary_cross_entropy_with_logits + pos_weight (100) " + bceRows + "x100",
                () -> bceLogits(bceRows, 100, true)));
        all.add(new Entry("kl", "kl_div batchmean " + rows + "x1000", () -> kl(rows, 1000)));
        // the rest of the family, against the same formulas written out in PyTorch
        int[][] family = quick ? new int[][] {{512, 1000}, {8192, 100}} : new int[][] {{4096, 1000}, {65536, 100}};
        String[] sizes = {"4096x1000", "65536x100"};
        for (int i = 0; i < family.length; i++) {
            int n = family[i][0];
            int c = family[i][1];
            String size = sizes[i];
            all.add(new Entry("sigmoid-focal-" + size, "sigmoid focal loss (torchvision's) " + n + "x" + c
                    + ", alpha 0.25, gamma 2, mean", () -> sigmoidFocal(n, c, size)));
            all.add(new Entry("focal-" + size, "softmax focal loss " + n + "x" + c + ", gamma 2, mean",
                    () -> focal(n, c, size)));
            all.add(new Entry("distill-" + size, "distillation " + n + "x" + c
                    + ", T 2, alpha 0.5 with hard labels, batchmean", () -> distill(n, c, size)));
        }
        return all;
    }

    static String shape(int[] s) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < s.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(s[i]);
        }
        return sb.append(')').toString();
    }

    private static float[] gaussian(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    private static int[] classIndices(Random r, int n, int c, double ignored) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextDouble() < ignored ? -100 : r.nextInt(c);
        }
        return t;
    }

    private static double[] weights(Random r, int c) {
        double[] w = new double[c];
        for (int i = 0; i < c; i++) {
            w[i] = 0.5 + r.nextDouble();
        }
        return w;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    /** One loss per thread count, made once per case. */
    private static <L> IntFunction<L> perThreads(IntFunction<L> make) {
        Map<Integer, L> made = new LinkedHashMap<>();
        return t -> made.computeIfAbsent(t, make::apply);
    }

    private static Case crossEntropy(int n, int c, boolean weighted) {
        Random r = new Random(1234L + 31L * n + c + (weighted ? 7 : 0));
        float[] x = gaussian(r, n * c, 1);
        int[] t = classIndices(r, n, c, weighted ? 0.1 : 0);
        int[] shape = {n, c};
        double[] w = weighted ? weights(r, c) : null;
        double eps = weighted ? 0.1 : 0;
        IntFunction<CrossEntropyLoss> loss = perThreads(th -> CrossEntropyLoss.builder().threads(th).weight(w)
                .labelSmoothing(eps).build());
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("x", x);
        arrays.put("t", t);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("shape", n + "," + c);
        if (weighted) {
            arrays.put("w", toFloat(w));
            params.put("label_smoothing", "0.1");
        }
        String name = weighted ? "ce-weighted" : "ce-" + n + "x" + c;
        return new Case(name, "cross_entropy", n + "x" + c + (weighted ? " w+ls0.1+10% ign" : ""), c, x, new float[0][],
                (th, g) -> loss.apply(th).compute(x, shape, t, null, null, g), new TorchSide.Spec("ce", arrays, params));
    }

    private static Case crossEntropyKdim(int[] shape) {
        Random r = new Random(4321);
        int positions = shape[0] * shape[2] * shape[3];
        float[] x = gaussian(r, positions * shape[1], 1);
        int[] t = classIndices(r, positions, shape[1], 0);
        IntFunction<CrossEntropyLoss> loss = perThreads(th -> CrossEntropyLoss.builder().threads(th).build());
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("x", x);
        arrays.put("t", t);
        Map<String, String> params = Map.of("shape", shape[0] + "," + shape[1] + "," + shape[2] + "," + shape[3]);
        return new Case("ce-kdim", "cross_entropy", shape(shape), shape[1], x, new float[0][],
                (th, g) -> loss.apply(th).compute(x, shape, t, null, null, g), new TorchSide.Spec("ce", arrays, params));
    }

    private static Case crossEntropyProbs(int n, int c) {
        Random r = new Random(99L + n + c);
        float[] x = gaussian(r, n * c, 1);
        float[] t = new float[n * c];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < c; k++) {
                t[i * c + k] = r.nextFloat();
                s += t[i * c + k];
            }
            for (int k = 0; k < c; k++) {
                t[i * c + k] /= (float) s;
            }
        }
        int[] shape = {n, c};
        IntFunction<CrossEntropyLoss> loss = perThreads(th -> CrossEntropyLoss.builder().threads(th).build());
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("x", x);
        arrays.put("t", t);
        return new Case("ce-probs", "cross_entropy", n + "x" + c + " probability targets", c, x, new float[][] {t},
                (th, g) -> loss.apply(th).compute(x, shape, t, null, null, g),
                new TorchSide.Spec("ce", arrays, Map.of("shape", n + "," + c)));
    }

    private static Case nll(int n, int c) {
        Random r = new Random(555L + n);
        float[] x = gaussian(r, n * c, 1);
        for (int i = 0; i < x.length; i++) {
            x[i] = -Math.abs(x[i]) - 0.01f; // log-probabilities are <= 0
        }
        int[] t = classIndices(r, n, c, 0);
        int[] shape = {n, c};
        IntFunction<NllLoss> loss = perThreads(th -> NllLoss.builder().threads(th).build());
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("x", x);
        arrays.put("t", t);
        return new Case("nll", "nll_loss", n + "x" + c, c, x, new float[0][],
                (th, g) -> loss.apply(th).compute(x, shape, t, null, null, g),
                new TorchSide.Spec("nll", arrays, Map.of("shape", n + "," + c)));
    }

    private static Case bce(int n, int c) {
        Random r = new Random(77L + n);
        float[] x = new float[n * c];
        float[] y = new float[n * c];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.001f + 0.998f * r.nextFloat();
            y[i] = r.nextInt(2);
        }
        int[] shape = {n, c};
        IntFunction<BceLoss> loss = perThreads(th -> BceLoss.builder().threads(th).build());
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("x", x);
        arrays.put("t", y);
        return new Case("bce", "binary_cross_entropy", n + "x" + c, c, x, new float[][] {y},
                (th, g) -> loss.apply(th).compute(x, shape, y, null, null, g),
                new TorchSide.Spec("bce", arrays, Map.of("shape", n + "," + c)));
    }

    private static Case bceLogits(int n, int c, boolean posWeight) {
        Random r = new Random(99L + n + c + (posWeight ? 1 : 0));
        float[] x = gaussian(r, n * c, 2);
        float[] y = new float[n * c];
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(2);
        }
        int[] shape = {n, c};
        double[] pw = posWeight ? weights(r, c) : null;
        IntFunction<BceWithLogitsLoss> loss = perThreads(th -> BceWithLogitsLoss.builder().threads(th)
                .posWeight(pw, c).build());
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("x", x);
        arrays.put("t", y);
        if (posWeight) {
            arrays.put("pw", toFloat(pw));
        }
        return new Case(posWeight ? "bce-logits-posweight" : "bce-logits", "bce_with_logits",
                n + "x" + c + (posWeight ? " pos_weight (" + c + ")" : ""), c, x, new float[][] {y},
                (th, g) -> loss.apply(th).compute(x, shape, y, null, null, g),
                new TorchSide.Spec("bce_logits", arrays, Map.of("shape", n + "," + c)));
    }

    private static Case kl(int n, int c) {
        Random r = new Random(31L + n);
        float[] logQ = new float[n * c];
        float[] p = new float[n * c];
        for (int i = 0; i < n; i++) {
            double sq = 0;
            double sp = 0;
            for (int k = 0; k < c; k++) {
                logQ[i * c + k] = (float) r.nextGaussian();
                sq += Math.exp(logQ[i * c + k]);
                p[i * c + k] = r.nextFloat();
                sp += p[i * c + k];
            }
            for (int k = 0; k < c; k++) {
                logQ[i * c + k] -= (float) Math.log(sq);
                p[i * c + k] /= (float) sp;
            }
        }
        int[] shape = {n, c};
        IntFunction<KlDivLoss> loss = perThreads(th -> KlDivLoss.builder().reduction(Reduction.BATCHMEAN).threads(th).build());
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("x", logQ);
        arrays.put("t", p);
        return new Case("kl", "kl_div", n + "x" + c + " batchmean", c, logQ, new float[][] {p},
                (th, g) -> loss.apply(th).compute(logQ, shape, p, null, null, g),
                new TorchSide.Spec("kl", arrays, Map.of("shape", n + "," + c, "reduction", "batchmean")));
    }

    private static Case sigmoidFocal(int n, int c, String size) {
        Random r = new Random(2024L + n + c);
        float[] x = gaussian(r, n * c, 2);
        float[] y = new float[n * c];
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(10) == 0 ? 1 : 0;
        }
        int[] shape = {n, c};
        IntFunction<SigmoidFocalLoss> loss = perThreads(th -> SigmoidFocalLoss.builder().reduction(Reduction.MEAN)
                .threads(th).build());
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("x", x);
        arrays.put("t", y);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("shape", n + "," + c);
        params.put("alpha", "0.25");
        params.put("gamma", "2");
        return new Case("sigmoid-focal-" + size, "sigmoid_focal_loss", n + "x" + c + " a0.25 g2 mean", c, x, new float[][] {y},
                (th, g) -> loss.apply(th).compute(x, shape, y, null, null, g), new TorchSide.Spec("sigmoid_focal", arrays, params));
    }

    private static Case focal(int n, int c, String size) {
        Random r = new Random(2025L + n + c);
        float[] x = gaussian(r, n * c, 2);
        int[] t = classIndices(r, n, c, 0);
        int[] shape = {n, c};
        IntFunction<FocalLoss> loss = perThreads(th -> FocalLoss.builder().gamma(2).threads(th).build());
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("x", x);
        arrays.put("t", t);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("shape", n + "," + c);
        params.put("gamma", "2");
        return new Case("focal-" + size, "focal_loss", n + "x" + c + " g2 mean", c, x, new float[0][],
                (th, g) -> loss.apply(th).compute(x, shape, t, null, null, g), new TorchSide.Spec("focal", arrays, params));
    }

    private static Case distill(int n, int c, String size) {
        Random r = new Random(2026L + n + c);
        float[] x = gaussian(r, n * c, 2);
        float[] teacher = gaussian(r, n * c, 2);
        int[] t = classIndices(r, n, c, 0);
        int[] shape = {n, c};
        IntFunction<DistillationLoss> loss = perThreads(th -> DistillationLoss.builder().temperature(2).alpha(0.5)
                .threads(th).build());
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("x", x);
        arrays.put("t", t);
        arrays.put("teacher", teacher);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("shape", n + "," + c);
        params.put("temperature", "2");
        params.put("alpha", "0.5");
        return new Case("distill-" + size, "distillation", n + "x" + c + " T2 a0.5 batchmean", c, x, new float[][] {teacher},
                (th, g) -> loss.apply(th).compute(x, shape, teacher, t, null, null, g),
                new TorchSide.Spec("distill", arrays, params));
    }

    /** The entries named in a comma-separated list, in catalogue order; unknown names are an error. */
    static List<Entry> select(List<Entry> all, List<String> names) {
        List<Entry> picked = new ArrayList<>();
        for (String name : names) {
            String want = name.trim().toLowerCase(Locale.ROOT);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("ce-(\\d{1,9})x(\\d{1,9})").matcher(want);
            Entry e = all.stream().filter(x -> x.name().equals(want)).findFirst().orElse(null);
            if (e == null && m.matches()) {
                long n = Long.parseLong(m.group(1));
                long c = Long.parseLong(m.group(2));
                if (n < 1 || c < 1 || n * c > Integer.MAX_VALUE - 16) {
                    throw new IllegalArgumentException("--cases: '" + name + "' must be ce-NxC with N, C >= 1 and N*C < 2^31");
                }
                e = new Entry(want, "cross-entropy " + n + "x" + c, () -> crossEntropy((int) n, (int) c, false));
            }
            if (e == null) {
                throw new IllegalArgumentException("--cases: '" + name + "' is not a case; the cases are: "
                        + String.join(", ", all.stream().map(Entry::name).toList()) + ", or ce-NxC");
            }
            picked.add(e);
        }
        return picked;
    }
}
