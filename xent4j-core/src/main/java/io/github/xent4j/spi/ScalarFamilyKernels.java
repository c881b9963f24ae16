package io.github.xent4j.spi;

/**
 * The reference kernels of the cross-entropy family beyond plain cross-entropy: sigmoid focal,
 * softmax focal, poly-1, cross-entropy with z-loss and distillation. Plain loops with every
 * intermediate in double, strided over the class axis for any layout, in the style (and with the
 * per-position passes) of {@link ScalarKernels}; the float32 and float64 bodies are the same code
 * written twice. The {@link Kernels} default methods call these, so a provider that does not speed
 * a loss up inherits them; every other provider is tested against them.
 *
 * <p>Sums: class losses add one value per position (and, for z-loss and distillation, one value per
 * position into the second sum); sigmoid focal one double partial sum per segment. In place
 * ({@code gradOut == x}) every logit is read before its gradient is written.
 */
public final class ScalarFamilyKernels {

    private ScalarFamilyKernels() {
    }

    /**
     * The per-class focal term {@code f(l) = -(1 - p)^gamma l} of a log-probability l = log p &le; 0,
     * with 1 - p = -expm1(l) (no cancellation near p = 1).
     */
    public static double focalTerm(double l, double gamma) {
        return Math.pow(-Math.expm1(l), gamma) * -l;
    }

    /**
     * {@code df/dl = (1 - p)^gamma (-1 + gamma p l / (1 - p))}, with its limits taken where the
     * quotient is 0/0 (p = 1: l / (1 - p) -> -1) and where p l is 0 * inf (p = 0: p l -> 0), so that
     * no gamma &lt; 1 or saturated logit produces NaN.
     */
    public static double focalSlope(double l, double gamma) {
        final double u = -Math.expm1(l);
        final double p = Math.exp(l);
        final double ug = Math.pow(u, gamma);
        if (gamma == 0 || p == 0) {
            return -ug;
        }
        return ug * (-1 + gamma * p * (u > 0 ? l / u : -1));
    }

    // ================================================================ sigmoid focal, float

    /** See {@link Kernels#sigmoidFocal(double[], double[], int, int, int, double, double, double[], double[], double[], double, ExactSum)}. */
    public static void sigmoidFocal(float[] x, float[] t, int i0, int i1, int slice, double alpha, double gamma,
                                    float[] lossOut, float[] gradOut, float[] upstream, double gradScale, ExactSum sum) {
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            double part = 0;
            for (int i = a; i < b; i++) {
                final double xi = x[i];
                final double ti = t[i];
                // sigmoid(x) and sigmoid(-x), each without cancellation
                final double e = Math.exp(-Math.abs(xi));
                final double big = 1 / (1 + e);
                final double small = e / (1 + e);
                final double p = xi >= 0 ? big : small;
                final double pn = xi >= 0 ? small : big;
                // BCE with logits: (1 - t) x - log_sigmoid(x), log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|))
                final double ce = (1 - ti) * xi - (Math.min(xi, 0) - Math.log1p(e));
                // 1 - p_t = t sigmoid(-x) + (1 - t) sigmoid(x): a sum of non-negative terms
                final double q = ti * pn + (1 - ti) * p;
                final double qg = Math.pow(q, gamma);
                final double aw = alpha >= 0 ? alpha * ti + (1 - alpha) * (1 - ti) : 1;
                final double l = aw * ce * qg;
                part += l;
                if (lossOut != null) {
                    lossOut[i] = (float) l;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[i]);
                    // d/dx (ce q^g) = (p - t) q^g + g q^g (1 - 2t) p (1 - p) / q;  p (1 - p) / q -> 1 where q = 0
                    final double r = q > 0 ? p * pn / q : 1;
                    final double d = (p - ti) * qg + (gamma == 0 ? 0 : ce * gamma * qg * (1 - 2 * ti) * r);
                    gradOut[i] = (float) (g * aw * d);
                }
            }
            sum.add(part);
            a = b;
        }
    }

    // ================================================================ softmax focal, float

    /** See {@link Kernels#focal(double[], int[], int, int, int, CeParams, double, double[], double[], double[], double, ExactSum)}. */
    public static void focal(float[] x, int[] target, int n0, int n1, int inner, CeParams p, double gamma,
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
                    ignoredRow(m, gradOut, base, classes, inner, lossOut, s);
                    continue;
                }
                final double xy = x[base + y * inner];
                // the exps go into the gradient buffer only where they are read back (no smoothing), so
                // that in place every logit is read before its gradient is written
                final float[] keep = eps == 0 ? gradOut : null;
                double se = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double e = Math.exp(x[k] - m);
                    se += e;
                    if (keep != null) {
                        keep[k] = (float) e;
                    }
                }
                final double logS = Math.log(se);
                final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                double loss;
                if (eps == 0) {
                    final double ly = (xy - m) - logS;
                    final double wy = p.w(y);
                    loss = wy * focalTerm(ly, gamma);
                    if (gradOut != null) {
                        // dL/dx_j = w_y f'(l_y) ([j == y] - p_j)
                        final double a = -g * wy * focalSlope(ly, gamma);
                        final double scale = a / se;
                        for (int c = 0, k = base; c < classes; c++, k += inner) {
                            double v = gradOut[k] * scale;
                            gradOut[k] = (float) (c == y ? v - a : v);
                        }
                    }
                } else {
                    // t_c = (1 - eps) [c == y] + eps / C, a_c = w_c t_c:  L = sum_c a_c f(l_c)
                    loss = 0;
                    double fsum = 0;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        final double lc = (x[k] - m) - logS;
                        final double ac = p.w(c) * (c == y ? 1 - eps + epsC : epsC);
                        loss += ac * focalTerm(lc, gamma);
                        fsum += ac * focalSlope(lc, gamma);
                    }
                    if (gradOut != null) {
                        // dL/dx_j = a_j f'(l_j) - p_j sum_c a_c f'(l_c)
                        for (int c = 0, k = base; c < classes; c++, k += inner) {
                            final double lc = (x[k] - m) - logS;
                            final double ac = p.w(c) * (c == y ? 1 - eps + epsC : epsC);
                            gradOut[k] = (float) (g * (ac * focalSlope(lc, gamma) - Math.exp(lc) * fsum));
                        }
                    }
                }
                sum.add(loss);
                if (lossOut != null) {
                    lossOut[s] = (float) loss;
                }
            }
        }
    }

    /** Loss, and the gradient of zero upstream, of an ignored position (NaN where the row is NaN, +inf or all -inf). */
    private static void ignoredRow(double m, float[] gradOut, int base, int classes, int inner, float[] lossOut, int s) {
        if (lossOut != null) {
            lossOut[s] = 0;
        }
        if (gradOut != null) {
            float z = Double.isFinite(m) ? 0 : Float.NaN;
            for (int c = 0, k = base; c < classes; c++, k += inner) {
                gradOut[k] = z;
            }
        }
    }

    // ================================================================ poly-1, float

    /** See {@link Kernels#polyCrossEntropy(double[], int[], int, int, int, CeParams, double, double[], double[], double[], double, ExactSum)}. */
    public static void polyCrossEntropy(float[] x, int[] target, int n0, int n1, int inner, CeParams p, double epsilon,
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
                    ignoredRow(m, gradOut, base, classes, inner, lossOut, s);
                    continue;
                }
                final double dy = x[base + y * inner] - m;
                double se = 0;
                double wd = 0;
                double we = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double d = x[k] - m;
                    double e = Math.exp(d);
                    se += e;
                    if (eps > 0) {
                        wd += p.w(c) * d;
                        we += p.w(c) * e;
                    }
                    if (gradOut != null) {
                        gradOut[k] = (float) e;
                    }
                }
                final double logS = Math.log(se);
                final double wy = p.w(y);
                final double py = Math.exp(dy - logS);
                // a_c = w_c t'_c; A = sum a_c, B = sum a_c p_c; CE = sum a_c (log S - d_c); poly = eps (A - B)
                final double big = (1 - eps) * wy;
                final double bigA = eps > 0 ? big + epsC * p.weightSum : wy;
                final double bigB = eps > 0 ? big * py + epsC * we / se : wy * py;
                double ce = wy * (logS - dy);
                if (eps > 0) {
                    ce = (1 - eps) * ce + epsC * (p.weightSum * logS - wd);
                }
                final double loss = ce + epsilon * (bigA - bigB);
                sum.add(loss);
                if (lossOut != null) {
                    lossOut[s] = (float) loss;
                }
                if (gradOut != null) {
                    // dL/dx_j = g (p_j (A + eps B) - a_j (1 + eps p_j))
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                    final double scale = g * (bigA + epsilon * bigB) / se;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        final double pc = gradOut[k] / se;
                        final double ac = (eps > 0 ? epsC * p.w(c) : 0) + (c == y ? big : 0);
                        gradOut[k] = (float) (gradOut[k] * scale - g * ac * (1 + epsilon * pc));
                    }
                }
            }
        }
    }

    /** See {@link Kernels#polyCrossEntropyProbs(double[], double[], int, int, int, CeParams, double, double[], double[], double[], double, ExactSum)}. */
    public static void polyCrossEntropyProbs(float[] x, float[] t, int n0, int n1, int inner, CeParams p, double epsilon,
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
                double ae = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double d = x[k] - m;
                    double e = Math.exp(d);
                    double wt = p.w(c) * (t[k] * keep + epsC);
                    se += e;
                    a += wt;
                    b += wt * d;
                    ae += wt * e;
                    if (gradOut != null) {
                        gradOut[k] = (float) e;
                    }
                }
                // CE = A log S - sum a_c d_c;  poly = eps (A - B), B = sum a_c p_c
                final double bigB = ae / se;
                final double loss = a * Math.log(se) - b + epsilon * (a - bigB);
                sum.add(loss);
                if (lossOut != null) {
                    lossOut[s] = (float) loss;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                    final double scale = g * (a + epsilon * bigB) / se;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        final double ac = p.w(c) * (t[k] * keep + epsC);
                        gradOut[k] = (float) (gradOut[k] * scale - g * ac * (1 + epsilon * gradOut[k] / se));
                    }
                }
            }
        }
    }

    // ================================================================ cross-entropy + z-loss, float

    /** See {@link Kernels#crossEntropyZ(double[], int[], int, int, int, CeParams, double, double[], double[], double[], double, double, ExactSum, ExactSum)}. */
    public static void crossEntropyZ(float[] x, int[] target, int n0, int n1, int inner, CeParams p, double zLoss,
                                     float[] lossOut, float[] gradOut, float[] upstream, double gradScale, double zGradScale,
                                     ExactSum sum, ExactSum zSum) {
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
                    ignoredRow(m, gradOut, base, classes, inner, lossOut, s);
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
                final double lse = m + logS;
                final double zl = zLoss * lse * lse;
                sum.add(loss);
                zSum.add(zl);
                if (lossOut != null) {
                    lossOut[s] = (float) (loss + zl);
                }
                if (gradOut != null) {
                    final double up = upstream == null ? 1.0 : upstream[s];
                    final double g = gradScale * up;
                    final double a = g * (1 - eps) * wy;
                    // d(s lse^2)/dx_c = 2 s lse p_c
                    final double zg = zGradScale * up * 2 * zLoss * lse;
                    final double scale = ((eps > 0 ? a + g * epsC * p.weightSum : a) + zg) / se;
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

    /** See {@link Kernels#crossEntropyProbsZ(double[], double[], int, int, int, CeParams, double, double[], double[], double[], double, double, ExactSum, ExactSum)}. */
    public static void crossEntropyProbsZ(float[] x, float[] t, int n0, int n1, int inner, CeParams p, double zLoss,
                                          float[] lossOut, float[] gradOut, float[] upstream, double gradScale, double zGradScale,
                                          ExactSum sum, ExactSum zSum) {
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
                final double logS = Math.log(se);
                final double loss = a * logS - b;
                final double lse = m + logS;
                final double zl = zLoss * lse * lse;
                sum.add(loss);
                zSum.add(zl);
                if (lossOut != null) {
                    lossOut[s] = (float) (loss + zl);
                }
                if (gradOut != null) {
                    final double up = upstream == null ? 1.0 : upstream[s];
                    final double g = gradScale * up;
                    final double scale = (g * a + zGradScale * up * 2 * zLoss * lse) / se;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        gradOut[k] = (float) (gradOut[k] * scale - g * p.w(c) * (t[k] * keep + epsC));
                    }
                }
            }
        }
    }

    // ================================================================ distillation, float

    /** See {@link Kernels#distillation(double[], double[], int[], int, int, int, DistillParams, double[], double[], double[], double, double, ExactSum, ExactSum)}. */
    public static void distillation(float[] x, float[] teacher, int[] target, int n0, int n1, int inner, DistillParams p,
                                    float[] lossOut, float[] gradOut, float[] upstream, double gradScale, double ceGradScale,
                                    ExactSum sum, ExactSum ceSum) {
        final int classes = p.classes;
        final double temp = p.temperature;
        final double invT = 1 / temp;
        final double alpha = p.alpha;
        final boolean kdOn = alpha > 0;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int s = n * inner + i;
                final int base = n * classes * inner + i;
                final int y = target == null ? p.ignoreIndex : target[s];
                final boolean ceOn = target != null && alpha < 1 && y != p.ignoreIndex;
                double m = Double.NEGATIVE_INFINITY;
                double mt = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                    mt = Math.max(mt, teacher[k]);
                }
                // student log p_c = (x_c - m) / T - log S;  teacher log q_c = (t_c - mt) / T - log St (or t_c)
                double se = 0;
                double st = 0;
                double s1 = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    se += Math.exp((x[k] - m) * invT);
                    if (!p.logTeacher) {
                        st += Math.exp((teacher[k] - mt) * invT);
                    }
                    if (ceOn && temp != 1) {
                        s1 += Math.exp(x[k] - m);
                    }
                }
                final double logS = Math.log(se);
                final double logSt = p.logTeacher ? 0 : Math.log(st);
                final double logS1 = temp == 1 ? logS : Math.log(s1);
                double kd = 0;
                if (kdOn) {
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        final double lq = p.logTeacher ? teacher[k] : (teacher[k] - mt) * invT - logSt;
                        final double q = Math.exp(lq);
                        if (q != 0) {
                            kd += q * (lq - ((x[k] - m) * invT - logS));
                        }
                    }
                    kd *= temp * temp;
                }
                final double lk = kdOn ? alpha * kd : 0;
                final double lc = ceOn ? (1 - alpha) * (logS1 - (x[base + y * inner] - m)) : 0;
                sum.add(lk);
                if (ceOn) {
                    ceSum.add(lc);
                }
                if (lossOut != null) {
                    lossOut[s] = (float) (lk + lc);
                }
                if (gradOut != null) {
                    final double up = upstream == null ? 1.0 : upstream[s];
                    // d(T^2 KL)/dx_c = T (p_c - q_c);  d CE/dx_c = p1_c - [c == y]
                    final double gk = kdOn ? gradScale * up * alpha * temp : 0;
                    final double gc = ceOn ? ceGradScale * up * (1 - alpha) : 0;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        double v = 0;
                        if (kdOn) {
                            final double lq = p.logTeacher ? teacher[k] : (teacher[k] - mt) * invT - logSt;
                            v = gk * (Math.exp((x[k] - m) * invT - logS) - Math.exp(lq));
                        }
                        if (ceOn) {
                            v += gc * (Math.exp((x[k] - m) - logS1) - (c == y ? 1 : 0));
                        }
                        gradOut[k] = (float) v;
                    }
                }
            }
        }
    }

    // ================================================================ sigmoid focal, double

    /** See {@link Kernels#sigmoidFocal(double[], double[], int, int, int, double, double, double[], double[], double[], double, ExactSum)}. */
    public static void sigmoidFocal(double[] x, double[] t, int i0, int i1, int slice, double alpha, double gamma,
                                    double[] lossOut, double[] gradOut, double[] upstream, double gradScale, ExactSum sum) {
        for (int a = i0; a < i1; ) {
            final int b = Kernels.segmentEnd(a, i1, slice);
            double part = 0;
            for (int i = a; i < b; i++) {
                final double xi = x[i];
                final double ti = t[i];
                // sigmoid(x) and sigmoid(-x), each without cancellation
                final double e = Math.exp(-Math.abs(xi));
                final double big = 1 / (1 + e);
                final double small = e / (1 + e);
                final double p = xi >= 0 ? big : small;
                final double pn = xi >= 0 ? small : big;
                // BCE with logits: (1 - t) x - log_sigmoid(x), log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|))
                final double ce = (1 - ti) * xi - (Math.min(xi, 0) - Math.log1p(e));
                // 1 - p_t = t sigmoid(-x) + (1 - t) sigmoid(x): a sum of non-negative terms
                final double q = ti * pn + (1 - ti) * p;
                final double qg = Math.pow(q, gamma);
                final double aw = alpha >= 0 ? alpha * ti + (1 - alpha) * (1 - ti) : 1;
                final double l = aw * ce * qg;
                part += l;
                if (lossOut != null) {
                    lossOut[i] = l;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[i]);
                    // d/dx (ce q^g) = (p - t) q^g + g q^g (1 - 2t) p (1 - p) / q;  p (1 - p) / q -> 1 where q = 0
                    final double r = q > 0 ? p * pn / q : 1;
                    final double d = (p - ti) * qg + (gamma == 0 ? 0 : ce * gamma * qg * (1 - 2 * ti) * r);
                    gradOut[i] = g * aw * d;
                }
            }
            sum.add(part);
            a = b;
        }
    }

    // ================================================================ softmax focal, double

    /** See {@link Kernels#focal(double[], int[], int, int, int, CeParams, double, double[], double[], double[], double, ExactSum)}. */
    public static void focal(double[] x, int[] target, int n0, int n1, int inner, CeParams p, double gamma,
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
                    ignoredRow(m, gradOut, base, classes, inner, lossOut, s);
                    continue;
                }
                final double xy = x[base + y * inner];
                // the exps go into the gradient buffer only where they are read back (no smoothing), so
                // that in place every logit is read before its gradient is written
                final double[] keep = eps == 0 ? gradOut : null;
                double se = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double e = Math.exp(x[k] - m);
                    se += e;
                    if (keep != null) {
                        keep[k] = e;
                    }
                }
                final double logS = Math.log(se);
                final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                double loss;
                if (eps == 0) {
                    final double ly = (xy - m) - logS;
                    final double wy = p.w(y);
                    loss = wy * focalTerm(ly, gamma);
                    if (gradOut != null) {
                        // dL/dx_j = w_y f'(l_y) ([j == y] - p_j)
                        final double a = -g * wy * focalSlope(ly, gamma);
                        final double scale = a / se;
                        for (int c = 0, k = base; c < classes; c++, k += inner) {
                            double v = gradOut[k] * scale;
                            gradOut[k] = c == y ? v - a : v;
                        }
                    }
                } else {
                    // t_c = (1 - eps) [c == y] + eps / C, a_c = w_c t_c:  L = sum_c a_c f(l_c)
                    loss = 0;
                    double fsum = 0;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        final double lc = (x[k] - m) - logS;
                        final double ac = p.w(c) * (c == y ? 1 - eps + epsC : epsC);
                        loss += ac * focalTerm(lc, gamma);
                        fsum += ac * focalSlope(lc, gamma);
                    }
                    if (gradOut != null) {
                        // dL/dx_j = a_j f'(l_j) - p_j sum_c a_c f'(l_c)
                        for (int c = 0, k = base; c < classes; c++, k += inner) {
                            final double lc = (x[k] - m) - logS;
                            final double ac = p.w(c) * (c == y ? 1 - eps + epsC : epsC);
                            gradOut[k] = g * (ac * focalSlope(lc, gamma) - Math.exp(lc) * fsum);
                        }
                    }
                }
                sum.add(loss);
                if (lossOut != null) {
                    lossOut[s] = loss;
                }
            }
        }
    }

    /** Loss, and the gradient of zero upstream, of an ignored position (NaN where the row is NaN, +inf or all -inf). */
    private static void ignoredRow(double m, double[] gradOut, int base, int classes, int inner, double[] lossOut, int s) {
        if (lossOut != null) {
            lossOut[s] = 0;
        }
        if (gradOut != null) {
            double z = Double.isFinite(m) ? 0 : Double.NaN;
            for (int c = 0, k = base; c < classes; c++, k += inner) {
                gradOut[k] = z;
            }
        }
    }

    // ================================================================ poly-1, double

    /** See {@link Kernels#polyCrossEntropy(double[], int[], int, int, int, CeParams, double, double[], double[], double[], double, ExactSum)}. */
    public static void polyCrossEntropy(double[] x, int[] target, int n0, int n1, int inner, CeParams p, double epsilon,
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
                    ignoredRow(m, gradOut, base, classes, inner, lossOut, s);
                    continue;
                }
                final double dy = x[base + y * inner] - m;
                double se = 0;
                double wd = 0;
                double we = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double d = x[k] - m;
                    double e = Math.exp(d);
                    se += e;
                    if (eps > 0) {
                        wd += p.w(c) * d;
                        we += p.w(c) * e;
                    }
                    if (gradOut != null) {
                        gradOut[k] = e;
                    }
                }
                final double logS = Math.log(se);
                final double wy = p.w(y);
                final double py = Math.exp(dy - logS);
                // a_c = w_c t'_c; A = sum a_c, B = sum a_c p_c; CE = sum a_c (log S - d_c); poly = eps (A - B)
                final double big = (1 - eps) * wy;
                final double bigA = eps > 0 ? big + epsC * p.weightSum : wy;
                final double bigB = eps > 0 ? big * py + epsC * we / se : wy * py;
                double ce = wy * (logS - dy);
                if (eps > 0) {
                    ce = (1 - eps) * ce + epsC * (p.weightSum * logS - wd);
                }
                final double loss = ce + epsilon * (bigA - bigB);
                sum.add(loss);
                if (lossOut != null) {
                    lossOut[s] = loss;
                }
                if (gradOut != null) {
                    // dL/dx_j = g (p_j (A + eps B) - a_j (1 + eps p_j))
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                    final double scale = g * (bigA + epsilon * bigB) / se;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        final double pc = gradOut[k] / se;
                        final double ac = (eps > 0 ? epsC * p.w(c) : 0) + (c == y ? big : 0);
                        gradOut[k] = gradOut[k] * scale - g * ac * (1 + epsilon * pc);
                    }
                }
            }
        }
    }

    /** See {@link Kernels#polyCrossEntropyProbs(double[], double[], int, int, int, CeParams, double, double[], double[], double[], double, ExactSum)}. */
    public static void polyCrossEntropyProbs(double[] x, double[] t, int n0, int n1, int inner, CeParams p, double epsilon,
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
                double ae = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    double d = x[k] - m;
                    double e = Math.exp(d);
                    double wt = p.w(c) * (t[k] * keep + epsC);
                    se += e;
                    a += wt;
                    b += wt * d;
                    ae += wt * e;
                    if (gradOut != null) {
                        gradOut[k] = e;
                    }
                }
                // CE = A log S - sum a_c d_c;  poly = eps (A - B), B = sum a_c p_c
                final double bigB = ae / se;
                final double loss = a * Math.log(se) - b + epsilon * (a - bigB);
                sum.add(loss);
                if (lossOut != null) {
                    lossOut[s] = loss;
                }
                if (gradOut != null) {
                    final double g = gradScale * (upstream == null ? 1.0 : upstream[s]);
                    final double scale = g * (a + epsilon * bigB) / se;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        final double ac = p.w(c) * (t[k] * keep + epsC);
                        gradOut[k] = gradOut[k] * scale - g * ac * (1 + epsilon * gradOut[k] / se);
                    }
                }
            }
        }
    }

    // ================================================================ cross-entropy + z-loss, double

    /** See {@link Kernels#crossEntropyZ(double[], int[], int, int, int, CeParams, double, double[], double[], double[], double, double, ExactSum, ExactSum)}. */
    public static void crossEntropyZ(double[] x, int[] target, int n0, int n1, int inner, CeParams p, double zLoss,
                                     double[] lossOut, double[] gradOut, double[] upstream, double gradScale, double zGradScale,
                                     ExactSum sum, ExactSum zSum) {
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
                    ignoredRow(m, gradOut, base, classes, inner, lossOut, s);
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
                final double lse = m + logS;
                final double zl = zLoss * lse * lse;
                sum.add(loss);
                zSum.add(zl);
                if (lossOut != null) {
                    lossOut[s] = loss + zl;
                }
                if (gradOut != null) {
                    final double up = upstream == null ? 1.0 : upstream[s];
                    final double g = gradScale * up;
                    final double a = g * (1 - eps) * wy;
                    // d(s lse^2)/dx_c = 2 s lse p_c
                    final double zg = zGradScale * up * 2 * zLoss * lse;
                    final double scale = ((eps > 0 ? a + g * epsC * p.weightSum : a) + zg) / se;
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
    }

    /** See {@link Kernels#crossEntropyProbsZ(double[], double[], int, int, int, CeParams, double, double[], double[], double[], double, double, ExactSum, ExactSum)}. */
    public static void crossEntropyProbsZ(double[] x, double[] t, int n0, int n1, int inner, CeParams p, double zLoss,
                                          double[] lossOut, double[] gradOut, double[] upstream, double gradScale, double zGradScale,
                                          ExactSum sum, ExactSum zSum) {
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
                final double logS = Math.log(se);
                final double loss = a * logS - b;
                final double lse = m + logS;
                final double zl = zLoss * lse * lse;
                sum.add(loss);
                zSum.add(zl);
                if (lossOut != null) {
                    lossOut[s] = loss + zl;
                }
                if (gradOut != null) {
                    final double up = upstream == null ? 1.0 : upstream[s];
                    final double g = gradScale * up;
                    final double scale = (g * a + zGradScale * up * 2 * zLoss * lse) / se;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        gradOut[k] = gradOut[k] * scale - g * p.w(c) * (t[k] * keep + epsC);
                    }
                }
            }
        }
    }

    // ================================================================ distillation, double

    /** See {@link Kernels#distillation(double[], double[], int[], int, int, int, DistillParams, double[], double[], double[], double, double, ExactSum, ExactSum)}. */
    public static void distillation(double[] x, double[] teacher, int[] target, int n0, int n1, int inner, DistillParams p,
                                    double[] lossOut, double[] gradOut, double[] upstream, double gradScale, double ceGradScale,
                                    ExactSum sum, ExactSum ceSum) {
        final int classes = p.classes;
        final double temp = p.temperature;
        final double invT = 1 / temp;
        final double alpha = p.alpha;
        final boolean kdOn = alpha > 0;
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < inner; i++) {
                final int s = n * inner + i;
                final int base = n * classes * inner + i;
                final int y = target == null ? p.ignoreIndex : target[s];
                final boolean ceOn = target != null && alpha < 1 && y != p.ignoreIndex;
                double m = Double.NEGATIVE_INFINITY;
                double mt = Double.NEGATIVE_INFINITY;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    m = Math.max(m, x[k]);
                    mt = Math.max(mt, teacher[k]);
                }
                // student log p_c = (x_c - m) / T - log S;  teacher log q_c = (t_c - mt) / T - log St (or t_c)
                double se = 0;
                double st = 0;
                double s1 = 0;
                for (int c = 0, k = base; c < classes; c++, k += inner) {
                    se += Math.exp((x[k] - m) * invT);
                    if (!p.logTeacher) {
                        st += Math.exp((teacher[k] - mt) * invT);
                    }
                    if (ceOn && temp != 1) {
                        s1 += Math.exp(x[k] - m);
                    }
                }
                final double logS = Math.log(se);
                final double logSt = p.logTeacher ? 0 : Math.log(st);
                final double logS1 = temp == 1 ? logS : Math.log(s1);
                double kd = 0;
                if (kdOn) {
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        final double lq = p.logTeacher ? teacher[k] : (teacher[k] - mt) * invT - logSt;
                        final double q = Math.exp(lq);
                        if (q != 0) {
                            kd += q * (lq - ((x[k] - m) * invT - logS));
                        }
                    }
                    kd *= temp * temp;
                }
                final double lk = kdOn ? alpha * kd : 0;
                final double lc = ceOn ? (1 - alpha) * (logS1 - (x[base + y * inner] - m)) : 0;
                sum.add(lk);
                if (ceOn) {
                    ceSum.add(lc);
                }
                if (lossOut != null) {
                    lossOut[s] = lk + lc;
                }
                if (gradOut != null) {
                    final double up = upstream == null ? 1.0 : upstream[s];
                    // d(T^2 KL)/dx_c = T (p_c - q_c);  d CE/dx_c = p1_c - [c == y]
                    final double gk = kdOn ? gradScale * up * alpha * temp : 0;
                    final double gc = ceOn ? ceGradScale * up * (1 - alpha) : 0;
                    for (int c = 0, k = base; c < classes; c++, k += inner) {
                        double v = 0;
                        if (kdOn) {
                            final double lq = p.logTeacher ? teacher[k] : (teacher[k] - mt) * invT - logSt;
                            v = gk * (Math.exp((x[k] - m) * invT - logS) - Math.exp(lq));
                        }
                        if (ceOn) {
                            v += gc * (Math.exp((x[k] - m) - logS1) - (c == y ? 1 : 0));
                        }
                        gradOut[k] = v;
                    }
                }
            }
        }
    }

}
