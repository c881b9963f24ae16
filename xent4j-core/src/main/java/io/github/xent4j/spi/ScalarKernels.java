package io.github.xent4j.spi;

/**
 * The reference kernels: plain loops computing in double with {@code Math.exp}, {@code Math.log}
 * and {@code Math.log1p}, strided over the class axis for any layout. The float32 and float64
 * bodies are the same code written twice. Every other provider is tested against these.
 *
 * <p>Cross-entropy per position: pass 1 takes the max m (NaN-propagating, so a row holding NaN or
 * +inf, or all -inf, yields NaN as in PyTorch); pass 2 evaluates d = x - m, e = exp(d), S = sum e
 * and the weighted sums the loss needs, storing e into the gradient buffer; the loss uses the stable
 * form {@code -log_softmax = log S - d} (never {@code log(softmax)}); pass 3 scales e into the
 * gradient: one {@code Math.exp} per element and one {@code Math.log} per position. Error: a few
 * ulp of double per element, then one rounding to the output type; a float32 gradient is rounded
 * twice, as e is kept in the float32 buffer between passes 2 and 3. BCE-with-logits takes
 * {@code Math.exp} and {@code Math.log1p} per element for the loss and one more {@code Math.exp}
 * for the gradient. Class losses add one value per position to the exact sum; element-wise losses
 * one double partial sum per segment.
 */
public final class ScalarKernels implements Kernels {

    public static final ScalarKernels INSTANCE = new ScalarKernels();

    /** PyTorch's BCE gradient clamp: {@code constexpr float EPSILON = 1e-12}, a float even for float64 data. */
    private static final double BCE_EPSILON = 1e-12f;

    private ScalarKernels() {
    }

    // ================================================================ cross-entropy, class index, float32

    @Override
    public void crossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                             float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final int classes = p.classes;
        final double eps = p.smoothing;
        final double epsC = eps / classes;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int s = n * inner + i;
                final int base = n * classes * inner + i;
                final int y = target[s];
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                }
                if (y == p.ignoreIndex) {
                    if (lossOut != null) {
                        lossOut[s] = 0;
                    }
                    if (gradOut != null) {
                        // log_softmax backward of a zero upstream: -p * 0, NaN when the row is NaN.
                        float z = Double.isFinite(m) ? 0 : Float.NaN;
                        for (int c = 0, k = base; c < classes; c++, k += inner) {
                            gradOut[k] = z;
                        }
                    }
                    continue;
                }
                final double xy = x[base + y * inner];
                double se = 0;
                double wd = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double d = x[k] - m;
                    double e = Math.exp(d);
                    se += e;
                    if (eps > 0) {
                        wd += p.w(c) * d;
                    }
                    if (gradOut != null) {
                        gradOut[k] = (float) e;
                    }
                }
                final double logS = Math.log(se);
                final double wy = p.w(y);
                double loss = wy * (logS - (xy - m));
                if (eps > 0) {
                    loss = (1 - eps) * loss + epsC * (p.weightSum * logS - wd);
                }
                sum.add(loss);
                if (lossOut != null) {
                    lossOut[s] = (float) loss;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                    final double a = g * (1 - eps) * wy;
                    final double scale = (eps > 0 ? a + g * epsC * p.weightSum : a) / se;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        double v = gradOut[k] * scale;
                        if (eps > 0) {
                            v -= g * epsC * p.w(c);
                        }
                        gradOut[k] = (float) (c == y ? v - a : v);
                    }
                }
            }
        }
    }

    // ================================================================ cross-entropy, probabilities, float32

    @Override
    public void crossEntropyProbs(float[] x, float[] t, int n0, int n1, int inner, CeParams p,
                                  float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final int classes = p.classes;
        final double keep = 1 - p.smoothing;
        final double epsC = p.smoothing / classes;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int s = n * inner + i;
                final int base = n * classes * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                }
                double se = 0;
                double a = 0;
                double b = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double d = x[k] - m;
                    double e = Math.exp(d);
                    double wt = p.w(c) * (t[k] * keep + epsC);
                    se += e;
                    a += wt;
                    b += wt * d;
                    if (gradOut != null) {
                        gradOut[k] = (float) e;
                    }
                }
                // -sum_c w_c t'_c (d_c - log S) = A log S - B
                final double loss = a * Math.log(se) - b;
                sum.add(loss);
                if (lossOut != null) {
                    lossOut[s] = (float) loss;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                    final double scale = g * a / se;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        gradOut[k] = (float) (gradOut[k] * scale - g * p.w(c) * (t[k] * keep + epsC));
                    }
                }
            }
        }
    }

    // ================================================================ nll, float32

    @Override
    public void nllLoss(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                        float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        final int classes = p.classes;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int s = n * inner + i;
                final int base = n * classes * inner + i;
                final int y = target[s];
                final boolean ignored = y == p.ignoreIndex;
                final double wy = ignored ? 0 : p.w(y);
                final double loss = ignored ? 0 : -wy * x[base + y * inner];
                if (!ignored) {
                    sum.add(loss);
                }
                if (lossOut != null) {
                    lossOut[s] = (float) loss;
                }
                if (gradOut != null) {
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        gradOut[k] = 0;
                    }
                    if (!ignored) {
                        gradOut[base + y * inner] = (float) (-wy * gradScale * (upstream == null ? 1.0 : upstream[s]));
                    }
                }
            }
        }
    }

    // ================================================================ bce on probabilities, float32

    @Override
    public void bce(float[] x, float[] y, int i0, int i1, int slice, Broadcast weight,
                    float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            double part = 0;
            for (int i = a; i < b; i++) {
                final double xi = x[i];
                final double yi = y[i];
                final double wi = weight == null ? 1 : weight.at(i);
                // each log clamped at -100 before it is multiplied (PyTorch)
                final double l = wi * ((yi - 1) * Math.max(Math.log1p(-xi), -100) - yi * Math.max(Math.log(xi), -100));
                part += l;
                if (lossOut != null) {
                    lossOut[i] = (float) l;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[i]);
                    gradOut[i] = (float) (g * wi * (xi - yi) / Math.max((1 - xi) * xi, BCE_EPSILON));
                }
            }
            sum.add(part);
            a = b;
        }
    }

    // ================================================================ bce with logits, float32

    @Override
    public void bceWithLogits(float[] x, float[] y, int i0, int i1, int slice, Broadcast weight, Broadcast posWeight,
                              float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            double part = 0;
            for (int i = a; i < b; i++) {
                final double xi = x[i];
                final double yi = y[i];
                final double w = weight == null ? 1.0 : weight.at(i);
                final double pw = posWeight == null ? 1.0 : posWeight.at(i);
                // log sigmoid(x) = min(x, 0) - log1p(exp(-|x|))
                final double logSig = Math.min(xi, 0) - Math.log1p(Math.exp(-Math.abs(xi)));
                final double lw = posWeight == null ? 1.0 : 1 + (pw - 1) * yi;
                double loss = (1 - yi) * xi - lw * logSig;
                if (weight != null) {
                    loss *= w;
                }
                part += loss;
                if (lossOut != null) {
                    lossOut[i] = (float) loss;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[i]) * w;
                    final double sig = 1 / (1 + Math.exp(-xi));
                    gradOut[i] = (float) (g * (lw * sig - pw * yi));
                }
            }
            sum.add(part);
            a = b;
        }
    }

    // ================================================================ kl divergence, float32

    @Override
    public void klDiv(float[] x, float[] t, int i0, int i1, int slice, boolean logTarget,
                      float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            double part = 0;
            for (int i = a; i < b; i++) {
                final double xi = x[i];
                final double ti = t[i];
                final double l;
                final double dl;
                if (logTarget) {
                    final double e = Math.exp(ti);
                    l = e * (ti - xi);
                    dl = -e;
                } else {
                    l = xlogy(ti, ti) - ti * xi;
                    dl = -ti;
                }
                part += l;
                if (lossOut != null) {
                    lossOut[i] = (float) l;
                }
                if (gradOut != null) {
                    gradOut[i] = (float) (gradScale * (upstream == null ? 1.0 : upstream[i]) * dl);
                }
            }
            sum.add(part);
            a = b;
        }
    }

    @Override
    public int firstOutsideUnit(float[] v, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!(v[i] >= 0 && v[i] <= 1)) {
                return i;
            }
        }
        return -1;
    }

    // ================================================================ softmax, float32

    @Override
    public void softmax(float[] x, int n0, int n1, int classes, int inner, boolean log, float[] out) {
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int base = n * classes * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                }
                double se = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    se += Math.exp(x[k] - m);
                }
                if (log) {
                    // (x - m) - log S, in this order (pytorch/pytorch#11752)
                    final double logS = Math.log(se);
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        out[k] = (float) ((x[k] - m) - logS);
                    }
                } else {
                    final double inv = 1 / se;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        out[k] = (float) (Math.exp(x[k] - m) * inv);
                    }
                }
            }
        }
    }

    @Override
    public void softmaxBackward(float[] y, float[] g, int n0, int n1, int classes, int inner, boolean log, float[] dx) {
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int base = n * classes * inner + i;
                double dot = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    dot += log ? g[k] : (double) g[k] * y[k];
                }
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    dx[k] = (float) (log ? g[k] - Math.exp(y[k]) * dot : y[k] * (g[k] - dot));
                }
            }
        }
    }

    // ================================================================ cross-entropy, class index, float64

    @Override
    public void crossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                             double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final int classes = p.classes;
        final double eps = p.smoothing;
        final double epsC = eps / classes;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int s = n * inner + i;
                final int base = n * classes * inner + i;
                final int y = target[s];
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                }
                if (y == p.ignoreIndex) {
                    if (lossOut != null) {
                        lossOut[s] = 0;
                    }
                    if (gradOut != null) {
                        // log_softmax backward of a zero upstream: -p * 0, NaN when the row is NaN.
                        double z = Double.isFinite(m) ? 0 : Double.NaN;
                        for (int c = 0, k = base; c < classes; c++, k += inner) {
                            gradOut[k] = z;
                        }
                    }
                    continue;
                }
                final double xy = x[base + y * inner];
                double se = 0;
                double wd = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double d = x[k] - m;
                    double e = Math.exp(d);
                    se += e;
                    if (eps > 0) {
                        wd += p.w(c) * d;
                    }
                    if (gradOut != null) {
                        gradOut[k] = e;
                    }
                }
                final double logS = Math.log(se);
                final double wy = p.w(y);
                double loss = wy * (logS - (xy - m));
                if (eps > 0) {
                    loss = (1 - eps) * loss + epsC * (p.weightSum * logS - wd);
                }
                sum.add(loss);
                if (lossOut != null) {
                    lossOut[s] = loss;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                    final double a = g * (1 - eps) * wy;
                    final double scale = (eps > 0 ? a + g * epsC * p.weightSum : a) / se;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        double v = gradOut[k] * scale;
                        if (eps > 0) {
                            v -= g * epsC * p.w(c);
                        }
                        gradOut[k] = (c == y ? v - a : v);
                    }
                }
            }
        }
    }

    // ================================================================ cross-entropy, probabilities, float64

    @Override
    public void crossEntropyProbs(double[] x, double[] t, int n0, int n1, int inner, CeParams p,
                                  double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final int classes = p.classes;
        final double keep = 1 - p.smoothing;
        final double epsC = p.smoothing / classes;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int s = n * inner + i;
                final int base = n * classes * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                }
                double se = 0;
                double a = 0;
                double b = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double d = x[k] - m;
                    double e = Math.exp(d);
                    double wt = p.w(c) * (t[k] * keep + epsC);
                    se += e;
                    a += wt;
                    b += wt * d;
                    if (gradOut != null) {
                        gradOut[k] = e;
                    }
                }
                // -sum_c w_c t'_c (d_c - log S) = A log S - B
                final double loss = a * Math.log(se) - b;
                sum.add(loss);
                if (lossOut != null) {
                    lossOut[s] = loss;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                    final double scale = g * a / se;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        gradOut[k] = (gradOut[k] * scale - g * p.w(c) * (t[k] * keep + epsC));
                    }
                }
            }
        }
    }

    // ================================================================ nll, float64

    @Override
    public void nllLoss(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                        double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        final int classes = p.classes;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int s = n * inner + i;
                final int base = n * classes * inner + i;
                final int y = target[s];
                final boolean ignored = y == p.ignoreIndex;
                final double wy = ignored ? 0 : p.w(y);
                final double loss = ignored ? 0 : -wy * x[base + y * inner];
                if (!ignored) {
                    sum.add(loss);
                }
                if (lossOut != null) {
                    lossOut[s] = loss;
                }
                if (gradOut != null) {
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        gradOut[k] = 0;
                    }
                    if (!ignored) {
                        gradOut[base + y * inner] = (-wy * gradScale * (upstream == null ? 1.0 : upstream[s]));
                    }
                }
            }
        }
    }

    // ================================================================ bce on probabilities, float64

    @Override
    public void bce(double[] x, double[] y, int i0, int i1, int slice, Broadcast weight,
                    double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            double part = 0;
            for (int i = a; i < b; i++) {
                final double xi = x[i];
                final double yi = y[i];
                final double wi = weight == null ? 1 : weight.at(i);
                // each log clamped at -100 before it is multiplied (PyTorch)
                final double l = wi * ((yi - 1) * Math.max(Math.log1p(-xi), -100) - yi * Math.max(Math.log(xi), -100));
                part += l;
                if (lossOut != null) {
                    lossOut[i] = l;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[i]);
                    gradOut[i] = (g * wi * (xi - yi) / Math.max((1 - xi) * xi, BCE_EPSILON));
                }
            }
            sum.add(part);
            a = b;
        }
    }

    // ================================================================ bce with logits, float64

    @Override
    public void bceWithLogits(double[] x, double[] y, int i0, int i1, int slice, Broadcast weight, Broadcast posWeight,
                              double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            double part = 0;
            for (int i = a; i < b; i++) {
                final double xi = x[i];
                final double yi = y[i];
                final double w = weight == null ? 1.0 : weight.at(i);
                final double pw = posWeight == null ? 1.0 : posWeight.at(i);
                // log sigmoid(x) = min(x, 0) - log1p(exp(-|x|))
                final double logSig = Math.min(xi, 0) - Math.log1p(Math.exp(-Math.abs(xi)));
                final double lw = posWeight == null ? 1.0 : 1 + (pw - 1) * yi;
                double loss = (1 - yi) * xi - lw * logSig;
                if (weight != null) {
                    loss *= w;
                }
                part += loss;
                if (lossOut != null) {
                    lossOut[i] = loss;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[i]) * w;
                    final double sig = 1 / (1 + Math.exp(-xi));
                    gradOut[i] = (g * (lw * sig - pw * yi));
                }
            }
            sum.add(part);
            a = b;
        }
    }

    // ================================================================ kl divergence, float64

    @Override
    public void klDiv(double[] x, double[] t, int i0, int i1, int slice, boolean logTarget,
                      double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            double part = 0;
            for (int i = a; i < b; i++) {
                final double xi = x[i];
                final double ti = t[i];
                final double l;
                final double dl;
                if (logTarget) {
                    final double e = Math.exp(ti);
                    l = e * (ti - xi);
                    dl = -e;
                } else {
                    l = xlogy(ti, ti) - ti * xi;
                    dl = -ti;
                }
                part += l;
                if (lossOut != null) {
                    lossOut[i] = l;
                }
                if (gradOut != null) {
                    gradOut[i] = (gradScale * (upstream == null ? 1.0 : upstream[i]) * dl);
                }
            }
            sum.add(part);
            a = b;
        }
    }

    @Override
    public int firstOutsideUnit(double[] v, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!(v[i] >= 0 && v[i] <= 1)) {
                return i;
            }
        }
        return -1;
    }

    // ================================================================ softmax, float64

    @Override
    public void softmax(double[] x, int n0, int n1, int classes, int inner, boolean log, double[] out) {
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int base = n * classes * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                }
                double se = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    se += Math.exp(x[k] - m);
                }
                if (log) {
                    // (x - m) - log S, in this order (pytorch/pytorch#11752)
                    final double logS = Math.log(se);
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        out[k] = ((x[k] - m) - logS);
                    }
                } else {
                    final double inv = 1 / se;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        out[k] = (Math.exp(x[k] - m) * inv);
                    }
                }
            }
        }
    }

    @Override
    public void softmaxBackward(double[] y, double[] g, int n0, int n1, int classes, int inner, boolean log, double[] dx) {
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int base = n * classes * inner + i;
                double dot = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    dot += log ? g[k] : g[k] * y[k];
                }
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    dx[k] = (log ? g[k] - Math.exp(y[k]) * dot : y[k] * (g[k] - dot));
                }
            }
        }
    }

    /** x * log(y), 0 when x == 0 (and y is not NaN), as torch.xlogy. */
    public static double xlogy(double x, double y) {
        if (Double.isNaN(y)) {
            return Double.NaN;
        }
        return x == 0 ? 0 : x * Math.log(y);
    }
}
