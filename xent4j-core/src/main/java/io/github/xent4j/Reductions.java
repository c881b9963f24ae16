package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.Vec;

/** The last step shared by every loss: turn (numerator, denominator) into the reduced value. */
final class Reductions {

    private Reductions() {
    }

    /** Fails early (before outputs are written) when MEAN has nothing to average and the policy says so. */
    static void checkEmpty(Reduction r, long counted, EmptyMeanPolicy policy, String what) {
        if (r == Reduction.MEAN && counted == 0 && policy == EmptyMeanPolicy.THROW) {
            throw Check.fail("reduction=mean over %s: the mean is undefined (emptyMean=THROW)", what);
        }
    }

    static double reduce(Reduction r, double total, double denominator, long counted, EmptyMeanPolicy policy) {
        if (r == Reduction.NONE || r == Reduction.SUM) {
            return total;
        }
        if (counted == 0) {
            return policy == EmptyMeanPolicy.ZERO ? 0.0 : Double.NaN;
        }
        return total / denominator;
    }

    /** The scalar upstream gradient of a reduced loss: 1, or upstream[0] if given. */
    static double scalarUpstream(Reduction r, Vec upstream, int upstreamLength, int positions) {
        if (r == Reduction.NONE) {
            Check.optionalLength("upstream", upstreamLength, positions, "one gradient per loss position for reduction=none");
            return 1.0;
        }
        Check.optionalLength("upstream", upstreamLength, 1, "a scalar for reduction=" + r.torchName());
        return upstream == null ? 1.0 : upstream.get(0);
    }

    static void requireNot(Reduction r, Reduction forbidden, String loss) {
        if (r == forbidden) {
            throw Check.fail("reduction=%s is not supported by %s; use none, sum or mean", r.torchName(), loss);
        }
    }
}
