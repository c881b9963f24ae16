package io.github.xent4j;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The mergeable reduction: for every loss, a batch split along dimension 0 into random chunks —
 * denominators first, then {@code partial} per chunk with the loss's gradient scale, merged with
 * {@link LossSum#plus} in a shuffled order — gives the one-call value, losses and gradient bit for
 * bit; and so does any thread count, on the library's pool or a caller's executor.
 */
class ChunkingTest {

    /** A batch of some loss in float32: the one call, and one chunk of rows [r0, r1). */
    interface Batch {
        int rows();

        double oneCall(Loss loss, float[] grad, float[] losses);

        LossSum denominator(Loss loss, int r0, int r1);

        LossSum partial(Loss loss, int r0, int r1, double scale, float[] grad, float[] losses);

        int rowElements();

        int rowPositions();

        int numel();

        /** The size of the last dimension (the class dimension of (N, C)). */
        int lastDim();
    }

    private static float[] gaussian(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    private static int[] chunkShape(int[] shape, int rows) {
        int[] s = shape.clone();
        s[0] = rows;
        return s;
    }

    /** Class-index batches: cross-entropy and NLL, (N, C) or (N, C, d1, d2). */
    static Batch classIndex(Random r, boolean nll) {
        int n = 1 + r.nextInt(40);
        int c = 1 + r.nextInt(r.nextBoolean() ? 12 : 300);
        int[] shape = r.nextBoolean() ? new int[] {n, c} : new int[] {n, c, 1 + r.nextInt(4), 1 + r.nextInt(5)};
        int inner = shape.length == 2 ? 1 : shape[2] * shape[3];
        float[] x = gaussian(r, n * c * inner, 3);
        int[] t = new int[n * inner];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextInt(6) == 0 ? -100 : r.nextInt(c);
        }
        return new Batch() {
            public int rows() {
                return n;
            }

            public int rowElements() {
                return c * inner;
            }

            public int rowPositions() {
                return inner;
            }

            public int numel() {
                return x.length;
            }

            public int lastDim() {
                return c;
            }

            public double oneCall(Loss loss, float[] grad, float[] losses) {
                return nll ? ((NllLoss) loss).compute(x, shape, t, null, losses, grad)
                        : ((CrossEntropyLoss) loss).compute(x, shape, t, null, losses, grad);
            }

            public LossSum denominator(Loss loss, int r0, int r1) {
                int[] tc = Arrays.copyOfRange(t, r0 * inner, r1 * inner);
                return nll ? ((NllLoss) loss).denominator(chunkShape(shape, r1 - r0), tc)
                        : ((CrossEntropyLoss) loss).denominator(chunkShape(shape, r1 - r0), tc);
            }

            public LossSum partial(Loss loss, int r0, int r1, double scale, float[] grad, float[] losses) {
                float[] xc = Arrays.copyOfRange(x, r0 * c * inner, r1 * c * inner);
                int[] tc = Arrays.copyOfRange(t, r0 * inner, r1 * inner);
                float[] gc = new float[xc.length];
                float[] lc = new float[tc.length];
                LossSum p = nll ? ((NllLoss) loss).partial(xc, chunkShape(shape, r1 - r0), tc, scale, null, lc, gc)
                        : ((CrossEntropyLoss) loss).partial(xc, chunkShape(shape, r1 - r0), tc, scale, null, lc, gc);
                System.arraycopy(gc, 0, grad, r0 * c * inner, gc.length);
                System.arraycopy(lc, 0, losses, r0 * inner, lc.length);
                return p;
            }
        };
    }

    /** Element-wise batches (BCE on probabilities, BCE with logits, KL) and cross-entropy with probability targets. */
    static Batch sameShape(Random r, int kind) {
        int n = 1 + r.nextInt(40);
        int c = 1 + r.nextInt(r.nextBoolean() ? 9 : 5000);
        int[] shape = r.nextBoolean() || kind == 3 ? new int[] {n, c} : new int[] {n, 1 + r.nextInt(3), c};
        int numel = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] x = gaussian(r, numel, 2);
        float[] t = new float[numel];
        for (int i = 0; i < numel; i++) {
            t[i] = r.nextFloat();
            if (kind == 0) {
                x[i] = r.nextFloat();
            }
        }
        int row = numel / n;
        return new Batch() {
            public int rows() {
                return n;
            }

            public int rowElements() {
                return row;
            }

            public int rowPositions() {
                return kind == 3 ? row / c : row;
            }

            public int numel() {
                return numel;
            }

            public int lastDim() {
                return c;
            }

            public double oneCall(Loss loss, float[] grad, float[] losses) {
                return kind == 3 ? ((CrossEntropyLoss) loss).compute(x, shape, t, null, losses, grad)
                        : ((ElementwiseLoss) loss).compute(x, shape, t, null, losses, grad);
            }

            public LossSum denominator(Loss loss, int r0, int r1) {
                return kind == 3 ? ((CrossEntropyLoss) loss).denominator(chunkShape(shape, r1 - r0))
                        : ((ElementwiseLoss) loss).denominator(chunkShape(shape, r1 - r0));
            }

            public LossSum partial(Loss loss, int r0, int r1, double scale, float[] grad, float[] losses) {
                float[] xc = Arrays.copyOfRange(x, r0 * row, r1 * row);
                float[] tc = Arrays.copyOfRange(t, r0 * row, r1 * row);
                float[] gc = new float[xc.length];
                int pos = rowPositions();
                float[] lc = new float[(r1 - r0) * pos];
                LossSum p = kind == 3 ? ((CrossEntropyLoss) loss).partial(xc, chunkShape(shape, r1 - r0), tc, scale, null, lc, gc)
                        : ((ElementwiseLoss) loss).partial(xc, chunkShape(shape, r1 - r0), tc, scale, null, lc, gc);
                System.arraycopy(gc, 0, grad, r0 * row, gc.length);
                System.arraycopy(lc, 0, losses, r0 * pos, lc.length);
                return p;
            }
        };
    }

    static Loss loss(Random r, int kind, int classes, Reduction reduction, int threads) {
        double[] w = new double[classes];
        for (int i = 0; i < classes; i++) {
            w[i] = 0.1 + r.nextDouble();
        }
        boolean weighted = r.nextBoolean();
        return switch (kind) {
            case 0 -> BceLoss.builder().reduction(reduction).threads(threads).build();
            case 1 -> BceWithLogitsLoss.builder().reduction(reduction).threads(threads)
                    .posWeight(weighted ? w : null, classes).build();
            case 2 -> KlDivLoss.builder().reduction(reduction == Reduction.MEAN && r.nextBoolean() ? Reduction.BATCHMEAN : reduction)
                    .threads(threads).build();
            case 3 -> CrossEntropyLoss.builder().reduction(reduction).threads(threads).weight(weighted ? w : null)
                    .labelSmoothing(r.nextBoolean() ? 0.2 : 0).build();
            case 4 -> CrossEntropyLoss.builder().reduction(reduction).threads(threads).weight(weighted ? w : null)
                    .labelSmoothing(r.nextBoolean() ? 0.1 : 0).build();
            default -> NllLoss.builder().reduction(reduction).threads(threads).weight(weighted ? w : null).build();
        };
    }

    @Test
    void chunksMergedInAnyOrderEqualOneCallBitwise() {
        for (long seed = 1; seed <= 240; seed++) {
            Random r = new Random(seed);
            int kind = (int) (seed % 6);
            Batch b = kind <= 3 ? sameShape(r, kind) : classIndex(r, kind == 5);
            int lastDim = b.lastDim();
            Reduction red = new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}[r.nextInt(3)];
            Loss loss = loss(r, kind, lastDim, red, 1);
            String id = "seed " + seed + " kind " + kind + " " + red;

            float[] grad1 = new float[b.numel()];
            float[] loss1 = new float[b.rows() * b.rowPositions()];
            double one = b.oneCall(loss, grad1, loss1);

            List<int[]> chunks = new ArrayList<>();
            for (int r0 = 0; r0 < b.rows(); ) {
                int r1 = Math.min(b.rows(), r0 + 1 + r.nextInt(Math.max(1, b.rows() / 2)));
                chunks.add(new int[] {r0, r1});
                r0 = r1;
            }
            LossSum d = LossSum.ZERO;
            for (int[] ch : chunks) {
                d = d.plus(b.denominator(loss, ch[0], ch[1]));
            }
            double scale = loss.gradScale(d, 1.0);
            Collections.shuffle(chunks, r);
            float[] grad2 = new float[b.numel()];
            float[] loss2 = new float[loss1.length];
            LossSum total = LossSum.ZERO;
            for (int[] ch : chunks) {
                total = total.plus(b.partial(loss, ch[0], ch[1], scale, grad2, loss2));
            }
            assertEquals(Double.doubleToRawLongBits(one), Double.doubleToRawLongBits(loss.reduce(total)), id + " value");
            assertArrayEquals(grad1, grad2, id + " gradient");
            assertArrayEquals(loss1, loss2, id + " losses");
        }
    }

    @Test
    void anyThreadCountAndExecutorGiveTheSameBits() throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        ExecutorService four = Executors.newFixedThreadPool(4);
        try {
            Random r = new Random(11);
            int n = 300;
            int c = 1000;
            float[] x = gaussian(r, n * c, 4);
            int[] t = new int[n];
            for (int i = 0; i < n; i++) {
                t[i] = r.nextInt(c);
            }
            int[] shape = {n, c};
            CrossEntropyLoss base = CrossEntropyLoss.builder().labelSmoothing(0.1).build();
            float[] g1 = new float[x.length];
            double v1 = base.compute(x, shape, t, null, null, g1);
            for (int threads : new int[] {2, 3, 7}) {
                for (ExecutorService ex : new ExecutorService[] {null, single, four}) {
                    CrossEntropyLoss l = base.toBuilder().threads(threads).executor(ex).build();
                    float[] g = new float[x.length];
                    assertEquals(v1, l.compute(x, shape, t, null, null, g), "threads " + threads);
                    assertArrayEquals(g1, g);
                }
            }
            // called from the only thread of the executor it hands helpers to: no deadlock
            CrossEntropyLoss onSingle = base.toBuilder().threads(4).executor(single).build();
            Future<Double> inside = single.submit(() -> onSingle.value(x, shape, t));
            assertEquals(base.value(x, shape, t), inside.get());
        } finally {
            single.shutdownNow();
            four.shutdownNow();
        }
    }
}
