package io.github.xent4j.cli.loss;

import io.github.xent4j.Softmax;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code xent softmax}: {@code torch.softmax} along one dimension, from file to file. */
@Command(name = "softmax", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"softmax along one dimension, as torch.softmax: exp(x - max) / sum(exp(x - max)).",
                "",
                "Without --dim, PyTorch's implicit choice for F.softmax(x): dimension 0 for 0-, 1- and 3-d inputs, "
                        + "1 otherwise. --dim may be negative (counted from the end). The output has the input's shape "
                        + "and dtype. A .npy input larger than memory is streamed when --dim is not 0.",
                ""},
        footerHeading = "%nExample:%n",
        footer = "  xent softmax --input logits.npy --dim 1 --out probs.npy")
public class SoftmaxCommand implements Callable<Integer>, Verbosity {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Terminal main;

    @Option(names = "--verbose", order = 11, description = "Show the stack trace of an error.")
    boolean verbose;

    @Option(names = "--chunk-elements", hidden = true, description = "Input elements per streamed chunk (for tests).")
    int chunkElements = RunOptions.DEFAULT_CHUNK_ELEMENTS;

    @Option(names = "--input", order = 1, required = true, paramLabel = "X", description = "The input (.npy float32/float64, .csv or .json).")
    Path input;

    @Option(names = "--dim", order = 3, paramLabel = "D", description = "The dimension to normalise (default: PyTorch's implicit choice).")
    Integer dim;

    @Option(names = "--out", order = 8, required = true, paramLabel = "Y", description = "The output (.npy, .csv or .json).")
    Path out;

    /** log_softmax instead of softmax. */
    boolean log() {
        return false;
    }

    @Override
    public boolean verbose() {
        return verbose;
    }

    @Override
    public Integer call() {
        if (LossCommand.sameFile(out, input)) {
            throw new UsageException("--out " + out + " would overwrite the input " + input);
        }
        execute();
        return ExitCode.OK;
    }

    private void execute() {
        try (Closer closer = new Closer()) {
            Source x = closer.add(Sources.open(input));
            Precision p = Precision.of(x, "--input");
            long[] xs = x.shape();
            int rank = xs.length;
            int d = dim != null ? dim : (rank == 0 || rank == 1 || rank == 3 ? 0 : 1);
            if (rank == 0 ? (d != 0 && d != -1) : (d < -rank || d >= rank)) {
                throw new DataException(x.name() + ": --dim " + d + " is out of range for shape " + Dims.format(xs)
                        + " (expected to be in range of [" + (rank == 0 ? -1 : -rank) + ", " + (rank == 0 ? 0 : rank - 1) + "])");
            }
            int axis = d < 0 ? d + rank : d;
            Sink.checkWritable(out, rank);
            boolean chunkable = rank >= 2 && axis != 0;
            if (!chunkable && x.numel() > Integer.MAX_VALUE - 8) {
                throw new DataException(x.name() + ": shape " + Dims.format(xs) + " is too large for a softmax along dimension 0; "
                        + "only a softmax along another dimension is streamed");
            }
            long rows = chunkable ? x.rows() : 1;
            int rowElements = chunkable ? x.rowSize() : (int) x.numel();
            long chunkRows = chunkable ? Math.max(1, chunkElements / Math.max(1, rowElements)) : 1;
            try (Sink sink = Sink.open(out, p.dtype, xs);
                 ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), main != null && main.progressAllowed(),
                         x.name(), rows)) {
                long r0 = 0;
                do {
                    long r1 = Math.min(rows, r0 + chunkRows);
                    int n = chunkable ? (int) ((r1 - r0) * rowElements) : rowElements;
                    Object xb = chunkable ? p.read(x, r0, r1, n) : p.read(x, 0, x.rows(), n);
                    int[] shape = chunkable ? Dims.chunk(xs, r1 - r0) : Dims.toInt(xs);
                    if (xb instanceof float[] f) {
                        if (log()) {
                            Softmax.DEFAULTS.logSoftmax(f, shape, d, f);
                        } else {
                            Softmax.DEFAULTS.softmax(f, shape, d, f);
                        }
                    } else {
                        if (log()) {
                            Softmax.DEFAULTS.logSoftmax((double[]) xb, shape, d, (double[]) xb);
                        } else {
                            Softmax.DEFAULTS.softmax((double[]) xb, shape, d, (double[]) xb);
                        }
                    }
                    p.write(sink, xb, n);
                    bar.update(r1);
                    r0 = r1;
                } while (r0 < rows);
                sink.commit();
            }
        }
    }
}
