package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;

/**
 * The rules of class-index targets, shared by every loss that takes them (cross-entropy, NLL and
 * their relatives): their length for an input shape, their range, and the first pass that sums
 * PyTorch's MEAN denominator before any logits are read.
 */
final class ClassTargets {

    private ClassTargets() {
    }

    /** The per-class weights against C, then the kernel parameters. */
    static CeParams params(ClassShape cs, double[] weight, int ignoreIndex, double smoothing, String input) {
        if (weight != null && weight.length != cs.classes()) {
            throw Check.of("weight", "has %d elements but the %s have C=%d classes; give one weight per class or none",
                    weight.length, input, cs.classes());
        }
        return new CeParams(cs.classes(), weight, ignoreIndex, smoothing > 0 ? smoothing : 0);
    }

    /**
     * The shape rule of class-index targets: the input's shape without the class dimension, (N) for
     * (N, C), (N, d1..dk) for (N, C, d1..dk), and a 0-d or 1-element target for an unbatched (C).
     */
    static void checkShape(int[] inputShape, int[] targetShape) {
        if (inputShape.length == 0) {
            throw Check.of("input", "must have 1 or more dimensions, got a 0-d shape ()");
        }
        if (inputShape.length == 1) {
            long n = 1;
            for (int d : targetShape) {
                n *= d;
            }
            if (targetShape.length > 1 || n != 1) {
                throw Check.of("target", "of shape %s does not fit the unbatched input of shape %s; give one class index "
                        + "(shape ())", Check.shape(targetShape), Check.shape(inputShape));
            }
            return;
        }
        int[] expected = new int[inputShape.length - 1];
        expected[0] = inputShape[0];
        System.arraycopy(inputShape, 2, expected, 1, inputShape.length - 2);
        if (targetShape.length == 0 || targetShape[0] != inputShape[0]) {
            throw Check.of("target", "of shape %s does not match the input's batch size %d; expected target shape %s",
                    Check.shape(targetShape), inputShape[0], Check.shape(expected));
        }
        if (!java.util.Arrays.equals(expected, targetShape)) {
            throw Check.of("target", "of shape %s does not fit input of shape %s; expected target shape %s "
                    + "(the input's shape without the class dimension 1)", Check.shape(targetShape),
                    Check.shape(inputShape), Check.shape(expected));
        }
    }

    /** Checks that there is one target per position (one for an unbatched (C) input). */
    static void checkLength(ClassShape cs, int[] target, String input) {
        Check.notNull("target", target);
        if (cs.unbatched()) {
            Check.length("target", target.length, 1, "one class index for an unbatched (C) input");
        } else {
            Check.length("target", target.length, cs.positions(),
                    "one class index per position of the " + input + ", N*d1*...*dk");
        }
    }

    /**
     * Validates every target and returns the denominators: positions, ignored positions and the
     * exact sum of weight[target] over the others (their count without weights).
     */
    static LossSum scan(int[] target, int positions, int classes, int ignoreIndex, double[] weight) {
        ExactSum d = new ExactSum();
        long ignored = 0;
        for (int s = 0; s < positions; s++) {
            int y = target[s];
            if (y == ignoreIndex) {
                ignored++;
                continue;
            }
            if (y < 0 || y >= classes) {
                throw classes == 0
                        ? Check.at("target", s, y, "must equal ignore_index=%d: the input has no classes (C=0)", ignoreIndex)
                        : Check.at("target", s, y, "must be in [0, %d) or equal ignore_index=%d", classes, ignoreIndex);
            }
            if (weight != null) {
                d.add(weight[y]);
            }
        }
        if (weight == null) {
            d.add(positions - ignored);
        }
        return LossSum.wrap(new ExactSum(), d, positions, ignored);
    }

    /** The denominators of a loss whose MEAN divides by a count (positions or elements): {@code count} of them. */
    static LossSum count(long positions, double denominator) {
        ExactSum d = new ExactSum();
        d.add(denominator);
        return LossSum.wrap(new ExactSum(), d, positions, 0);
    }

    /** Probability targets have the logits' shape. */
    static void checkProbs(ClassShape cs, int targetLen, int[] shape) {
        if (targetLen < 0) {
            throw Check.of("targetProbs", "must not be null");
        }
        Check.length("targetProbs", targetLen, cs.positions() * cs.classes(),
                "probability targets have the logits' shape " + Check.shape(shape));
    }

    /** PyTorch's rule for probability targets: no ignore_index (it must stay negative). */
    static void checkProbsIgnore(int ignoreIndex) {
        if (ignoreIndex >= 0) {
            throw Check.value("ignoreIndex", ignoreIndex, "is not supported for probability targets; it must be negative (default -100)");
        }
    }
}
