package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.ExactSum;

/**
 * Runs a class loss whose positions may add to two sums (the main one and the auxiliary one of
 * {@link LossSum}: z-loss, distillation's hard-label term) over the dispatcher's blocks.
 */
final class FamilyRun {

    private FamilyRun() {
    }

    /** One kernel call over the samples [n0, n1), adding into {@code sum} and (when there is one) {@code aux}. */
    @FunctionalInterface
    interface Rows {
        void run(int n0, int n1, ExactSum sum, ExactSum aux);
    }

    /**
     * The total of {@code rows} over every sample, on the loss's threads, completing the denominator
     * pair {@code d}. With {@code twoSums} each block adds its auxiliary sum into the total under a
     * lock; both sums are exact, so the order blocks finish in does not change a bit.
     */
    static LossSum run(Loss loss, ClassShape cs, LossSum d, boolean twoSums, Rows rows) {
        long perOuter = (long) cs.classes() * cs.inner();
        if (!twoSums) {
            return d.withSum(Dispatch.run(cs.outer(), perOuter, loss.threads, loss.executor,
                    (a, b, sum) -> rows.run(a, b, sum, null)));
        }
        ExactSum aux = new ExactSum();
        ExactSum main = Dispatch.run(cs.outer(), perOuter, loss.threads, loss.executor, (a, b, sum) -> {
            ExactSum part = new ExactSum();
            rows.run(a, b, sum, part);
            synchronized (aux) {
                aux.add(part);
            }
        });
        return d.withSums(main, aux);
    }

    /** The class shape of logits of {@code length} elements (null: -1). */
    static ClassShape classShape(String name, int length, int[] shape) {
        if (length < 0) {
            throw Check.of(name, "must not be null");
        }
        return Check.classShape(name, shape, length);
    }

    /** The optional outputs: one loss per position, a gradient of the logits' shape. */
    static void checkOutputs(ClassShape cs, int lossLen, int gradLen) {
        Check.optionalLength("lossOut", lossLen, cs.positions(), "one loss per position");
        Check.optionalLength("gradOut", gradLen, cs.positions() * cs.classes(), "the logits' shape");
    }

    /** The scalar upstream's value: its first element, 1 when absent. */
    static double first(float[] a) {
        return a == null || a.length == 0 ? 1 : a[0];
    }

    /** The scalar upstream's value: its first element, 1 when absent. */
    static double first(double[] a) {
        return a == null || a.length == 0 ? 1 : a[0];
    }

    /** The per-position losses of a NONE call, or null. */
    static float[] lossesFor(Loss loss, String name, int[] shape, int length) {
        return loss.reduction == Reduction.NONE ? new float[Check.classShape(name, shape, length).positions()] : null;
    }

    /** The per-position losses of a NONE call, or null. */
    static double[] lossesForDouble(Loss loss, String name, int[] shape, int length) {
        return loss.reduction == Reduction.NONE ? new double[Check.classShape(name, shape, length).positions()] : null;
    }

    /** gamma of a focal loss: >= 0 and finite. */
    static double gamma(double gamma) {
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw Check.value("gamma", gamma, "must be >= 0 and finite (0: no focusing)");
        }
        return gamma;
    }
}
