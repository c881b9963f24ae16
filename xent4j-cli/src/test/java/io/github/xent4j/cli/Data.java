package io.github.xent4j.cli;

import io.github.xent4j.cli.io.NdArray;

import java.util.SplittableRandom;

/** Seeded random arrays for tests. */
final class Data {

    private Data() {
    }

    static NdArray randomFloats(int n, int c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * c];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble(-4, 4));
        }
        return NdArray.ofFloats(x, n, c);
    }

    static NdArray randomDoubles(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble(-3, 3);
        }
        return NdArray.ofDoubles(x, shape);
    }

    static NdArray randomLabels(int n, int c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(c);
        }
        return NdArray.ofLongs(y, n);
    }
}
