package io.github.xent4j.spark.internal;

import java.util.SplittableRandom;

/**
 * Deterministic classifier outputs for tests, the cluster script and the benchmark: row {@code id}
 * has a label uniform in [0, C) and logits 2·N(0, 1) with +3 at the label (a classifier that is
 * right about 60% of the time at C = 10), as float32.
 *
 * <p>Each row has its own generator, seeded with a 64-bit mix of (seed, id). Seeding with
 * {@code id * 0x9E3779B97F4A7C15} instead would hand row id+1 the stream of row id shifted by one
 * value, since that constant is SplittableRandom's own increment: the rows would be near copies.
 */
public final class SyntheticData {

    private SyntheticData() {
    }

    /** The generator of row {@code id}. */
    public static SplittableRandom rowRandom(long seed, long id) {
        return new SplittableRandom(mix(mix(seed) + id));
    }

    /** The label and logits of row {@code id} into {@code logits} (length C); returns the label. */
    public static int row(long seed, long id, float[] logits) {
        SplittableRandom r = rowRandom(seed, id);
        int label = r.nextInt(logits.length);
        for (int c = 0; c < logits.length; c++) {
            logits[c] = (float) (2 * r.nextGaussian() + (c == label ? 3 : 0));
        }
        return label;
    }

    /** Row {@code id} as a bean. */
    public static Sample sample(long seed, long id, int classes) {
        Sample s = new Sample();
        float[] x = new float[classes];
        s.setLabel(row(seed, id, x));
        s.setLogits(x);
        return s;
    }

    /** Stafford's variant 13 of the MurmurHash3 finalizer: a bijection that mixes every input bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
