package io.github.xent4j.cli.loss;

import io.github.xent4j.ClassIndices;
import io.github.xent4j.InvalidInputException;
import io.github.xent4j.LinearCrossEntropyLoss;
import io.github.xent4j.LinearCrossEntropyLoss.DoubleOutputs;
import io.github.xent4j.LinearCrossEntropyLoss.FloatOutputs;
import io.github.xent4j.LinearCrossEntropyLoss.Partial;
import io.github.xent4j.LinearCrossEntropyLoss.Result;
import io.github.xent4j.Reduction;
import io.github.xent4j.cli.ExitCode;
import io.github.xent4j.cli.ProgressBar;
import io.github.xent4j.cli.Terminal;
import io.github.xent4j.cli.UsageException;
import io.github.xent4j.cli.Verbosity;
import io.github.xent4j.cli.data.Closer;
import io.github.xent4j.cli.data.Dims;
import io.github.xent4j.cli.data.Sink;
import io.github.xent4j.cli.data.Source;
import io.github.xent4j.cli.data.Sources;
import io.github.xent4j.cli.io.DataException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * {@code xent linear-cross-entropy}: {@link LinearCrossEntropyLoss} (PyTorch's
 * {@code F.linear_cross_entropy} plus z-loss, soft-capping, token weights and statistics) over
 * files. Self-contained (it shares the file handling of the other loss commands, not their
 * engine, because it has three inputs and three gradients): the options every computing command
 * has come from {@link LossOptions}.
 *
 * <p>Loss-only runs (no {@code --grad-*}) stream a {@code .npy} input in chunks of rows through
 * {@link LinearCrossEntropyLoss#partial}, so an input larger than memory works; the merged result is
 * bitwise the one-call result. Runs with gradients read the input whole and make one call.
 */
@Command(name = "linear-cross-entropy", mixinStandardHelpOptions = true, sortOptions = false,
        resourceBundle = "io.github.xent4j.cli.loss.LinearCrossEntropyCommand",
        description = {"Cross-entropy of a linear layer's output, as torch.nn.functional.linear_cross_entropy, "
                + "without the N x V logits in memory.",
                "",
                "The input H holds hidden states of shape (N, D) or (B, T, D) (N = B*T rows), the linear weight W "
                        + "(V, D) as nn.Linear stores it, the optional bias B (V); the loss is cross-entropy of "
                        + "H . W^T + B against class indices T of shape (N) or (B, T), with PyTorch's weight, "
                        + "ignore_index, label_smoothing and reduction. Beyond PyTorch: --z-loss S adds S * lse^2 per "
                        + "non-ignored token, --softcap C replaces each logit z by C * tanh(z / C), --token-weight "
                        + "multiplies each token's loss (mean divides by the sum of token weight x class weight).",
                "The computation uses the input's dtype (float32 or float64; text files are float64); the other "
                        + "float files are converted to it. The loss is printed with 9 (float32) or 17 (float64) "
                        + "significant digits; with --reduction none and no --out, one loss per line. --stats adds "
                        + "the lines 'tokens: N', 'perplexity: P', 'z-loss: Z' and 'accuracy: A'.",
                "Without --grad-* options a .npy input larger than memory is streamed from a memory-mapped file.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  xent linear-cross-entropy --input h.npy --linear-weight w.npy --target y.npy --stats",
                "  xent linear-cross-entropy --input h.npy --linear-weight w.npy --linear-bias b.npy --target y.npy \\",
                "      --z-loss 1e-4 --grad-input dh.npy --grad-linear-weight dw.npy --grad-linear-bias db.npy"})
public final class LinearCrossEntropyCommand implements Callable<Integer>, Verbosity {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Terminal main;

    @Mixin
    LossOptions options = new LossOptions();

    @Mixin
    LossOptions.Target target = new LossOptions.Target();

    @Option(names = "--linear-weight", order = 2, required = true, paramLabel = "W",
            description = "The classifier weight, shape (V, D).")
    Path linearWeight;

    @Option(names = "--linear-bias", order = 3, paramLabel = "B", description = "The classifier bias, shape (V).")
    Path linearBias;

    @Mixin
    LossOptions.Weight weight = new LossOptions.Weight();

    @Option(names = "--token-weight", order = 6, paramLabel = "TW", description = "Per-token weights, the target's shape.")
    Path tokenWeight;

    @Option(names = "--ignore-index", order = 7, paramLabel = "N", defaultValue = "-100",
            description = "Targets equal to N count neither in the loss nor in the mean (default ${DEFAULT-VALUE}).")
    int ignoreIndex;

    @Option(names = "--label-smoothing", order = 8, paramLabel = "E", defaultValue = "0",
            description = "Label smoothing in [0, 1] (default ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--z-loss", order = 9, paramLabel = "S", defaultValue = "0",
            description = "Adds S * logsumexp(z)^2 per non-ignored token (default ${DEFAULT-VALUE}: off; 1e-4 is usual).")
    double zLoss;

    @Option(names = "--softcap", order = 10, paramLabel = "C",
            description = "Soft-caps every logit: z -> C * tanh(z / C), C > 0 (Gemma 2 uses 30). Default: off.")
    Double softcap;

    @Mixin
    LossOptions.Reductions reduction = new LossOptions.Reductions();

    @Option(names = "--out", order = 12, paramLabel = "L",
            description = "Write the loss here (.npy in the input's dtype: a 0-d array for mean/sum, the per-token "
                    + "losses, the target's shape, for none; .csv and .json also work).")
    Path out;

    @Option(names = "--grad-input", order = 13, paramLabel = "GH", description = "Write d(loss)/d(input) here (the input's shape).")
    Path gradInput;

    @Option(names = "--grad-linear-weight", order = 14, paramLabel = "GW",
            description = "Write d(loss)/d(linear weight) here, shape (V, D).")
    Path gradLinearWeight;

    @Option(names = "--grad-linear-bias", order = 15, paramLabel = "GB",
            description = "Write d(loss)/d(linear bias) here, shape (V); needs --linear-bias.")
    Path gradLinearBias;

    @Option(names = "--stats", order = 16,
            description = "After the loss, print 'tokens: N', 'perplexity: P', 'z-loss: Z' and 'accuracy: A' "
                    + "(non-ignored tokens; accuracy: argmax = target).")
    boolean stats;

    @Override
    public boolean verbose() {
        return options.run.verbose();
    }

    @Override
    public Integer call() {
        checkOptions();
        execute();
        return ExitCode.OK;
    }

    // ---------------------------------------------------------------- options

    private List<Path> outputs() {
        List<Path> o = new ArrayList<>(Arrays.asList(out, gradInput, gradLinearWeight, gradLinearBias));
        o.removeIf(Objects::isNull);
        return o;
    }

    private List<Path> inputs() {
        List<Path> in = new ArrayList<>(Arrays.asList(options.input, linearWeight, linearBias, target.file, weight.file,
                tokenWeight));
        in.removeIf(Objects::isNull);
        return in;
    }

    private boolean gradients() {
        return gradInput != null || gradLinearWeight != null || gradLinearBias != null;
    }

    /** The core loss of the options (its rules check them), without the class weights. */
    private LinearCrossEntropyLoss configured;

    private void checkOptions() {
        LinearCrossEntropyLoss.Builder b = LinearCrossEntropyLoss.builder().reduction(reduction.value.core())
                .ignoreIndex(ignoreIndex).threads(options.run.threads());
        LossCommand.option("--label-smoothing", labelSmoothing, () -> b.labelSmoothing(labelSmoothing));
        LossCommand.option("--z-loss", zLoss, () -> b.zLoss(zLoss));
        if (softcap != null) {
            LossCommand.option("--softcap", softcap, () -> b.softcap(softcap));
        }
        configured = b.build();
        if (gradLinearBias != null && linearBias == null) {
            throw new UsageException("--grad-linear-bias needs --linear-bias (there is no bias to differentiate)");
        }
        List<Path> outs = outputs();
        for (int i = 0; i < outs.size(); i++) {
            for (int j = i + 1; j < outs.size(); j++) {
                if (LossCommand.sameFile(outs.get(i), outs.get(j))) {
                    throw new UsageException("two outputs name the same file " + outs.get(i));
                }
            }
            for (Path in : inputs()) {
                if (LossCommand.sameFile(outs.get(i), in)) {
                    throw new UsageException("the output " + outs.get(i) + " would overwrite the input " + in);
                }
            }
        }
    }


    // ---------------------------------------------------------------- the run

    /** The shapes and small operands of a run, checked against each other. */
    private record Operands(Precision p, long[] hs, int n, int d, int v, long[] ts, int[] target, double[] classWeight,
                            Object w, Object bias, Object tokenWeight, Source input, Source targetFile, Source weightFile) {
    }

    private void execute() {
        PrintWriter stdout = spec.commandLine().getOut();
        Reduction r = reduction.value.core();
        try (Closer closer = new Closer()) {
            Source h = closer.add(Sources.open(options.input));
            Precision p = Precision.of(h, "--input");
            Operands o = operands(h, p, closer);
            LinearCrossEntropyLoss loss = configured.toBuilder().weight(o.classWeight).build();
            for (Path f : outputs()) {
                Sink.checkWritable(f, f == gradInput ? o.hs.length : f == gradLinearWeight ? 2 : f == gradLinearBias ? 1
                        : r == Reduction.NONE ? o.ts.length : 0);
            }
            Result result;
            Object tokenLoss = r == Reduction.NONE ? p.allocate(o.n) : null;
            if (gradients()) {
                result = withGradients(h, o, loss, tokenLoss);
            } else {
                result = streamed(h, o, loss, tokenLoss);
            }
            if (r == Reduction.NONE) {
                if (out != null) {
                    try (Sink s = Sink.open(out, p.dtype, o.ts)) {
                        p.write(s, tokenLoss, o.n);
                        s.commit();
                    }
                } else {
                    for (int i = 0; i < o.n; i++) {
                        stdout.println(p.format(tokenLoss, i));
                    }
                }
            } else {
                if (out != null) {
                    try (Sink s = Sink.open(out, p.dtype, new long[0])) {
                        p.write(s, p.scalar(result.value()), 1);
                        s.commit();
                    }
                }
                stdout.println(p.format(result.value()));
            }
            if (stats) {
                stdout.println("tokens: " + result.tokens());
                stdout.println("perplexity: " + p.format(result.perplexity()));
                stdout.println("z-loss: " + p.format(result.zLoss()));
                stdout.println("accuracy: " + p.format(result.accuracy()));
            }
            stdout.flush();
        }
    }

    /** One call with every gradient; the input is read whole. */
    private Result withGradients(Source h, Operands o, LinearCrossEntropyLoss loss, Object tokenLoss) {
        Precision p = o.p;
        long numel = h.numel();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new DataException(h.name() + ": an input of shape " + Dims.format(h.shape()) + " has more than 2^31 "
                    + "elements, too many for one call with gradients (loss-only runs stream it)");
        }
        Object hb = p.read(h, 0, h.rows(), (int) numel);
        int[] hs = new int[] {o.n, o.d};
        Object gi = gradInput != null ? p.allocate((int) numel) : null;
        Object gw = gradLinearWeight != null ? p.allocate(o.v * o.d) : null;
        Object gb = gradLinearBias != null ? p.allocate(o.v) : null;
        Result result;
        if (p == Precision.FLOAT32) {
            FloatOutputs fo = FloatOutputs.gradients((float[]) gi, (float[]) gw, (float[]) gb).withTokenLoss((float[]) tokenLoss);
            result = call(o, 0, () -> loss.compute((float[]) hb, hs, (float[]) o.w, new int[] {o.v, o.d}, (float[]) o.bias,
                    o.target, (float[]) o.tokenWeight, null, stats ? fo.withStats() : fo));
        } else {
            DoubleOutputs dout = DoubleOutputs.gradients((double[]) gi, (double[]) gw, (double[]) gb)
                    .withTokenLoss((double[]) tokenLoss);
            result = call(o, 0, () -> loss.compute((double[]) hb, hs, (double[]) o.w, new int[] {o.v, o.d}, (double[]) o.bias,
                    o.target, (double[]) o.tokenWeight, null, stats ? dout.withStats() : dout));
        }
        write(gradInput, p, gi, h.shape());
        write(gradLinearWeight, p, gw, new long[] {o.v, o.d});
        write(gradLinearBias, p, gb, new long[] {o.v});
        return result;
    }

    /** Loss only: the input in chunks of rows, merged exactly. */
    private Result streamed(Source h, Operands o, LinearCrossEntropyLoss loss, Object tokenLoss) {
        Precision p = o.p;
        long perRow = Math.max(1, o.d);
        // chunks of whole rows of the input's leading dimension, about chunk-elements each
        // a (D) input is one token: read it whole
        boolean one = h.rank() == 1;
        long rows = one ? 1 : h.rows();
        long tokensPerRow = one || rows == 0 ? 1 : o.n / rows;
        long step = Math.max(1, options.run.chunkElements() / (perRow * Math.max(1, tokensPerRow)));
        Partial total = Partial.ZERO;
        try (ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), main != null && main.progressAllowed(),
                h.name(), rows)) {
            for (long r0 = 0; r0 < rows; r0 += step) {
                long r1 = Math.min(rows, r0 + step);
                int t0 = (int) (r0 * tokensPerRow);
                int m = (int) ((r1 - r0) * tokensPerRow);
                Object hb = one ? p.read(h, 0, h.rows(), o.d) : p.read(h, r0, r1, (int) ((long) m * o.d));
                int[] target = Arrays.copyOfRange(o.target, t0, t0 + m);
                int[] hs = {m, o.d};
                Object tl = tokenLoss == null ? null : p.allocate(m);
                Partial part;
                if (p == Precision.FLOAT32) {
                    float[] tw = o.tokenWeight == null ? null : Arrays.copyOfRange((float[]) o.tokenWeight, t0, t0 + m);
                    FloatOutputs fo = FloatOutputs.none().withTokenLoss((float[]) tl);
                    part = call(o, t0, () -> loss.partial((float[]) hb, hs, (float[]) o.w, new int[] {o.v, o.d}, (float[]) o.bias,
                            target, tw, stats ? fo.withStats() : fo));
                } else {
                    double[] tw = o.tokenWeight == null ? null : Arrays.copyOfRange((double[]) o.tokenWeight, t0, t0 + m);
                    DoubleOutputs dout = DoubleOutputs.none().withTokenLoss((double[]) tl);
                    part = call(o, t0, () -> loss.partial((double[]) hb, hs, (double[]) o.w, new int[] {o.v, o.d}, (double[]) o.bias,
                            target, tw, stats ? dout.withStats() : dout));
                }
                if (tl != null) {
                    System.arraycopy(tl, 0, tokenLoss, t0, m);
                }
                total = total.plus(part);
                bar.update(r1);
            }
        }
        return loss.result(total);
    }

    /**
     * A core call on the tokens from {@code t0} on; its complaint becomes a data error in the files'
     * terms (a target out of range names the target file and its position there).
     */
    private <T> T call(Operands o, int t0, java.util.function.Supplier<T> c) {
        try {
            return c.get();
        } catch (InvalidInputException e) {
            throw IndexTargets.restate(e, o.targetFile, o.ts, t0, o.v, ignoreIndex, o.weightFile, o.input);
        }
    }

    private static void write(Path file, Precision p, Object data, long[] shape) {
        if (file == null) {
            return;
        }
        try (Sink s = Sink.open(file, p.dtype, shape)) {
            p.write(s, data, Precision.length(data));
            s.commit();
        }
    }

    /** Opens and checks every operand but the input's data. */
    private Operands operands(Source h, Precision p, Closer closer) {
        long[] hs = h.shape();
        if (hs.length == 0) {
            throw new DataException(h.name() + ": the input must have shape (N, D) or (B, T, D), but its shape is ()");
        }
        long dl = hs[hs.length - 1];
        long[] ts = Arrays.copyOf(hs, hs.length - 1);
        long nl = Dims.numel(ts);
        if (nl > Integer.MAX_VALUE - 8) {
            throw new DataException(h.name() + ": " + nl + " rows are more than this command handles (2^31)");
        }
        int n = (int) nl;
        int d = (int) dl;
        Source ws = closer.add(Sources.open(linearWeight));
        long[] wsh = ws.shape();
        if (wsh.length != 2 || wsh[1] != dl || wsh[0] < 1) {
            throw new DataException(ws.name() + ": --linear-weight must have shape (V, " + dl + ") with V >= 1, the input's "
                    + "last dimension " + dl + " as its second, but its shape is " + Dims.format(wsh));
        }
        if (wsh[0] * dl > Integer.MAX_VALUE - 8) {
            throw new DataException(ws.name() + ": --linear-weight of shape " + Dims.format(wsh) + " has more than 2^31-1 "
                    + "elements, a Java array's limit (V x D must be below 2147483647)");
        }
        if (!ws.isFloating() && !ws.textual()) {
            throw new DataException(ws.name() + ": --linear-weight must hold floating-point numbers, got " + ws.dtypeName());
        }
        int v = (int) wsh[0];
        Object w = p.read(ws, 0, ws.rows(), v * d);
        Object bias = null;
        if (linearBias != null) {
            Source bs = closer.add(Sources.open(linearBias));
            if (bs.rank() != 1 || bs.shape()[0] != v) {
                throw new DataException(bs.name() + ": --linear-bias must have shape (" + v + ",), one per row of the linear "
                        + "weight, but its shape is " + Dims.format(bs.shape()));
            }
            bias = p.read(bs, 0, bs.rows(), v);
        }
        Source cws = LossCommand.open(weight.file, closer);
        double[] cw = IndexTargets.weights(cws, "--weight");
        Source t = closer.add(Sources.open(target.file));
        if (t.isFloating()) {
            throw new DataException(t.name() + ": class-index targets must be integers, but the target holds " + t.dtypeName());
        }
        if (!Dims.equal(t.shape(), ts)) {
            throw new DataException(t.name() + ": target shape " + Dims.format(t.shape()) + " does not match the input "
                    + h.name() + " of shape " + Dims.format(hs) + ": expected " + Dims.format(ts)
                    + " (the input's shape without its last dimension D)");
        }
        long[] raw = new long[n];
        t.read(0, t.rows(), raw, 0);
        int[] y;
        try {
            y = ClassIndices.toInt(raw); // the range is the core's rule, checked by the loss's call
        } catch (InvalidInputException e) {
            throw IndexTargets.restate(e, t, ts, 0, v, ignoreIndex, cws, h);
        }
        Object tw = null;
        if (tokenWeight != null) {
            Source tws = closer.add(Sources.open(tokenWeight));
            if (!Dims.equal(tws.shape(), ts)) {
                throw new DataException(tws.name() + ": --token-weight must have the target's shape " + Dims.format(ts)
                        + ", one weight per token, but its shape is " + Dims.format(tws.shape()));
            }
            tw = p.read(tws, 0, tws.rows(), n);
        }
        return new Operands(p, hs, n, d, v, ts, y, cw, w, bias, tw, h, t, cws);
    }
}
