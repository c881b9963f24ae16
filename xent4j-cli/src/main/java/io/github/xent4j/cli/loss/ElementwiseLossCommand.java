package io.github.xent4j.cli.loss;

import io.github.xent4j.ElementwiseLoss;
import io.github.xent4j.InvalidInputException;
import io.github.xent4j.LossSum;
import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.io.DataException;

import java.util.function.UnaryOperator;

/**
 * The element-wise losses (bce, bce-with-logits, kl-div): a target of the input's shape, one loss
 * per element; the shape rule, the ranges and the denominators (elements, or the batch for KL's
 * batchmean) are the core's {@link ElementwiseLoss}.
 */
abstract class ElementwiseLossCommand extends TargetLossCommand {

    /** The core loss of input rows [r0, r1): its broadcast weights may depend on the rows. */
    @FunctionalInterface
    interface Losses {
        ElementwiseLoss of(long r0, long r1);
    }

    /**
     * Checks the shapes with the core's rule and describes the core calls.
     *
     * @param what             the rule in PyTorch's words, for the message of a wrong shape
     * @param loss             the loss of any rows (its reduction reduces the merged chunks)
     * @param inputRequirement restates the core's requirement on an input element for this command
     */
    static Plan plan(Source x, Source t, Precision p, String what, ElementwiseLoss loss, Losses losses,
                     UnaryOperator<String> inputRequirement) {
        long[] xs = x.shape();
        try {
            ElementwiseLoss.checkSameShape(IndexTargets.intShape(x), IndexTargets.intShape(t));
        } catch (InvalidInputException e) {
            throw new DataException(t.name() + ": target shape " + Dims.format(t.shape()) + " must equal the input shape "
                    + Dims.format(xs) + " of " + x.name() + " (" + what + ")");
        }
        boolean float32 = p == Precision.FLOAT32;
        int rowSize = x.rowSize();
        return new Plan(x.rows(), rowSize, xs.length > 0, xs, rowSize, loss, new Plan.Core() {
            @Override
            public LossSum denominator(long r0, long r1, int[] shape) {
                return losses.of(r0, r1).denominator(shape);
            }

            @Override
            public double compute(Object xb, int[] shape, Object lossOut, Object gradOut) {
                ElementwiseLoss l = losses.of(0, x.rows());
                Object tb = p.read(t, 0, t.rows(), Precision.length(xb));
                return xb instanceof float[] f ? l.compute(f, shape, (float[]) tb, null, (float[]) lossOut, (float[]) gradOut)
                        : l.compute((double[]) xb, shape, (double[]) tb, null, (double[]) lossOut, (double[]) gradOut);
            }

            @Override
            public LossSum partial(long r0, long r1, Object xb, int[] shape, LossSum d, Object lossOut, Object gradOut) {
                ElementwiseLoss l = losses.of(r0, r1);
                double scale = loss.gradScale(d, 1.0);
                Object tb = p.read(t, r0, r1, Precision.length(xb));
                return xb instanceof float[] f
                        ? l.partial(f, shape, (float[]) tb, scale, null, (float[]) lossOut, (float[]) gradOut)
                        : l.partial((double[]) xb, shape, (double[]) tb, scale, null, (double[]) lossOut, (double[]) gradOut);
            }

            @Override
            public DataException restate(InvalidInputException e, long r0) {
                String a = e.argument();
                if (e.index() < 0 || a.equals("weight") || a.equals("posWeight")) {
                    return new DataException(x.name() + ": " + e.getMessage());
                }
                boolean target = a.equals("target");
                return new DataException((target ? t : x).name() + ": " + (target ? "target" : "input")
                        + Dims.index(xs, r0 * rowSize + e.index()) + "=" + value(e.value(), float32) + " "
                        + (target ? e.requirement() : inputRequirement.apply(e.requirement())));
            }
        });
    }

    /** A value from the data as the command line prints it (whole numbers without a fraction). */
    private static String value(String core, boolean float32) {
        try {
            return Dims.value(Double.parseDouble(core), float32);
        } catch (NumberFormatException e) {
            return core;
        }
    }
}
