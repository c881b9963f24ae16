package io.github.xent4j;

import io.github.xent4j.internal.Check;
import io.github.xent4j.internal.ClassShape;
import io.github.xent4j.internal.Dispatch;
import io.github.xent4j.spi.CeParams;
import io.github.xent4j.spi.ExactSum;
import io.github.xent4j.spi.Gemm;

import java.util.Arrays;

/**
 * Cross-entropy of a linear layer's output without the logits in memory, as PyTorch's
 * {@code F.linear_cross_entropy(input, linear_weight, target, linear_bias=, weight=, reduction=,
 * ignore_index=, label_smoothing=)}: exactly {@link CrossEntropyLoss} applied to
 * {@code input . linear_weight^T + linear_bias}, computed in row chunks so that only a chunk of
 * logits (R x V) ever exists, with the gradients for the input, the weight and the bias in the same
 * call. Options beyond PyTorch's, each off by default: z-loss, soft-capping, per-token weights, and
 * statistics (token accuracy, perplexity, per-token loss and log-sum-exp).
 *
 * <p>Shapes (flat row-major arrays): input (N, D), or (B, T, D) read as N = B*T rows (any leading
 * dims; (D) is one row); linear_weight (V, D) as {@code nn.Linear} stores it; linear_bias (V) or
 * null; target one class index per row (N values); token weights null or N values; class weights
 * null or V values.
 *
 * <p>Value. With u = input . W^T + b (N x V), z = c tanh(u / c) with soft-cap c (z = u without), lse_i
 * = log sum_j exp z_ij, ce_i the per-position loss of {@link CrossEntropyLoss} on z (class weights
 * w, label smoothing eps; 0 for an ignored token), tw_i the token weight (1 without), s the z-loss
 * coefficient and K the non-ignored tokens:
 * <pre>{@code
 * ce_i   = (1 - eps) w[y_i] (lse_i - z[i, y_i]) + (eps / V) sum_j w_j (lse_i - z_ij)      (CrossEntropyLoss's rule)
 * zl_i   = s lse_i^2                                                                      (z-loss, PaLM)
 * loss_i = tw_i (ce_i + zl_i)                     for i in K, else 0                      (NONE: these)
 * SUM    = sum_K tw_i (ce_i + zl_i)
 * MEAN   = sum_K tw_i ce_i / sum_K tw_i w[y_i]  +  sum_K tw_i zl_i / sum_K tw_i
 * }</pre>
 * Without token weights and z-loss this is PyTorch's value exactly (MEAN divides by the sum of
 * w[y] over non-ignored tokens; the denominators are the core's, {@link CrossEntropyLoss#denominator}).
 * Gradient, with p = softmax(z), a_i the gradient scale of token i (upstream tw_i / D for MEAN,
 * with D the denominator of its term; upstream tw_i for SUM; upstream_i tw_i for NONE):
 * <pre>{@code
 * dL/dz_ij = a_i^ce ( p_ij ((1 - eps) w[y_i] + (eps / V) W) - (1 - eps) w[y_i] [j == y_i] - (eps / V) w_j )   W = sum_j w_j
 *          + a_i^z 2 s lse_i p_ij
 * dL/du_ij = dL/dz_ij (1 - (z_ij / c)^2)          (soft-cap; 1 without)
 * dL/dinput = G W     dL/dW = G^T input     dL/db = column sums of G      (G = dL/du, rows of ignored tokens 0)
 * }</pre>
 * Statistics (on request, {@link FloatOutputs#withStats()}): tokens = |K|; accuracy = the share of
 * K whose first maximal z is the target; perplexity = exp(sum_K tw_i (lse_i - z[i, y_i]) / sum_K
 * tw_i) (no class weights, smoothing or z-loss in it); per-token lse (0 for ignored tokens).
 *
 * <p>Edge cases: every token ignored gives NaN under MEAN ({@link EmptyMeanPolicy}), 0 under SUM,
 * and zero gradients; an ignored token's row of the input gradient is 0 and its logits are never
 * computed. Class weights or token weights whose denominator is 0 give 0/0 = NaN, as PyTorch.
 *
 * <p>Cost and memory. Forward + backward: 6 N D V flops in three GEMMs per chunk (logits
 * {@code Z = H W^T}, {@code dH = G W}, {@code dW += G^T H}); loss-only (no gradient arrays): 2 N D V.
 * Transient memory: one chunk of R x V logits (R = {@link Builder#chunkRows}, default 256, or as
 * many as {@link Builder#memoryBudget} allows) plus gathered rows and per-thread GEMM workspaces,
 * never N x V; {@link #plan} reports it. Ignored tokens cost nothing.
 *
 * <p>Determinism: the value, every gradient and every statistic are bitwise the same for any
 * thread count and any chunk size. Chunk sizes are multiples of 256 (the GEMM's k-block,
 * {@link Gemm#KC_ATB}) so that the weight gradient accumulates the same blocks in the same order;
 * sums over tokens are exact.
 *
 * <p>Limits: Java arrays hold at most 2^31 - 1 elements, so V x D (the weight), N x D (the input)
 * and R x V (a chunk) must each fit: at D = 4096 a vocabulary of up to 524,287; at D = 8192 up to
 * 262,143 (Llama 3's V = 128,256 at D = 16,384 does not fit: shard the vocabulary, or the
 * weight). Larger shapes are rejected with the shape and the limit in the message.
 *
 * <p>Precision: float32 GEMMs accumulate in float (fma chains of at most 512 terms, then one add
 * per block: error about 1e-6 relative at D = 2048), the row statistics and every sum over tokens
 * in double, the bias gradient in double; float64 is float64 throughout.
 *
 * <p>Example (checked by a test): input {@code [[1, 2], [0.5, -1]]}, linear_weight
 * {@code [[0.1, 0.2], [0.3, -0.1], [-0.2, 0.4]]}, target {@code [2, 0]}: logits
 * {@code [[0.5, 0.1, 0.6], [-0.15, 0.25, -0.5]]}, MEAN = 1.0414441 (PyTorch: 1.0414440585976812 in float64).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class LinearCrossEntropyLoss extends Loss {

    /** PyTorch's defaults (MEAN, ignore_index -100), no z-loss, no soft-cap, chunks of 256 rows. */
    public static final LinearCrossEntropyLoss DEFAULTS = builder().build();

    /** Rows per chunk unless set: where the measured speed levels off (flce-notes section 6). */
    public static final int DEFAULT_CHUNK_ROWS = 256;

    private final CrossEntropyLoss ce;
    private final double[] weight;
    private final int ignoreIndex;
    private final double labelSmoothing;
    private final double zLoss;
    private final double softcap;
    private final int chunkRows;
    private final long memoryBudget;

    private LinearCrossEntropyLoss(Builder b) {
        super(b);
        this.weight = b.weight == null ? null : b.weight.clone();
        this.ignoreIndex = b.ignoreIndex;
        this.labelSmoothing = b.labelSmoothing;
        this.zLoss = b.zLoss;
        this.softcap = b.softcap;
        this.chunkRows = b.chunkRows;
        this.memoryBudget = b.memoryBudget;
        // the cross-entropy rules (denominators, gradient scale, reduction) are CrossEntropyLoss's
        this.ce = CrossEntropyLoss.builder().weight(weight).ignoreIndex(ignoreIndex).labelSmoothing(labelSmoothing)
                .reduction(b.reduction).emptyMean(b.emptyMean).build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this loss's options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The target value that is skipped (default -100). */
    public int ignoreIndex() {
        return ignoreIndex;
    }

    /** Label smoothing epsilon as given. */
    public double labelSmoothing() {
        return labelSmoothing;
    }

    /** A copy of the class weights, or null. */
    public double[] weight() {
        return weight == null ? null : weight.clone();
    }

    /** The z-loss coefficient s (0: off). */
    public double zLoss() {
        return zLoss;
    }

    /** The soft-cap c, or NaN when off. */
    public double softcap() {
        return softcap;
    }

    /** Rows per chunk when no memory budget is set. */
    public int chunkRows() {
        return chunkRows;
    }

    /** The memory budget in bytes, or 0 when the chunk size is {@link #chunkRows()}. */
    public long memoryBudget() {
        return memoryBudget;
    }

    // ================================================================ results

    /**
     * The scalar results of a call.
     *
     * @param value      the loss as the reduction gives it (NONE: the sum of the per-token losses);
     *                   for float32 computed in double, round with {@code (float)} for PyTorch's scalar
     * @param zLoss      the z-loss term of {@code value}, reduced the same way (NONE: its sum); 0 when off
     * @param tokens     the number of non-ignored tokens
     * @param accuracy   the share of non-ignored tokens whose argmax is the target (NaN unless
     *                   statistics were requested, or no token counts)
     * @param perplexity exp of the token-weighted mean of lse - z[target] (NaN unless requested, or no token counts)
     */
    public record Result(double value, double zLoss, long tokens, double accuracy, double perplexity) {
    }

    /**
     * Caller-owned outputs of a float32 call; every array may be null. Gradients are written (or,
     * with {@link #accumulating()}, added to what the arrays hold: gradient accumulation over
     * micro-batches). {@code tokenLoss} gets the per-token loss (N) for every reduction,
     * {@code tokenLse} the per-token log-sum-exp (N, 0 for ignored tokens); {@link #withStats()}
     * asks for accuracy and perplexity.
     */
    public record FloatOutputs(float[] gradInput, float[] gradLinearWeight, float[] gradLinearBias, boolean accumulate,
                               float[] tokenLoss, float[] tokenLse, boolean stats) {

        /** No outputs: loss only. */
        public static FloatOutputs none() {
            return new FloatOutputs(null, null, null, false, null, null, false);
        }

        /** The three gradients (any may be null; the bias gradient needs a bias), written. */
        public static FloatOutputs gradients(float[] gradInput, float[] gradLinearWeight, float[] gradLinearBias) {
            return new FloatOutputs(gradInput, gradLinearWeight, gradLinearBias, false, null, null, false);
        }

        /** The same outputs, adding the gradients to the arrays' contents instead of overwriting them. */
        public FloatOutputs accumulating() {
            return new FloatOutputs(gradInput, gradLinearWeight, gradLinearBias, true, tokenLoss, tokenLse, stats);
        }

        /** The same outputs plus the per-token loss. */
        public FloatOutputs withTokenLoss(float[] tokenLoss) {
            return new FloatOutputs(gradInput, gradLinearWeight, gradLinearBias, accumulate, tokenLoss, tokenLse, stats);
        }

        /** The same outputs plus the per-token log-sum-exp. */
        public FloatOutputs withTokenLse(float[] tokenLse) {
            return new FloatOutputs(gradInput, gradLinearWeight, gradLinearBias, accumulate, tokenLoss, tokenLse, stats);
        }

        /** The same outputs plus accuracy and perplexity in the {@link Result}. */
        public FloatOutputs withStats() {
            return new FloatOutputs(gradInput, gradLinearWeight, gradLinearBias, accumulate, tokenLoss, tokenLse, true);
        }

        boolean gradients() {
            return gradInput != null || gradLinearWeight != null || gradLinearBias != null;
        }
    }

    /** Caller-owned outputs of a float64 call; see {@link FloatOutputs}. */
    public record DoubleOutputs(double[] gradInput, double[] gradLinearWeight, double[] gradLinearBias,
                                boolean accumulate, double[] tokenLoss, double[] tokenLse, boolean stats) {

        /** No outputs: loss only. */
        public static DoubleOutputs none() {
            return new DoubleOutputs(null, null, null, false, null, null, false);
        }

        /** The three gradients (any may be null; the bias gradient needs a bias), written. */
        public static DoubleOutputs gradients(double[] gradInput, double[] gradLinearWeight, double[] gradLinearBias) {
            return new DoubleOutputs(gradInput, gradLinearWeight, gradLinearBias, false, null, null, false);
        }

        /** The same outputs, adding the gradients to the arrays' contents. */
        public DoubleOutputs accumulating() {
            return new DoubleOutputs(gradInput, gradLinearWeight, gradLinearBias, true, tokenLoss, tokenLse, stats);
        }

        /** The same outputs plus the per-token loss. */
        public DoubleOutputs withTokenLoss(double[] tokenLoss) {
            return new DoubleOutputs(gradInput, gradLinearWeight, gradLinearBias, accumulate, tokenLoss, tokenLse, stats);
        }

        /** The same outputs plus the per-token log-sum-exp. */
        public DoubleOutputs withTokenLse(double[] tokenLse) {
            return new DoubleOutputs(gradInput, gradLinearWeight, gradLinearBias, accumulate, tokenLoss, tokenLse, stats);
        }

        /** The same outputs plus accuracy and perplexity in the {@link Result}. */
        public DoubleOutputs withStats() {
            return new DoubleOutputs(gradInput, gradLinearWeight, gradLinearBias, accumulate, tokenLoss, tokenLse, true);
        }

        boolean gradients() {
            return gradInput != null || gradLinearWeight != null || gradLinearBias != null;
        }
    }

    /** The loss and freshly allocated gradients of a float32 call. */
    public record FloatGradients(Result result, float[] gradInput, float[] gradLinearWeight, float[] gradLinearBias) {
    }

    /** The loss and freshly allocated gradients of a float64 call. */
    public record DoubleGradients(Result result, double[] gradInput, double[] gradLinearWeight, double[] gradLinearBias) {
    }

    /**
     * What a call will allocate, at most (every token counted, gradients and statistics requested).
     *
     * @param chunkRows   rows per chunk R
     * @param chunks      chunks of a call with every token counted
     * @param logitsBytes the chunk of R x V logits
     * @param totalBytes  everything a call allocates: the logits chunk, gathered rows, per-thread GEMM
     *                    workspaces and row buffers, the bias gradient's double accumulator, indices
     */
    public record Plan(int chunkRows, int chunks, long logitsBytes, long totalBytes) {
    }

    /**
     * The mergeable state of a loss-only computation split over chunks of tokens (a stream): each
     * part's sums and denominators, merged exactly with {@link #plus}, reduced by {@link #result}.
     *
     * @param loss    the cross-entropy part: sum of tw_i ce_i, denominator sum of tw_i w[y_i]
     * @param zLoss   the z-loss part: sum of tw_i zl_i, denominator sum of tw_i
     * @param nll     sum of tw_i (lse_i - z[i, y_i]) over sum of tw_i (only with statistics)
     * @param correct tokens whose argmax is the target (only with statistics)
     * @param stats   whether the statistics were computed (in every part)
     */
    public record Partial(LossSum loss, LossSum zLoss, LossSum nll, long correct, boolean stats) {
        /** Nothing: the neutral element of {@link #plus}. */
        public static final Partial ZERO = new Partial(LossSum.ZERO, LossSum.ZERO, LossSum.ZERO, 0, true);

        /** Both parts, exactly. */
        public Partial plus(Partial o) {
            return new Partial(loss.plus(o.loss), zLoss.plus(o.zLoss), nll.plus(o.nll), correct + o.correct,
                    stats && o.stats);
        }
    }

    /** The scalar results of merged parts, with this loss's reduction and empty-mean policy. */
    public Result result(Partial total) {
        Check.notNull("total", total);
        double z = zLoss != 0 ? reduce(total.zLoss()) : 0;
        double value = reduce(total.loss()) + (zLoss != 0 ? z : 0);
        long tokens = total.loss().counted();
        double acc = total.stats() && tokens > 0 ? (double) total.correct() / tokens : Double.NaN;
        double ppl = total.stats() && tokens > 0 ? Math.exp(total.nll().sum() / total.nll().denominator()) : Double.NaN;
        return new Result(value, z, tokens, acc, ppl);
    }

    // ================================================================ float32

    /** The loss alone (2 N D V flops, no gradient memory). */
    public double value(float[] input, int[] inputShape, float[] linearWeight, int[] linearWeightShape,
                        float[] linearBias, int[] target) {
        return compute(input, inputShape, linearWeight, linearWeightShape, linearBias, target, null, null,
                FloatOutputs.none()).value();
    }

    /** The loss and the three gradients (the bias gradient when there is a bias), freshly allocated. */
    public FloatGradients forwardBackward(float[] input, int[] inputShape, float[] linearWeight, int[] linearWeightShape,
                                          float[] linearBias, int[] target) {
        Check.notNull("input", input);
        Check.notNull("linearWeight", linearWeight);
        float[] gi = new float[input.length];
        float[] gw = new float[linearWeight.length];
        float[] gb = linearBias == null ? null : new float[linearBias.length];
        Result r = compute(input, inputShape, linearWeight, linearWeightShape, linearBias, target, null, null,
                FloatOutputs.gradients(gi, gw, gb));
        return new FloatGradients(r, gi, gw, gb);
    }

    /**
     * The full call: validates everything, then writes the requested outputs and returns the scalar
     * results.
     *
     * @param input             (N, D) or (B, T, D), read
     * @param inputShape        its shape
     * @param linearWeight      (V, D), read
     * @param linearWeightShape {V, D}
     * @param linearBias        (V) or null, read
     * @param target            N class indices in [0, V) or ignore_index, read
     * @param tokenWeight       N weights or null, read
     * @param upstream          the gradient of the output: N values for NONE, one (or null: 1) for SUM and MEAN
     * @param out               the outputs (null: none)
     * @throws InvalidInputException before any output is written, for shapes that do not fit, targets
     *                               out of range, arrays of the wrong length, or a memory budget too small
     */
    public Result compute(float[] input, int[] inputShape, float[] linearWeight, int[] linearWeightShape,
                          float[] linearBias, int[] target, float[] tokenWeight, float[] upstream, FloatOutputs out) {
        FloatOutputs o = out == null ? FloatOutputs.none() : out;
        notNull(input, linearWeight);
        Shape s = shapes(Check.len(input), inputShape, Check.len(linearWeight), linearWeightShape, Check.len(linearBias));
        double up = scalarUpstream(Check.len(upstream), s.n, upstream == null || upstream.length == 0 ? 1 : upstream[0]);
        float[] perToken = reduction == Reduction.NONE ? upstream : null;
        checkOutputs(s, Check.len(tokenWeight), Check.len(o.gradInput()), Check.len(o.gradLinearWeight()),
                Check.len(o.gradLinearBias()), Check.len(o.tokenLoss()), Check.len(o.tokenLse()), linearBias != null);
        Denominators den = denominators(s, target, tokenWeight == null ? null : i -> tokenWeight[i]);
        int rows = chunkRowsFor(s, den.valid.length, o.gradients(), o.stats() || o.tokenLse() != null, 4);
        checkEmpty(den.ce);
        LinearCeFloat call = new LinearCeFloat(input, s.d, linearWeight, s.v, linearBias, target, tokenWeight, perToken,
                params(s), (float) capOrZero(), zLoss, threads, executor, o.gradInput(), o.gradLinearWeight(),
                o.gradLinearBias(), o.accumulate(), o.tokenLoss(), o.tokenLse(), o.stats());
        LinearCeFloat.Totals t = call.run(den.valid, den.valid.length, rows, gradScale(den.ce, up), gradScale(den.z, up));
        return result(partial(den, t.ce, t.z, t.nll, t.correct, o.stats()));
    }

    /**
     * One chunk of tokens of a loss-only computation (a stream): validates, writes the chunk's
     * per-token outputs (no gradients) and returns its mergeable sums; {@link #result} of the merged
     * parts equals one call over all the tokens, bitwise.
     */
    public Partial partial(float[] input, int[] inputShape, float[] linearWeight, int[] linearWeightShape,
                           float[] linearBias, int[] target, float[] tokenWeight, FloatOutputs out) {
        FloatOutputs o = out == null ? FloatOutputs.none() : out;
        if (o.gradients()) {
            throw Check.of("out", "must hold no gradient arrays in partial (a loss-only chunk); use compute for gradients");
        }
        notNull(input, linearWeight);
        Shape s = shapes(Check.len(input), inputShape, Check.len(linearWeight), linearWeightShape, Check.len(linearBias));
        checkOutputs(s, Check.len(tokenWeight), -1, -1, -1, Check.len(o.tokenLoss()), Check.len(o.tokenLse()),
                linearBias != null);
        Denominators den = denominators(s, target, tokenWeight == null ? null : i -> tokenWeight[i]);
        int rows = chunkRowsFor(s, den.valid.length, false, o.stats() || o.tokenLse() != null, 4);
        LinearCeFloat call = new LinearCeFloat(input, s.d, linearWeight, s.v, linearBias, target, tokenWeight, null,
                params(s), (float) capOrZero(), zLoss, threads, executor, null, null, null, false,
                o.tokenLoss(), o.tokenLse(), o.stats());
        LinearCeFloat.Totals t = call.run(den.valid, den.valid.length, rows, 1, 1);
        return partial(den, t.ce, t.z, t.nll, t.correct, o.stats());
    }

    // ================================================================ float64

    /** The loss alone (2 N D V flops, no gradient memory). */
    public double value(double[] input, int[] inputShape, double[] linearWeight, int[] linearWeightShape,
                        double[] linearBias, int[] target) {
        return compute(input, inputShape, linearWeight, linearWeightShape, linearBias, target, null, null,
                DoubleOutputs.none()).value();
    }

    /** The loss and the three gradients, freshly allocated. */
    public DoubleGradients forwardBackward(double[] input, int[] inputShape, double[] linearWeight,
                                           int[] linearWeightShape, double[] linearBias, int[] target) {
        Check.notNull("input", input);
        Check.notNull("linearWeight", linearWeight);
        double[] gi = new double[input.length];
        double[] gw = new double[linearWeight.length];
        double[] gb = linearBias == null ? null : new double[linearBias.length];
        Result r = compute(input, inputShape, linearWeight, linearWeightShape, linearBias, target, null, null,
                DoubleOutputs.gradients(gi, gw, gb));
        return new DoubleGradients(r, gi, gw, gb);
    }

    /** The full call, float64; see the float32 form. */
    public Result compute(double[] input, int[] inputShape, double[] linearWeight, int[] linearWeightShape,
                          double[] linearBias, int[] target, double[] tokenWeight, double[] upstream, DoubleOutputs out) {
        DoubleOutputs o = out == null ? DoubleOutputs.none() : out;
        notNull(input, linearWeight);
        Shape s = shapes(Check.len(input), inputShape, Check.len(linearWeight), linearWeightShape, Check.len(linearBias));
        double up = scalarUpstream(Check.len(upstream), s.n, upstream == null || upstream.length == 0 ? 1 : upstream[0]);
        double[] perToken = reduction == Reduction.NONE ? upstream : null;
        checkOutputs(s, Check.len(tokenWeight), Check.len(o.gradInput()), Check.len(o.gradLinearWeight()),
                Check.len(o.gradLinearBias()), Check.len(o.tokenLoss()), Check.len(o.tokenLse()), linearBias != null);
        Denominators den = denominators(s, target, tokenWeight == null ? null : i -> tokenWeight[i]);
        int rows = chunkRowsFor(s, den.valid.length, o.gradients(), o.stats() || o.tokenLse() != null, 8);
        checkEmpty(den.ce);
        LinearCeDouble call = new LinearCeDouble(input, s.d, linearWeight, s.v, linearBias, target, tokenWeight, perToken,
                params(s), capOrZero(), zLoss, threads, executor, o.gradInput(), o.gradLinearWeight(),
                o.gradLinearBias(), o.accumulate(), o.tokenLoss(), o.tokenLse(), o.stats());
        LinearCeDouble.Totals t = call.run(den.valid, den.valid.length, rows, gradScale(den.ce, up), gradScale(den.z, up));
        return result(partial(den, t.ce, t.z, t.nll, t.correct, o.stats()));
    }

    /** One chunk of tokens of a loss-only computation, float64; see the float32 form. */
    public Partial partial(double[] input, int[] inputShape, double[] linearWeight, int[] linearWeightShape,
                           double[] linearBias, int[] target, double[] tokenWeight, DoubleOutputs out) {
        DoubleOutputs o = out == null ? DoubleOutputs.none() : out;
        if (o.gradients()) {
            throw Check.of("out", "must hold no gradient arrays in partial (a loss-only chunk); use compute for gradients");
        }
        notNull(input, linearWeight);
        Shape s = shapes(Check.len(input), inputShape, Check.len(linearWeight), linearWeightShape, Check.len(linearBias));
        checkOutputs(s, Check.len(tokenWeight), -1, -1, -1, Check.len(o.tokenLoss()), Check.len(o.tokenLse()),
                linearBias != null);
        Denominators den = denominators(s, target, tokenWeight == null ? null : i -> tokenWeight[i]);
        int rows = chunkRowsFor(s, den.valid.length, false, o.stats() || o.tokenLse() != null, 8);
        LinearCeDouble call = new LinearCeDouble(input, s.d, linearWeight, s.v, linearBias, target, tokenWeight, null,
                params(s), capOrZero(), zLoss, threads, executor, null, null, null, false,
                o.tokenLoss(), o.tokenLse(), o.stats());
        LinearCeDouble.Totals t = call.run(den.valid, den.valid.length, rows, 1, 1);
        return partial(den, t.ce, t.z, t.nll, t.correct, o.stats());
    }

    // ================================================================ planning

    /** What a float32 call on these shapes allocates at most (see {@link Plan}). */
    public Plan plan(int[] inputShape, int[] linearWeightShape) {
        return plan(inputShape, linearWeightShape, 4);
    }

    /** What a float64 call on these shapes allocates at most. */
    public Plan planDouble(int[] inputShape, int[] linearWeightShape) {
        return plan(inputShape, linearWeightShape, 8);
    }

    private Plan plan(int[] inputShape, int[] linearWeightShape, int elem) {
        Shape s = shapes(-1, inputShape, -1, linearWeightShape, -1);
        int rows = chunkRowsFor(s, s.n, true, true, elem);
        int r = Math.min(rows, Math.max(1, s.n));
        return new Plan(r, s.n == 0 ? 0 : (s.n + r - 1) / r, (long) r * s.v * elem, bytes(s, r, s.n, true, true, elem));
    }

    /**
     * Bytes one call allocates with chunks of r rows: the logits chunk, gathered input rows and
     * their gradient, per-row values, per-thread GEMM workspaces and row buffers, the bias
     * accumulator and the token index.
     */
    private long bytes(Shape s, int r, int valid, boolean grads, boolean softmax, int elem) {
        long b = (long) r * s.v * elem;
        if (valid < s.n) {
            b += (long) r * s.d * elem * (grads ? 2 : 1);
        }
        b += (long) r * (4 + elem + 8 * 3 + 1);
        b += (long) threads * Dispatch.gemm().workspaceLength() * elem;
        if (softmax || (grads && !Double.isNaN(softcap))) {
            b += (long) Math.min(threads, r) * s.v * elem * (softmax ? 2 : 1);
        }
        if (grads) {
            b += 8L * s.v;
        }
        return b + 4L * valid;
    }

    /** Rows per chunk: the option, or the most the budget allows, in multiples of KC_ATB (all rows if fewer). */
    private int chunkRowsFor(Shape s, int valid, boolean grads, boolean softmax, int elem) {
        int all = Math.max(1, valid);
        long perChunkLimit = (Integer.MAX_VALUE - 16) / Math.max(1, s.v);
        if (memoryBudget <= 0) {
            int r = (int) Math.min(chunkRows, perChunkLimit / Gemm.KC_ATB * Gemm.KC_ATB);
            if (r < 1) {
                throw Check.of("linearWeight", "has V=%d rows: a chunk of %d rows x V logits exceeds a Java array's 2^31-1 "
                        + "elements", s.v, Gemm.KC_ATB);
            }
            return Math.min(r, all);
        }
        if (bytes(s, Math.min(all, Gemm.KC_ATB), valid, grads, softmax, elem) > memoryBudget) {
            throw Check.value("memoryBudget", memoryBudget, "bytes is too small for V=%d, D=%d: the smallest chunk (%d rows) "
                    + "needs %d bytes", s.v, s.d, Math.min(all, Gemm.KC_ATB), bytes(s, Math.min(all, Gemm.KC_ATB), valid, grads, softmax, elem));
        }
        int r = Gemm.KC_ATB;
        while (r < all && r + Gemm.KC_ATB <= perChunkLimit && bytes(s, r + Gemm.KC_ATB, valid, grads, softmax, elem) <= memoryBudget) {
            r += Gemm.KC_ATB;
        }
        return Math.min(r, all);
    }

    // ================================================================ validation and denominators

    /** N rows of D, V classes. */
    private record Shape(int n, int d, int v) {
    }

    private static void notNull(Object input, Object linearWeight) {
        Check.notNull("input", input);
        Check.notNull("linearWeight", linearWeight);
    }

    private static Shape shapes(int inputLen, int[] inputShape, int weightLen, int[] weightShape, int biasLen) {
        Check.numel("input", inputShape, inputLen);
        if (inputShape.length == 0) {
            throw Check.of("input", "must have 1 or more dimensions, (N, D) or (B, T, D); got a 0-d shape ()");
        }
        int d = inputShape[inputShape.length - 1];
        long rows = 1;
        for (int i = 0; i < inputShape.length - 1; i++) {
            rows *= inputShape[i];
            if (rows > Integer.MAX_VALUE) {
                throw Check.of("input", "of shape %s has more than %d rows", Check.shape(inputShape), Integer.MAX_VALUE);
            }
        }
        int n = (int) rows;
        Check.numel("linearWeight", weightShape, weightLen);
        if (weightShape.length != 2) {
            throw Check.of("linearWeight", "must have shape (V, D); got %s", Check.shape(weightShape));
        }
        int v = weightShape[0];
        if (v < 1) {
            throw Check.of("linearWeight", "of shape %s has no class (V=0); V must be >= 1", Check.shape(weightShape));
        }
        if (weightShape[1] != d) {
            throw Check.of("linearWeight", "of shape %s does not fit input of shape %s: its D=%d must equal the input's "
                    + "last dimension %d", Check.shape(weightShape), Check.shape(inputShape), weightShape[1], d);
        }
        if (biasLen >= 0 && biasLen != v) {
            throw Check.of("linearBias", "has %d elements but linearWeight has V=%d rows; give one bias per class or none",
                    biasLen, v);
        }
        return new Shape(n, d, v);
    }

    private void checkOutputs(Shape s, int tokenWeightLen, int gradInputLen, int gradWeightLen, int gradBiasLen,
                              int tokenLossLen, int tokenLseLen, boolean hasBias) {
        Check.optionalLength("tokenWeight", tokenWeightLen, s.n, "one weight per token (row of the input)");
        Check.optionalLength("gradInput", gradInputLen, s.n * s.d, "the input's shape");
        Check.optionalLength("gradLinearWeight", gradWeightLen, s.v * s.d, "linearWeight's shape (V, D)");
        if (gradBiasLen >= 0 && !hasBias) {
            throw Check.of("gradLinearBias", "is given but there is no linearBias");
        }
        Check.optionalLength("gradLinearBias", gradBiasLen, s.v, "one per class");
        Check.optionalLength("tokenLoss", tokenLossLen, s.n, "one loss per token");
        Check.optionalLength("tokenLse", tokenLseLen, s.n, "one value per token");
    }

    /** Token weights of either precision. */
    @FunctionalInterface
    private interface TokenWeights {
        double at(int i);
    }

    /** The denominators of a call and its non-ignored tokens in order. */
    private record Denominators(LossSum ce, LossSum z, int[] valid) {
    }

    private Denominators denominators(Shape s, int[] target, TokenWeights tw) {
        Check.notNull("target", target);
        Check.length("target", target.length, s.n, "one class index per row of the input");
        // the core's rule: validates every target and sums weight[target] over the non-ignored ones
        LossSum d = ce.denominator(new int[] {s.n, s.v}, target);
        int[] valid = new int[(int) d.counted()];
        for (int i = 0, k = 0; i < s.n; i++) {
            if (target[i] != ignoreIndex) {
                valid[k++] = i;
            }
        }
        if (tw == null) {
            ExactSum count = new ExactSum();
            count.add(valid.length);
            return new Denominators(d, LossSum.wrap(new ExactSum(), count, s.n, s.n - valid.length), valid);
        }
        // per-token weights multiply each token's term of the denominators: sum tw w[y], and sum tw
        ExactSum dce = new ExactSum();
        ExactSum dz = new ExactSum();
        for (int i : valid) {
            double t = tw.at(i);
            dce.add(weight == null ? t : t * weight[target[i]]);
            dz.add(t);
        }
        return new Denominators(LossSum.wrap(new ExactSum(), dce, s.n, s.n - valid.length),
                LossSum.wrap(new ExactSum(), dz, s.n, s.n - valid.length), valid);
    }

    private static Partial partial(Denominators den, ExactSum ce, ExactSum z, ExactSum nll, long correct, boolean stats) {
        return new Partial(den.ce.withSum(ce), den.z.withSum(z), den.z.withSum(nll), correct, stats);
    }

    private CeParams params(Shape s) {
        return new CeParams(s.v, weight, ignoreIndex, labelSmoothing > 0 ? labelSmoothing : 0);
    }

    private double capOrZero() {
        return Double.isNaN(softcap) ? 0 : softcap;
    }

    @Override
    public String toString() {
        return "LinearCrossEntropyLoss[weight=" + Arrays.toString(weight) + ", ignoreIndex=" + ignoreIndex
                + ", labelSmoothing=" + labelSmoothing + ", zLoss=" + zLoss + ", softcap=" + softcap
                + ", reduction=" + reduction.torchName() + ", chunkRows=" + chunkRows + ", memoryBudget=" + memoryBudget + "]";
    }

    /** Options of a {@link LinearCrossEntropyLoss}; each defaults to PyTorch's behaviour or to off. */
    public static final class Builder extends Loss.Builder<Builder, LinearCrossEntropyLoss> {
        private double[] weight;
        private int ignoreIndex = -100;
        private double labelSmoothing;
        private double zLoss;
        private double softcap = Double.NaN;
        private int chunkRows = DEFAULT_CHUNK_ROWS;
        private long memoryBudget;

        private Builder() {
        }

        private Builder(LinearCrossEntropyLoss from) {
            super(from);
            this.weight = from.weight;
            this.ignoreIndex = from.ignoreIndex;
            this.labelSmoothing = from.labelSmoothing;
            this.zLoss = from.zLoss;
            this.softcap = from.softcap;
            this.chunkRows = from.chunkRows;
            this.memoryBudget = from.memoryBudget;
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        String torchName() {
            return "linear_cross_entropy";
        }

        /** Per-class weights, one per row of linear_weight (copied); null for none. */
        public Builder weight(double... weight) {
            this.weight = weight == null ? null : weight.clone();
            return this;
        }

        /** Per-class weights from float32 values. */
        public Builder weight(float[] weight) {
            this.weight = Check.toDouble(weight);
            return this;
        }

        /** Targets equal to this value are skipped (no loss, no gradient, not counted). Default -100. */
        public Builder ignoreIndex(int ignoreIndex) {
            this.ignoreIndex = ignoreIndex;
            return this;
        }

        /** Label smoothing epsilon in [0, 1], as {@link CrossEntropyLoss}; values below 0 act as 0. */
        public Builder labelSmoothing(double epsilon) {
            this.labelSmoothing = Check.labelSmoothing(epsilon);
            return this;
        }

        /** Adds s * lse^2 per non-ignored token (PaLM's z-loss; 1e-4 is usual). s >= 0, finite; 0 turns it off. */
        public Builder zLoss(double s) {
            if (!(s >= 0) || Double.isInfinite(s)) {
                throw Check.value("zLoss", s, "must be >= 0 and finite (0: off)");
            }
            this.zLoss = s;
            return this;
        }

        /** Replaces every logit z by c * tanh(z / c) before everything else (Gemma 2 uses 30). c > 0, finite. */
        public Builder softcap(double c) {
            if (!(c > 0) || Double.isInfinite(c)) {
                throw Check.value("softcap", c, "must be > 0 and finite (omit it for no soft-capping)");
            }
            this.softcap = c;
            return this;
        }

        /** No soft-capping (the default). */
        public Builder noSoftcap() {
            this.softcap = Double.NaN;
            return this;
        }

        /**
         * Rows (non-ignored tokens) per chunk: a positive multiple of 256 (the GEMM's k-block), so
         * that results do not depend on it. Default 256. Clears a memory budget.
         */
        public Builder chunkRows(int rows) {
            if (rows < Gemm.KC_ATB || rows % Gemm.KC_ATB != 0) {
                throw Check.value("chunkRows", rows, "must be a positive multiple of %d (the GEMM's k-block, so that "
                        + "results do not depend on the chunk size)", Gemm.KC_ATB);
            }
            this.chunkRows = rows;
            this.memoryBudget = 0;
            return this;
        }

        /**
         * Bounds what one call allocates (see {@link LinearCrossEntropyLoss#plan}): chunks get as many
         * rows (in multiples of 256) as fit. A call whose smallest chunk does not fit is rejected
         * before any output is written. 0 clears the budget (chunks of {@link #chunkRows} rows).
         */
        public Builder memoryBudget(long bytes) {
            if (bytes < 0) {
                throw Check.value("memoryBudget", bytes, "must be >= 0 (0: no budget)");
            }
            this.memoryBudget = bytes;
            return this;
        }

        @Override
        public LinearCrossEntropyLoss build() {
            return new LinearCrossEntropyLoss(this);
        }
    }
}
