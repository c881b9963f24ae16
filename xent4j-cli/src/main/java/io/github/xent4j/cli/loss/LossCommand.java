package io.github.xent4j.cli.loss;

import io.github.xent4j.Reduction;
import io.github.xent4j.cli.ExitCode;
import io.github.xent4j.cli.ProgressBar;
import io.github.xent4j.cli.RunOptions;
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

/**
 * The engine shared by the loss commands: open the inputs (memory-mapping .npy files), let the
 * command validate them and work out the MEAN denominator from the targets, then stream the input
 * in chunks of rows through the core, writing the gradient and the per-position losses as they
 * come, and print the reduced loss.
 *
 * <p>A run that fits in one chunk makes exactly one core call with the requested reduction. A
 * streamed run calls the core per chunk with reduction SUM and the upstream gradient 1/D (D known
 * from the targets before the input is read), so the gradient is written in one pass, and adds
 * the chunks' sums in order.
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
    RunOptions run = new RunOptions();

    @Option(names = "--out", order = 8, paramLabel = "L",
            description = "Write the loss here (.npy in the input's dtype: a 0-d array for mean/sum, "
                    + "the per-position losses for none; .csv and .json also work).")
    Path out;

    @Option(names = "--grad", order = 9, paramLabel = "G",
            description = "Write d(sum of the loss output)/d(input) here (.npy, the input's shape and dtype).")
    Path grad;

    /** The --input file. */
    abstract Path input();

    /** The --target file. */
    abstract Path target();

    /** Further input files (weights), null entries allowed. */
    List<Path> otherInputs() {
        return List.of();
    }

    abstract Reduction reduction();

    /** Checks option values that parsing cannot (a range); throws {@link UsageException}. */
    void checkOptions() {
    }

    /**
     * Validates the inputs and returns the plan. Open further sources through {@code closer}.
     *
     * @throws DataException naming the file, the position and the problem
     */
    abstract Plan prepare(Source x, Source target, Precision precision, Closer closer);

    @Override
    public boolean verbose() {
        return run.verbose();
    }

    /** Opens a further input (weights), closed with the run. */
    static Source open(Path file, Closer closer) {
        return file == null ? null : closer.add(Sources.open(file));
    }

    /** Runs the loss; a failure propagates to {@code Main}, which also removes the outputs. */
    @Override
    public final Integer call() {
        checkOptions();
        checkOutputNames();
        execute();
        return ExitCode.OK;
    }

    private void execute() {
        PrintWriter stdout = spec.commandLine().getOut();
        Reduction r = reduction();
        try (Closer closer = new Closer()) {
            Source x = closer.add(Sources.open(input()));
            Precision p = Precision.of(x, "--input");
            Source t = closer.add(Sources.open(target()));
            Plan plan = prepare(x, t, p, closer);
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
                    ? Math.max(1, run.chunkElements() / Math.max(1, plan.rowElements())) : plan.rows();
            boolean single = plan.rows() <= chunkRows;
            Reduction chunkReduction = single || r == Reduction.NONE ? r : Reduction.SUM;
            Object upstream = single || r == Reduction.NONE ? null : p.scalar(plan.scale(r));
            boolean printLosses = r == Reduction.NONE && out == null;
            double total = 0;
            try (Sink gradSink = grad == null ? null : Sink.open(grad, p.dtype, x.shape());
                 Sink lossSink = r == Reduction.NONE && out != null ? Sink.open(out, p.dtype, plan.lossShape()) : null;
                 ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), main != null && main.progressAllowed(),
                         x.name(), plan.rows())) {
                long r0 = 0;
                do {
                    long r1 = single ? plan.rows() : Math.min(plan.rows(), r0 + chunkRows);
                    int n = plan.chunkable() ? (int) ((r1 - r0) * plan.rowElements()) : (int) x.numel();
                    Object xb = plan.chunkable() ? p.read(x, r0, r1, n) : p.read(x, 0, x.rows(), n);
                    int[] shape = plan.chunkable() ? Dims.chunk(x.shape(), r1 - r0) : Dims.toInt(x.shape());
                    int m = plan.chunkable() ? (int) ((r1 - r0) * plan.lossPerRow()) : plan.lossPerRow();
                    Object lossOut = r == Reduction.NONE ? p.allocate(m) : null;
                    Object gradOut = gradSink != null ? xb : null;
                    total += plan.loss().compute(r0, r1, xb, shape, chunkReduction, upstream, lossOut, gradOut);
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
                double value = single ? total : plan.reduce(r, total);
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

    private List<Path> inputs() {
        List<Path> in = new ArrayList<>();
        in.add(input());
        in.add(target());
        in.addAll(otherInputs());
        in.removeIf(java.util.Objects::isNull);
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
