package io.github.xent4j.internal;

import io.github.xent4j.spi.Broadcast;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.Kernels;

/**
 * The reference kernels: plain loops, every intermediate in double, one {@code Math.exp} per
 * element. The float32 and float64 bodies are the same code written twice.
 *
 * <p>Algorithm per position: pass 1 takes the max m (NaN-propagating, so a row holding NaN or +inf,
 * or all -inf, yields NaN as in PyTorch); pass 2 evaluates d = x - m, e = exp(d), S = sum e and the
 * weighted sums the loss needs, storing e into the gradient buffer; the loss uses the stable form
 * {@code -log_softmax = log S - d} (never {@code log(softmax)}); pass 3 scales e into the gradient.
 * Error: a few ulp of double per element, then one rounding to the output type.
 */
public final class ScalarKernels implements Kernels {

    public static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {
    }

    @Override
    public double crossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p,
                               float[] lossOut, float[] gradOut, float[] upstream, double gradScale) {
        final int classes = p.classes;
        final double eps = p.smoothing;
        final double epsC = eps / classes;
        double total = 0;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int s = n * inner + i;
                final int base = n * classes * inner + i;
                final int y = target[s];
                final boolean ignored = y == p.ignoreIndex;
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                }
                if (ignored) {
                    if (lossOut != null) {
                        lossOut[s] = 0f;
                    }
                    if (gradOut != null) {
                        // log_softmax backward of a zero upstream: -p * 0, NaN when the row is NaN.
                        float z = Double.isFinite(m) ? 0f : Float.NaN;
                        for (int c = 0, k = base; c < classes; c++, k += inner) {
                            gradOut[k] = z;
                        }
                    }
                    continue;
                }
                final double xy = x[base + y * inner];
                double sum = 0;
                double wd = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double d = x[k] - m;
                    double e = Math.exp(d);
                    sum += e;
                    if (eps > 0) {
                        wd += p.w(c) * d;
                    }
                    if (gradOut != null) {
                        gradOut[k] = (float) e;
                    }
                }
                final double logS = Math.log(sum);
                final double wy = p.w(y);
                double loss = wy * (logS - (xy - m));
                if (eps > 0) {
                    loss = (1 - eps) * loss + epsC * (p.weightSum * logS - wd);
                }
                total += loss;
                if (lossOut != null) {
                    lossOut[s] = (float) loss;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                    final double a = g * (1 - eps) * wy;
                    final double scale = (eps > 0 ? a + g * epsC * p.weightSum : a) / sum;
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
        return total;
    }

    @Override
    public double crossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p,
                               double[] lossOut, double[] gradOut, double[] upstream, double gradScale) {
        final int classes = p.classes;
        final double eps = p.smoothing;
        final double epsC = eps / classes;
        double total = 0;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int s = n * inner + i;
                final int base = n * classes * inner + i;
                final int y = target[s];
                final boolean ignored = y == p.ignoreIndex;
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                }
                if (ignored) {
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
                double sum = 0;
                double wd = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double d = x[k] - m;
                    double e = Math.exp(d);
                    sum += e;
                    if (eps > 0) {
                        wd += p.w(c) * d;
                    }
                    if (gradOut != null) {
                        gradOut[k] = e;
                    }
                }
                final double logS = Math.log(sum);
                final double wy = p.w(y);
                double loss = wy * (logS - (xy - m));
                if (eps > 0) {
                    loss = (1 - eps) * loss + epsC * (p.weightSum * logS - wd);
                }
                total += loss;
                if (lossOut != null) {
                    lossOut[s] = loss;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                    final double a = g * (1 - eps) * wy;
                    final double scale = (eps > 0 ? a + g * epsC * p.weightSum : a) / sum;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        double v = gradOut[k] * scale;
                        if (eps > 0) {
                            v -= g * epsC * p.w(c);
                        }
                        gradOut[k] = c == y ? v - a : v;
                    }
                }
            }
        }
        return total;
    }

    @Override
    public double crossEntropyProbs(float[] x, float[] t, int n0, int n1, int inner, CeParams p,
                                    float[] lossOut, float[] gradOut, float[] upstream, double gradScale) {
        final int classes = p.classes;
        final double keep = 1 - p.smoothing;
        final double epsC = p.smoothing / classes;
        double total = 0;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int s = n * inner + i;
                final int base = n * classes * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                }
                double sum = 0;
                double a = 0;
                double b = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double d = x[k] - m;
                    double e = Math.exp(d);
                    double wt = p.w(c) * (t[k] * keep + epsC);
                    sum += e;
                    a += wt;
                    b += wt * d;
                    if (gradOut != null) {
                        gradOut[k] = (float) e;
                    }
                }
                // -sum_c w_c t'_c (d_c - log S) = A log S - B
                final double loss = a * Math.log(sum) - b;
                total += loss;
                if (lossOut != null) {
                    lossOut[s] = (float) loss;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                    final double scale = g * a / sum;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        gradOut[k] = (float) (gradOut[k] * scale - g * p.w(c) * (t[k] * keep + epsC));
                    }
                }
            }
        }
        return total;
    }

    @Override
    public double crossEntropyProbs(double[] x, double[] t, int n0, int n1, int inner, CeParams p,
                                    double[] lossOut, double[] gradOut, double[] upstream, double gradScale) {
        final int classes = p.classes;
        final double keep = 1 - p.smoothing;
        final double epsC = p.smoothing / classes;
        double total = 0;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int s = n * inner + i;
                final int base = n * classes * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                }
                double sum = 0;
                double a = 0;
                double b = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double d = x[k] - m;
                    double e = Math.exp(d);
                    double wt = p.w(c) * (t[k] * keep + epsC);
                    sum += e;
                    a += wt;
                    b += wt * d;
                    if (gradOut != null) {
                        gradOut[k] = e;
                    }
                }
                // -sum_c w_c t'_c (d_c - log S) = A log S - B
                final double loss = a * Math.log(sum) - b;
                total += loss;
                if (lossOut != null) {
                    lossOut[s] = loss;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                    final double scale = g * a / sum;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        gradOut[k] = gradOut[k] * scale - g * p.w(c) * (t[k] * keep + epsC);
                    }
                }
            }
        }
        return total;
    }

    @Override
    public double bceWithLogits(float[] x, float[] y, int i0, int i1, Broadcast weight, Broadcast posWeight,
                                float[] lossOut, float[] gradOut, float[] upstream, double gradScale) {
        double total = 0;
        for (int i = i0; i < i1; i++) {
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
            total += loss;
            if (lossOut != null) {
                lossOut[i] = (float) loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[i]) * w;
                final double sig = 1 / (1 + Math.exp(-xi));
                gradOut[i] = (float) (g * (lw * sig - pw * yi));
            }
        }
        return total;
    }

    @Override
    public double bceWithLogits(double[] x, double[] y, int i0, int i1, Broadcast weight, Broadcast posWeight,
                                double[] lossOut, double[] gradOut, double[] upstream, double gradScale) {
        double total = 0;
        for (int i = i0; i < i1; i++) {
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
            total += loss;
            if (lossOut != null) {
                lossOut[i] = loss;
            }
            if (gradOut != null) {
                final double g = gradScale * (upstream == null ? 1.0 : upstream[i]) * w;
                final double sig = 1 / (1 + Math.exp(-xi));
                gradOut[i] = g * (lw * sig - pw * yi);
            }
        }
        return total;
    }

    @Override
    public void softmax(float[] x, int n0, int n1, int classes, int inner, boolean log, float[] out) {
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int base = n * classes * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                }
                double sum = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    sum += Math.exp(x[k] - m);
                }
                if (log) {
                    // (x - m) - log S, in this order (pytorch/pytorch#11752)
                    final double logS = Math.log(sum);
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        out[k] = (float) ((x[k] - m) - logS);
                    }
                } else {
                    final double inv = 1 / sum;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        out[k] = (float) (Math.exp(x[k] - m) * inv);
                    }
                }
            }
        }
    }

    @Override
    public void softmax(double[] x, int n0, int n1, int classes, int inner, boolean log, double[] out) {
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int base = n * classes * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                }
                double sum = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    sum += Math.exp(x[k] - m);
                }
                if (log) {
                    // (x - m) - log S, in this order (pytorch/pytorch#11752)
                    final double logS = Math.log(sum);
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        out[k] = (x[k] - m) - logS;
                    }
                } else {
                    final double inv = 1 / sum;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        out[k] = Math.exp(x[k] - m) * inv;
                    }
                }
            }
        }
    }
}
