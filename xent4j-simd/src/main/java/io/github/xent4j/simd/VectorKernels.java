package io.github.xent4j.simd;

import io.github.xent4j.spi.Broadcast;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.DistillParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Kernels;

import static io.github.xent4j.simd.VectorMath.*;

/**
 * The Vector API kernels: this class routes each SPI method to the class that implements it
 * ({@link CrossEntropyKernels}, {@link NllKernels}, {@link ElementwiseKernels} (unweighted BCE with
 * logits), {@link BceKernels} (BCE on probabilities, weighted BCE with logits, the range scan),
 * {@link KlKernels}, {@link SoftmaxKernels}, {@link SoftmaxBackwardKernels}, {@link FamilyKernels}).
 * The notes below hold for all of them; the element-wise classes describe their chunks and tails
 * themselves.
 *
 * <p>Cross-entropy rows (inner == 1): one exp per element, the exp stored into the gradient buffer
 * and scaled there in place, no allocation.
 *
 * <p>Per row: pass 1 takes the max; pass 2 computes e = exp(x - max) (the polynomial of
 * {@link VectorMath}, written out in each loop), stores it into the gradient buffer and sums it; the
 * loss is formed in double from the sums ({@code -log_softmax = log S - (x_y - max)}); pass 3 scales
 * e into the gradient. A row of up to a few hundred kB stays in L2 between the passes, so memory
 * sees one read of the logits and one write of the gradient. Rows of L to 2L classes take a
 * one-loop path ({@code crossEntropyShortRows}).
 *
 * <p>Keeping vectors in registers (C2 boxes them otherwise, still giving right answers, 10-250x
 * slower): no method of this class takes or returns a vector (C2 stops inlining at its node-count
 * cutoff, and refuses at a cold call site a method it has compiled on its own); no vector is live
 * where two branches merge (an {@code if} that reassigns an accumulator, a {@code ?:} of vectors);
 * the common cases are loops without branches in their bodies. {@code NoAllocationTest} checks
 * that compiled kernels allocate nothing.
 *
 * <p>Tails: whole vectors cover a row up to its last multiple of the vector length; the last
 * C mod L elements are covered by one more vector ending at the row's end, whose lanes already
 * done are blended out of the sums and keep their stored values (also correct in place), or by the
 * scalar twins of the same arithmetic ({@link VectorMath#exp(float)}, {@code Math.fma}). K-dim
 * inputs (inner >= one vector) and index-target rows shorter than one vector run lane-wise across
 * positions ({@link StridedCeKernels}). Rows whose max is not finite (NaN, +inf, all -inf), C = 1,
 * K-dim inputs with inner below one vector and probability-target rows shorter than one vector
 * go to the scalar reference kernels handed to the provider.
 *
 * <p>Float32 sums: lanes accumulate in float over {@code CHUNK} vectors, those chunk sums in float
 * over {@code CHUNK} more, then the lanes are added into a double in a fixed pairwise order
 * ({@code reduceLanes(ADD)} leaves the order of a floating-point sum unspecified, which would make
 * results depend on the JIT). Error budget per row, S = sum of exps: the argument x - max is rounded
 * to float (relative error of e_c up to |d_c| 2^-24), exp adds about 1 ulp, the two float levels at
 * most 14 roundings; so |dS/S| <= 2^-23 + 2^-24 (H(p) + 14) in the worst case, H the entropy of
 * the softmax (<= log C), about 1e-7 in practice. The loss inherits that as an absolute error; the
 * gradient error is about 2 ulp of float relative to each entry. Float64 kernels accumulate in
 * double lanes.
 */
final class VectorKernels implements Kernels {

    /** The scalar reference kernels, for the cases delegated. */
    private final Kernels ref;
    private final CrossEntropyKernels ce;
    private final ElementwiseKernels elementwise;
    private final SoftmaxKernels softmax;
    private final FamilyKernels family;
    private final BceKernels bce;
    private final KlKernels kl;
    private final NllKernels nll = new NllKernels();
    private final SoftmaxBackwardKernels softmaxBackward;

    VectorKernels(Kernels reference) {
        this.ref = reference;
        this.ce = new CrossEntropyKernels(reference);
        this.elementwise = new ElementwiseKernels(reference);
        this.softmax = new SoftmaxKernels(reference);
        this.family = new FamilyKernels(reference);
        this.bce = new BceKernels(reference);
        this.kl = new KlKernels(reference);
        this.softmaxBackward = new SoftmaxBackwardKernels(reference);
    }

    static int preferredBits() {
        return FS.vectorBitSize();
    }

    static String describe() {
        return "vector-" + FS.vectorBitSize() + " (" + LF + " floats, " + LD + " doubles)";
    }

    @Override
    public void crossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                             float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        ce.crossEntropy(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void crossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                             double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        ce.crossEntropy(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void crossEntropyProbs(float[] x, float[] t, int n0, int n1, int inner, CeParams p,
                                  float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        ce.crossEntropyProbs(x, t, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void crossEntropyProbs(double[] x, double[] t, int n0, int n1, int inner, CeParams p,
                                  double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        ce.crossEntropyProbs(x, t, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void bceWithLogits(float[] x, float[] y, int i0, int i1, int slice, Broadcast weight, Broadcast posWeight,
                              float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        if (weight == null && posWeight == null) {
            elementwise.bceWithLogits(x, y, i0, i1, slice, null, null, lossOut, gradOut, upstream, gradScale, sum);
        } else {
            bce.bceWithLogits(x, y, i0, i1, slice, weight, posWeight, lossOut, gradOut, upstream, gradScale, sum);
        }
    }

    @Override
    public void bceWithLogits(double[] x, double[] y, int i0, int i1, int slice, Broadcast weight, Broadcast posWeight,
                              double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        if (weight == null && posWeight == null) {
            elementwise.bceWithLogits(x, y, i0, i1, slice, null, null, lossOut, gradOut, upstream, gradScale, sum);
        } else {
            bce.bceWithLogits(x, y, i0, i1, slice, weight, posWeight, lossOut, gradOut, upstream, gradScale, sum);
        }
    }

    @Override
    public void softmax(float[] x, int n0, int n1, int classes, int inner, boolean log, float[] out) {
        softmax.softmax(x, n0, n1, classes, inner, log, out);
    }

    @Override
    public void softmax(double[] x, int n0, int n1, int classes, int inner, boolean log, double[] out) {
        softmax.softmax(x, n0, n1, classes, inner, log, out);
    }

    @Override
    public void nllLoss(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                        float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        nll.nllLoss(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void nllLoss(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                        double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        nll.nllLoss(x, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void bce(float[] x, float[] y, int i0, int i1, int slice, Broadcast weight,
                    float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        bce.bce(x, y, i0, i1, slice, weight, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void bce(double[] x, double[] y, int i0, int i1, int slice, Broadcast weight,
                    double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        bce.bce(x, y, i0, i1, slice, weight, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void klDiv(float[] x, float[] t, int i0, int i1, int slice, boolean logTarget,
                      float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        kl.klDiv(x, t, i0, i1, slice, logTarget, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void klDiv(double[] x, double[] t, int i0, int i1, int slice, boolean logTarget,
                      double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        kl.klDiv(x, t, i0, i1, slice, logTarget, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public int firstOutsideUnit(float[] a, int from, int to) {
        return bce.firstOutsideUnit(a, from, to);
    }

    @Override
    public int firstOutsideUnit(double[] a, int from, int to) {
        return bce.firstOutsideUnit(a, from, to);
    }

    @Override
    public void softmaxBackward(float[] y, float[] g, int n0, int n1, int classes, int inner, boolean log, float[] dx) {
        softmaxBackward.softmaxBackward(y, g, n0, n1, classes, inner, log, dx);
    }

    @Override
    public void softmaxBackward(double[] y, double[] g, int n0, int n1, int classes, int inner, boolean log, double[] dx) {
        softmaxBackward.softmaxBackward(y, g, n0, n1, classes, inner, log, dx);
    }

    @Override
    public void sigmoidFocal(float[] x, float[] t, int i0, int i1, int slice, double alpha, double gamma,
                             float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        family.sigmoidFocal(x, t, i0, i1, slice, alpha, gamma, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void focal(float[] x, int[] target, int n0, int n1, int inner, CeParams p, double gamma,
                      float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        family.focal(x, target, n0, n1, inner, p, gamma, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void polyCrossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p, double epsilon,
                                 float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        family.polyCrossEntropy(x, target, n0, n1, inner, p, epsilon, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void crossEntropyZ(float[] x, int[] target, int n0, int n1, int inner, CeParams p, double zLoss,
                              float[] lossOut, float[] gradOut, float[] upstream, double gradScale, double zGradScale,
                              ExactSum sum, ExactSum zSum) {
        family.crossEntropyZ(x, target, n0, n1, inner, p, zLoss, lossOut, gradOut, upstream, gradScale, zGradScale, sum, zSum);
    }

    @Override
    public void distillation(float[] x, float[] teacher, int[] target, int n0, int n1, int inner, DistillParams p,
                             float[] lossOut, float[] gradOut, float[] upstream, double gradScale, double ceGradScale,
                             ExactSum sum, ExactSum ceSum) {
        family.distillation(x, teacher, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, ceGradScale,
                sum, ceSum);
    }

    @Override
    public void sigmoidFocal(double[] x, double[] t, int i0, int i1, int slice, double alpha, double gamma,
                             double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        family.sigmoidFocal(x, t, i0, i1, slice, alpha, gamma, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void focal(double[] x, int[] target, int n0, int n1, int inner, CeParams p, double gamma,
                      double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        family.focal(x, target, n0, n1, inner, p, gamma, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void polyCrossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p, double epsilon,
                                 double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        family.polyCrossEntropy(x, target, n0, n1, inner, p, epsilon, lossOut, gradOut, upstream, gradScale, sum);
    }

    @Override
    public void crossEntropyZ(double[] x, int[] target, int n0, int n1, int inner, CeParams p, double zLoss,
                              double[] lossOut, double[] gradOut, double[] upstream, double gradScale, double zGradScale,
                              ExactSum sum, ExactSum zSum) {
        family.crossEntropyZ(x, target, n0, n1, inner, p, zLoss, lossOut, gradOut, upstream, gradScale, zGradScale, sum, zSum);
    }

    @Override
    public void distillation(double[] x, double[] teacher, int[] target, int n0, int n1, int inner, DistillParams p,
                             double[] lossOut, double[] gradOut, double[] upstream, double gradScale, double ceGradScale,
                             ExactSum sum, ExactSum ceSum) {
        family.distillation(x, teacher, target, n0, n1, inner, p, lossOut, gradOut, upstream, gradScale, ceGradScale,
                sum, ceSum);
    }
}
