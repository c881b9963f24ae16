package io.github.xent4j;

import io.github.xent4j.LinearCrossEntropyLoss.DoubleOutputs;
import io.github.xent4j.LinearCrossEntropyLoss.FloatOutputs;
import io.github.xent4j.LinearCrossEntropyLoss.Result;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Properties of the fused loss: it is CrossEntropyLoss on the materialised logits (float64, 1e-12),
 * its gradients are the finite differences of its value (every option on), its results are bitwise
 * the same for any chunk size, memory budget and thread count, loss-only and streamed calls agree
 * with the full call, and bad input is rejected before any output is written. A failing property
 * prints its seed (jqwik).
 */
class LinearCrossEntropyPropertiesTest {

    /** A random problem: N rows of D, V classes, some ignored targets. */
    static final class P {
        final int n, d, v;
        final double[] h, w, b, tw, up;
        final int[] y;

        P(Random r, int n, int d, int v, double ignored, boolean bias, double scale) {
            this.n = n;
            this.d = d;
            this.v = v;
            h = gaussian(r, n * d, 1);
            w = gaussian(r, v * d, scale / Math.sqrt(Math.max(1, d)));
            b = bias ? gaussian(r, v, 0.5) : null;
            y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = r.nextDouble() < ignored ? -100 : r.nextInt(v);
            }
            tw = new double[n];
            for (int i = 0; i < n; i++) {
                tw[i] = 2 * r.nextDouble();
            }
            up = gaussian(r, n, 1);
        }

        int[] hs() {
            return new int[] {n, d};
        }

        int[] ws() {
            return new int[] {v, d};
        }

        /** The logits input . W^T + b, in double. */
        double[] logits() {
            double[] z = new double[n * v];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < v; j++) {
                    double s = b == null ? 0 : b[j];
                    for (int k = 0; k < d; k++) {
                        s += h[i * d + k] * w[j * d + k];
                    }
                    z[i * v + j] = s;
                }
            }
            return z;
        }
    }

    static double[] gaussian(Random r, int len, double scale) {
        double[] a = new double[len];
        for (int i = 0; i < len; i++) {
            a[i] = r.nextGaussian() * scale;
        }
        return a;
    }

    static float[] f(double[] a) {
        return LinearCrossEntropyGoldenTest.f(a);
    }

    static void close(String what, double[] expected, double[] actual, double rtol) {
        assertEquals(expected.length, actual.length, what);
        double scale = 1e-300;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= rtol * scale)) {
                fail(what + "[" + i + "]: expected " + expected[i] + " but was " + actual[i] + " (scale " + scale + ")");
            }
        }
    }

    // ---------------------------------------------------------------- = CrossEntropyLoss on the logits

    @Property(tries = 40)
    void equalsCrossEntropyLossOnTheMaterialisedLogitsInFloat64(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int n,
                                                                @ForAll @IntRange(min = 1, max = 30) int d,
                                                                @ForAll @IntRange(min = 1, max = 50) int v) {
        Random r = new Random(seed);
        P p = new P(r, n, d, v, 0.2, r.nextBoolean(), 3);
        Reduction red = Reduction.values()[r.nextInt(3)];
        double[] cw = r.nextBoolean() ? gaussian(r, v, 0.3) : null;
        if (cw != null) {
            for (int j = 0; j < v; j++) {
                cw[j] = 0.2 + Math.abs(cw[j]);
            }
        }
        double eps = r.nextBoolean() ? 0.15 : 0;
        CrossEntropyLoss ce = CrossEntropyLoss.builder().weight(cw).labelSmoothing(eps).reduction(red).build();
        LinearCrossEntropyLoss fl = LinearCrossEntropyLoss.builder().weight(cw).labelSmoothing(eps).reduction(red)
                .threads(1 + r.nextInt(3)).build();
        double[] z = p.logits();
        double[] up = red == Reduction.NONE ? p.up : null;
        double[] g = new double[z.length];
        double[] lossOut = new double[n];
        double expected = ce.compute(z, new int[] {n, v}, p.y, up, lossOut, g);
        double[] gi = new double[n * d];
        double[] gw = new double[v * d];
        double[] gb = p.b == null ? null : new double[v];
        double[] tl = new double[n];
        Result res = fl.compute(p.h, p.hs(), p.w, p.ws(), p.b, p.y, null, up,
                DoubleOutputs.gradients(gi, gw, gb).withTokenLoss(tl));
        if (Double.isNaN(expected)) {
            assertTrue(Double.isNaN(res.value()));
        } else {
            assertEquals(expected, res.value(), 1e-12 * Math.max(1, Math.abs(expected)), "seed " + seed);
        }
        close("tokenLoss", lossOut, tl, 1e-12);
        // the chain rule through the linear layer, in double: dH = G W, dW = G^T H, db = column sums of G
        double[] eh = new double[n * d];
        double[] ew = new double[v * d];
        double[] eb = new double[v];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < v; j++) {
                double gij = g[i * v + j];
                eb[j] += gij;
                for (int k = 0; k < d; k++) {
                    eh[i * d + k] += gij * p.w[j * d + k];
                    ew[j * d + k] += gij * p.h[i * d + k];
                }
            }
        }
        close("gradInput", eh, gi, 1e-12);
        close("gradLinearWeight", ew, gw, 1e-12);
        if (gb != null) {
            close("gradLinearBias", eb, gb, 1e-12);
        }
    }

    // ---------------------------------------------------------------- finite differences

    @Property(tries = 25)
    void gradientsAreTheFiniteDifferencesOfTheValueWithEveryOptionOn(@ForAll long seed) {
        Random r = new Random(seed);
        int n = 3 + r.nextInt(5);
        int d = 1 + r.nextInt(5);
        int v = 2 + r.nextInt(6);
        P p = new P(r, n, d, v, 0.25, true, 2);
        p.y[0] = r.nextInt(v); // at least one counted token: an all-ignored MEAN is NaN, with nothing to differentiate
        Reduction red = Reduction.values()[r.nextInt(3)];
        double[] cw = new double[v];
        for (int j = 0; j < v; j++) {
            cw[j] = 0.3 + r.nextDouble();
        }
        LinearCrossEntropyLoss loss = LinearCrossEntropyLoss.builder().reduction(red).weight(cw).labelSmoothing(0.1)
                .zLoss(0.05).softcap(2.5).build();
        double[] up = red == Reduction.NONE ? p.up : null;
        double[] gi = new double[n * d];
        double[] gw = new double[v * d];
        double[] gb = new double[v];
        loss.compute(p.h, p.hs(), p.w, p.ws(), p.b, p.y, p.tw, up, DoubleOutputs.gradients(gi, gw, gb));
        // the scalar whose gradient that is: the value, or sum(upstream * per-token loss) for NONE
        java.util.function.Supplier<Double> f = () -> {
            double[] tl = new double[n];
            Result res = loss.compute(p.h, p.hs(), p.w, p.ws(), p.b, p.y, p.tw, up, DoubleOutputs.none().withTokenLoss(tl));
            if (red != Reduction.NONE) {
                return res.value();
            }
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += p.up[i] * tl[i];
            }
            return s;
        };
        checkFd("gradInput", p.h, gi, f, seed);
        checkFd("gradLinearWeight", p.w, gw, f, seed);
        checkFd("gradLinearBias", p.b, gb, f, seed);
    }

    private static void checkFd(String what, double[] x, double[] grad, java.util.function.Supplier<Double> f, long seed) {
        double h = 1e-6;
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + h;
            double plus = f.get();
            x[i] = keep - h;
            double minus = f.get();
            x[i] = keep;
            double fd = (plus - minus) / (2 * h);
            assertEquals(fd, grad[i], 1e-6 * Math.max(1, Math.abs(fd)), what + "[" + i + "] seed " + seed);
        }
    }

    // ---------------------------------------------------------------- bitwise invariance

    /** Everything one call produces, for bitwise comparison. */
    record Run(Result result, float[] gi, float[] gw, float[] gb, float[] tl, float[] lse) {
        void assertSameBits(Run o, String what) {
            assertEquals(Double.doubleToRawLongBits(result.value()), Double.doubleToRawLongBits(o.result.value()), what + " value");
            assertEquals(Double.doubleToRawLongBits(result.zLoss()), Double.doubleToRawLongBits(o.result.zLoss()), what + " zLoss");
            assertEquals(Double.doubleToRawLongBits(result.accuracy()), Double.doubleToRawLongBits(o.result.accuracy()), what + " accuracy");
            assertEquals(Double.doubleToRawLongBits(result.perplexity()), Double.doubleToRawLongBits(o.result.perplexity()),
                    what + " perplexity");
            assertArrayEquals(gi, o.gi, what + " gradInput");
            assertArrayEquals(gw, o.gw, what + " gradLinearWeight");
            assertArrayEquals(gb, o.gb, what + " gradLinearBias");
            assertArrayEquals(tl, o.tl, what + " tokenLoss");
            assertArrayEquals(lse, o.lse, what + " tokenLse");
        }
    }

    static Run run(LinearCrossEntropyLoss loss, P p, float[] start) {
        float[] gi = start == null ? new float[p.n * p.d] : Arrays.copyOf(start, p.n * p.d);
        float[] gw = start == null ? new float[p.v * p.d] : Arrays.copyOf(start, p.v * p.d);
        float[] gb = start == null ? new float[p.v] : Arrays.copyOf(start, p.v);
        float[] tl = new float[p.n];
        float[] lse = new float[p.n];
        FloatOutputs o = FloatOutputs.gradients(gi, gw, gb).withTokenLoss(tl).withTokenLse(lse).withStats();
        Result r = loss.compute(f(p.h), p.hs(), f(p.w), p.ws(), f(p.b), p.y, f(p.tw),
                loss.reduction() == Reduction.NONE ? f(p.up) : null, start == null ? o : o.accumulating());
        return new Run(r, gi, gw, gb, tl, lse);
    }

    @Test
    void everyResultIsBitwiseTheSameForAnyChunkSizeBudgetAndThreadCount() {
        Random r = new Random(90);
        // 1100 rows, 30% ignored: about 770 counted tokens, so 256-row chunks give 4 chunks with gathers
        P p = new P(r, 1100, 24, 70, 0.3, true, 3);
        ExecutorService own = Executors.newFixedThreadPool(2);
        try {
            for (LinearCrossEntropyLoss base : new LinearCrossEntropyLoss[] {
                    LinearCrossEntropyLoss.DEFAULTS,
                    LinearCrossEntropyLoss.builder().zLoss(1e-3).softcap(4).labelSmoothing(0.1)
                            .weight(gaussianPositive(r, 70)).build(),
                    LinearCrossEntropyLoss.builder().reduction(Reduction.NONE).zLoss(1e-2).build()}) {
                Run ref = run(base, p, null);
                float[] start = f(gaussian(r, 1100 * 24, 1));
                Run refAcc = run(base, p, start);
                LinearCrossEntropyLoss[] variants = {
                    base.toBuilder().chunkRows(512).build(),
                    base.toBuilder().chunkRows(768).threads(3).build(),
                    base.toBuilder().chunkRows(1024).threads(2).executor(own).build(),
                    base.toBuilder().threads(4).build(),
                    base.toBuilder().memoryBudget(2_650_000).threads(2).build(),
                };
                for (LinearCrossEntropyLoss l : variants) {
                    run(l, p, null).assertSameBits(ref, l.toString());
                    run(l, p, start).assertSameBits(refAcc, l + " accumulating");
                }
            }
        } finally {
            own.shutdown();
        }
    }

    static double[] gaussianPositive(Random r, int len) {
        double[] a = new double[len];
        for (int i = 0; i < len; i++) {
            a[i] = 0.2 + r.nextDouble();
        }
        return a;
    }

    @Test
    void accumulatingAddsToTheGradientsAlreadyThere() {
        Random r = new Random(91);
        P p = new P(r, 300, 8, 20, 0.2, true, 2);
        Run fresh = run(LinearCrossEntropyLoss.DEFAULTS, p, null);
        float[] start = f(gaussian(r, 300 * 8, 1));
        Run acc = run(LinearCrossEntropyLoss.DEFAULTS, p, start);
        for (int i = 0; i < fresh.gi.length; i++) {
            assertEquals(start[i] + fresh.gi[i], acc.gi[i], 1e-6, "gradInput " + i);
        }
        for (int i = 0; i < fresh.gw.length; i++) {
            assertEquals(start[i] + fresh.gw[i], acc.gw[i], 1e-6, "gradLinearWeight " + i);
        }
        for (int i = 0; i < fresh.gb.length; i++) {
            assertEquals(start[i] + fresh.gb[i], acc.gb[i], 1e-6, "gradLinearBias " + i);
        }
        assertEquals(fresh.result.value(), acc.result.value());
    }

    // ---------------------------------------------------------------- loss-only, streaming

    @Test
    void lossOnlyAndStreamedChunksGiveTheFullCallsResults() {
        Random r = new Random(92);
        P p = new P(r, 700, 12, 40, 0.2, true, 3);
        for (LinearCrossEntropyLoss loss : new LinearCrossEntropyLoss[] {
                LinearCrossEntropyLoss.builder().zLoss(1e-2).build(),
                LinearCrossEntropyLoss.builder().reduction(Reduction.SUM).softcap(3).weight(gaussianPositive(r, 40)).build()}) {
            Run full = run(loss, p, null);
            Result lossOnly = loss.compute(f(p.h), p.hs(), f(p.w), p.ws(), f(p.b), p.y, f(p.tw), null,
                    FloatOutputs.none().withStats());
            assertEquals(full.result, lossOnly, "loss-only = the full call's results, bitwise");
            // a stream of 4 unequal parts of the tokens, merged
            int[] cuts = {0, 100, 333, 334, 700};
            LinearCrossEntropyLoss.Partial total = LinearCrossEntropyLoss.Partial.ZERO;
            float[] tl = new float[p.n];
            float[] lse = new float[p.n];
            for (int c = 0; c + 1 < cuts.length; c++) {
                int a = cuts[c];
                int m = cuts[c + 1] - a;
                float[] tlc = new float[m];
                float[] lsec = new float[m];
                total = total.plus(loss.partial(f(Arrays.copyOfRange(p.h, a * p.d, (a + m) * p.d)), new int[] {m, p.d},
                        f(p.w), p.ws(), f(p.b), Arrays.copyOfRange(p.y, a, a + m), f(Arrays.copyOfRange(p.tw, a, a + m)),
                        FloatOutputs.none().withTokenLoss(tlc).withTokenLse(lsec).withStats()));
                System.arraycopy(tlc, 0, tl, a, m);
                System.arraycopy(lsec, 0, lse, a, m);
            }
            Result streamed = loss.result(total);
            assertEquals(full.result, streamed, "streamed = one call, bitwise");
            assertArrayEquals(full.tl, tl);
            assertArrayEquals(full.lse, lse);
        }
    }

    // ---------------------------------------------------------------- statistics

    @Test
    void statisticsCountTokensArgmaxAndPerplexity() {
        // two tokens, one ignored: logits of row 0 are [0.5, 0.1, 0.6] -> argmax 2
        float[] h = {1, 2, 0.5f, -1, 3, 3};
        float[] w = {0.1f, 0.2f, 0.3f, -0.1f, -0.2f, 0.4f};
        int[] y = {2, 0, -100};
        Result r = LinearCrossEntropyLoss.DEFAULTS.compute(h, new int[] {3, 2}, w, new int[] {3, 2}, null, y, null, null,
                FloatOutputs.none().withStats());
        assertEquals(2, r.tokens());
        assertEquals(0.5, r.accuracy(), 0, "row 0 is right (argmax 2), row 1 is not (argmax 1)");
        double lse0 = Math.log(Math.exp(0.5) + Math.exp(0.1) + Math.exp(0.6));
        double lse1 = Math.log(Math.exp(-0.15) + Math.exp(0.25) + Math.exp(-0.5));
        assertEquals(Math.exp(((lse0 - 0.6) + (lse1 + 0.15)) / 2), r.perplexity(), 1e-6);
        assertEquals(r.value(), Math.log(r.perplexity()), 1e-6, "no weights, no smoothing: log perplexity = the mean loss");
        assertTrue(Double.isNaN(LinearCrossEntropyLoss.DEFAULTS.compute(h, new int[] {3, 2}, w, new int[] {3, 2}, null, y,
                null, null, FloatOutputs.none()).accuracy()), "not requested: NaN");
    }

    @Test
    void theJavadocExample() {
        double v = LinearCrossEntropyLoss.DEFAULTS.value(new float[] {1, 2, 0.5f, -1}, new int[] {2, 2},
                new float[] {0.1f, 0.2f, 0.3f, -0.1f, -0.2f, 0.4f}, new int[] {3, 2}, null, new int[] {2, 0});
        assertEquals(1.0414441, v, 1e-7);
    }

    // ---------------------------------------------------------------- memory

    @Test
    void thePlanNamesTheChunkAndTheBytesAndTheBudgetBoundsThem() {
        LinearCrossEntropyLoss.Plan plan = LinearCrossEntropyLoss.DEFAULTS.plan(new int[] {1024, 2048}, new int[] {32000, 2048});
        assertEquals(256, plan.chunkRows());
        assertEquals(4, plan.chunks());
        assertEquals(256L * 32000 * 4, plan.logitsBytes());
        assertTrue(plan.totalBytes() > plan.logitsBytes() && plan.totalBytes() < plan.logitsBytes() + (12L << 20), plan.toString());
        LinearCrossEntropyLoss budget = LinearCrossEntropyLoss.builder().memoryBudget(100L << 20).build();
        LinearCrossEntropyLoss.Plan p2 = budget.plan(new int[] {4096, 2048}, new int[] {32000, 2048});
        assertEquals(0, p2.chunkRows() % 256);
        assertTrue(p2.chunkRows() >= 512 && p2.totalBytes() <= 100L << 20, p2.toString());
        assertTrue(budget.toBuilder().memoryBudget(p2.totalBytes()).build()
                .plan(new int[] {4096, 2048}, new int[] {32000, 2048}).chunkRows() == p2.chunkRows());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> LinearCrossEntropyLoss.builder()
                .memoryBudget(1 << 20).build().plan(new int[] {1024, 2048}, new int[] {128256, 2048}));
        assertTrue(e.getMessage().startsWith("memoryBudget=1048576 bytes is too small for V=128256, D=2048"), e.getMessage());
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInputIsRejectedBeforeAnyOutputIsWritten() {
        float[] h = new float[6];
        float[] w = new float[12];
        int[] hs = {3, 2};
        int[] ws = {6, 2};
        float[] gi = {7, 7, 7, 7, 7, 7};
        LinearCrossEntropyLoss l = LinearCrossEntropyLoss.DEFAULTS;
        FloatOutputs o = FloatOutputs.gradients(gi, null, null);
        assertMessage("linearWeight of shape (6, 3) does not fit input of shape (3, 2): its D=3 must equal the input's last "
                + "dimension 2", () -> l.compute(h, hs, new float[18], new int[] {6, 3}, null, new int[] {0, 1, 2}, null, null, o));
        assertMessage("target[1]=6 must be in [0, 6) or equal ignore_index=-100",
                () -> l.compute(h, hs, w, ws, null, new int[] {0, 6, 2}, null, null, o));
        assertMessage("tokenWeight has 2 elements but must have 3 (one weight per token (row of the input))",
                () -> l.compute(h, hs, w, ws, null, new int[] {0, 1, 2}, new float[2], null, o));
        assertMessage("linearBias has 5 elements but linearWeight has V=6 rows; give one bias per class or none",
                () -> l.compute(h, hs, w, ws, new float[5], new int[] {0, 1, 2}, null, null, o));
        assertMessage("gradLinearBias is given but there is no linearBias",
                () -> l.compute(h, hs, w, ws, null, new int[] {0, 1, 2}, null, null, FloatOutputs.gradients(gi, null, new float[6])));
        assertMessage("target has 2 elements but must have 3 (one class index per row of the input)",
                () -> l.compute(h, hs, w, ws, null, new int[] {0, 1}, null, null, o));
        assertArrayEquals(new float[] {7, 7, 7, 7, 7, 7}, gi, "nothing written");
        assertMessage("softcap=-1.0 must be > 0 and finite (omit it for no soft-capping)",
                () -> LinearCrossEntropyLoss.builder().softcap(-1));
        assertMessage("zLoss=NaN must be >= 0 and finite (0: off)", () -> LinearCrossEntropyLoss.builder().zLoss(Double.NaN));
        assertMessage("chunkRows=100 must be a positive multiple of 256 (the GEMM's k-block, so that results do not depend "
                + "on the chunk size)", () -> LinearCrossEntropyLoss.builder().chunkRows(100));
        assertMessage("linearWeight of shape (65536, 65536) has more than 2147483647 elements (a Java array's limit)",
                () -> l.plan(new int[] {4, 65536}, new int[] {65536, 65536}));
    }

    static void assertMessage(String message, org.junit.jupiter.api.function.Executable call) {
        InvalidInputException e = assertThrows(InvalidInputException.class, call);
        assertEquals(message, e.getMessage());
    }
}
