package io.github.xent4j.cli.loss;

import io.github.xent4j.InvalidInputException;
import io.github.xent4j.Loss;
import io.github.xent4j.LossSum;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The engine shared by the loss commands: open the inputs (memory-mapping .npy files), let the
 * command check what only a file has (dtypes, file shapes) and describe the core calls, then
 * stream the input in chunks of rows through the core, writing the gradient and the per-position
 * losses as they come, and print the reduced loss. The shapes, targets, ranges and reductions are
 * the core's rules; its {@link InvalidInputException}s are restated in the files' terms.
 *
 * <p>A run that fits in one chunk makes exactly one core call, {@code compute} with the requested
 * reduction (the targets are scanned once, by the core). A streamed run first merges the chunks'
 * {@code denominator}s, from the targets alone (so every target is checked before any output, and
 * the gradient scales, {@link Loss#gradScale}, are known), then calls {@code partial} per chunk, writing
 * the gradient in one pass, and merges the chunks' {@link LossSum}s; the value is
 * {@link Loss#reduce} of the merged pairs: bitwise the one-call result.
 *
 * <p>Outputs go to temporary files that are renamed into place only after the whole run
 * succeeded; when a run fails, {@code Main} also removes an older file of the same name, so no
 * stale result remains.
 */
public abstract class LossCommand implements Callable<Integer>, Verbosity {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Terminal main;

    @Mixin
    LossOptions options = new LossOptions();

    @Option(names = "--out", order = 8, paramLabel = "L",
            description = "Write the loss here (.npy in the input's dtype: a 0-d array for mean/sum, "
                    + "the per-position losses for none; .csv and .json also work).")
    Path out;

    @Option(names = "--grad", order = 9, paramLabel = "G",
            description = "Write d(sum of the loss output)/d(input) here (.npy, the input's shape and dtype).")
    Path grad;

    /** The --reduction option's value, whichever enum the command spells it with. */
    final Reduction reduction() {
        return ((Choice) spec.findOption("--reduction").getValue()).core();
    }

    /** The validated --threads. */
    final int threads() {
        return options.run.threads();
    }

    /**
     * Sets an option on a core builder; the core's rule for it decides, and its complaint becomes
     * bad usage naming the option: {@code --label-smoothing=1.5 must be between 0.0 and 1.0}.
     */
    public static void option(String name, Object value, Runnable set) {
        try {
            set.run();
        } catch (InvalidInputException e) {
            throw new UsageException(name + "=" + value + " " + e.requirement());
        }
    }

    /** Checks option values that parsing cannot (a range); throws {@link UsageException}. */
    void checkOptions() {
    }

    /**
     * Checks what the core cannot see (dtypes, file shapes) and describes the core calls. Open
     * further sources through {@code closer}.
     *
     * @throws DataException naming the file, the position and the problem
     */
    abstract Plan prepare(Source x, Precision precision, Closer closer);

    @Override
    public boolean verbose() {
        return options.run.verbose();
    }

    /** Opens a further input (weights), closed with the run. */
    static Source open(Path file, Closer closer) {
        return file == null ? null : closer.add(Sources.open(file));
    }

    /** Runs the loss; a failure propagates to {@code Main}, which also removes the outputs. */
    @Override
    public final Integer call() {
        threads();
        checkOptions();
        checkOutputNames();
        execute();
        return ExitCode.OK;
    }

    private void execute() {
        PrintWriter stdout = spec.commandLine().getOut();
        Reduction r = reduction();
        try (Closer closer = new Closer()) {
            Source x = closer.add(Sources.open(options.input));
            Precision p = Precision.of(x, "--input");
            Plan plan = prepare(x, p, closer);
            Plan.Core core = plan.core();
            if (out != null) {
                Sink.checkWritable(out, r == Reduction.NONE ? plan.lossShape().length : 0);
            }
            if (grad != null) {
                Sink.checkWritable(grad, x.rank());
            }
            if (!plan.chunkable() && x.numel() > Integer.MAX_VALUE - 8) {
                throw new DataException(x.name() + ": an input of shape " + Dims.format(x.shape())
                        + " is too large to process in one piece");
            }
            long chunkRows = plan.chunkable()
                    ? Math.max(1, options.run.chunkElements() / Math.max(1, plan.rowElements())) : plan.rows();
            boolean single = plan.rows() <= chunkRows;
            LossSum denominators = LossSum.ZERO;
            if (!single) {
                // before any output: the core checks every target (a failed run prints no loss) and sums the denominators
                for (long r0 = 0; r0 < plan.rows(); r0 += chunkRows) {
                    long c0 = r0;
                    long r1 = Math.min(plan.rows(), r0 + chunkRows);
                    denominators = denominators.plus(core(core, r0, () -> core.denominator(c0, r1, Dims.chunk(x.shape(), r1 - c0))));
                }
            }
            LossSum d = denominators;
            boolean printLosses = r == Reduction.NONE && out == null;
            LossSum total = LossSum.ZERO;
            double value = Double.NaN;
            try (Sink gradSink = grad == null ? null : Sink.open(grad, p.dtype, x.shape());
                 Sink lossSink = r == Reduction.NONE && out != null ? Sink.open(out, p.dtype, plan.lossShape()) : null;
                 ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), main != null && main.progressAllowed(),
                         x.name(), plan.rows())) {
                long r0 = 0;
                do {
                    long c0 = r0;
                    long r1 = single ? plan.rows() : Math.min(plan.rows(), r0 + chunkRows);
                    int n = plan.chunkable() ? (int) ((r1 - r0) * plan.rowElements()) : (int) x.numel();
                    Object xb = plan.chunkable() ? p.read(x, r0, r1, n) : p.read(x, 0, x.rows(), n);
                    int[] shape = plan.chunkable() ? Dims.chunk(x.shape(), r1 - r0) : Dims.toInt(x.shape());
                    int m = plan.chunkable() ? (int) ((r1 - r0) * plan.lossPerRow()) : plan.lossPerRow();
                    Object lossOut = r == Reduction.NONE ? p.allocate(m) : null;
                    Object gradOut = gradSink != null ? xb : null;
                    if (single) {
                        value = core(core, 0, () -> core.compute(xb, shape, lossOut, gradOut));
                    } else {
                        total = total.plus(core(core, r0, () -> core.partial(c0, r1, xb, shape, d, lossOut, gradOut)));
                    }
                    if (gradSink != null) {
                        p.write(gradSink, xb, n);
                    }
                    if (lossSink != null) {
                        p.write(lossSink, lossOut, m);
                    } else if (printLosses) {
                        for (int i = 0; i < m; i++) {
                            stdout.println(p.format(lossOut, i));
                        }
                    }
                    bar.update(r1);
                    r0 = r1;
                } while (r0 < plan.rows());
                if (!single) {
                    value = plan.loss().reduce(total);
                }
                if (gradSink != null) {
                    gradSink.commit();
                }
                if (lossSink != null) {
                    lossSink.commit();
                }
                if (r != Reduction.NONE) {
                    if (out != null) {
                        try (Sink scalar = Sink.open(out, p.dtype, new long[0])) {
                            p.write(scalar, p.scalar(value), 1);
                            scalar.commit();
                        }
                    }
                    stdout.println(p.format(value));
                }
            }
            stdout.flush();
        }
    }

    /** A core call on rows from {@code r0} on; its complaint becomes a data error in the files' terms. */
    private static <T> T core(Plan.Core core, long r0, Supplier<T> call) {
        try {
            return call.get();
        } catch (InvalidInputException e) {
            throw core.restate(e, r0);
        }
    }

    /** The files this command reads: the values of its Path options but --out and --grad. */
    private List<Path> inputs() {
        List<Path> in = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.getValue() instanceof Path file && !o.longestName().equals("--out") && !o.longestName().equals("--grad")) {
                in.add(file);
            }
        }
        return in;
    }

    private void checkOutputNames() {
        if (out != null && grad != null && sameFile(out, grad)) {
            throw new UsageException("--out and --grad name the same file " + out);
        }
        for (Path o : new Path[] {out, grad}) {
            if (o == null) {
                continue;
            }
            for (Path in : inputs()) {
                if (sameFile(o, in)) {
                    throw new UsageException((o == out ? "--out " : "--grad ") + o + " would overwrite the input " + in);
                }
            }
        }
    }

    static boolean sameFile(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException ignored) {
            // fall through to comparing names
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
