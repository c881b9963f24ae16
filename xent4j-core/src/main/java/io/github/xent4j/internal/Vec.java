package io.github.xent4j.internal;

/**
 * A float[] or double[] seen through double get/set, for the element-wise losses that are not on
 * the hot path (NLL, BCE, KL, distributions, softmax backward): one body serves both precisions.
 */
public abstract class Vec {
    public abstract double get(int i);

    public abstract void set(int i, double v);

    public static Vec of(float[] a) {
        return a == null ? null : new F(a);
    }

    public static Vec of(double[] a) {
        return a == null ? null : new D(a);
    }

    private static final class F extends Vec {
        private final float[] a;

        F(float[] a) {
            this.a = a;
        }

        @Override
        public double get(int i) {
            return a[i];
        }

        @Override
        public void set(int i, double v) {
            a[i] = (float) v;
        }
    }

    private static final class D extends Vec {
        private final double[] a;

        D(double[] a) {
            this.a = a;
        }

        @Override
        public double get(int i) {
            return a[i];
        }

        @Override
        public void set(int i, double v) {
            a[i] = v;
        }
    }
}
