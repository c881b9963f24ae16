package io.github.xent4j.cli;

import io.github.xent4j.Xent4j;
import io.github.xent4j.cli.bench.BenchCommand;
import io.github.xent4j.cli.explain.DemoCommand;
import io.github.xent4j.cli.explain.ExplainCommand;
import io.github.xent4j.cli.io.DataException;
import io.github.xent4j.cli.io.Messages;
import io.github.xent4j.cli.loss.BceCommand;
import io.github.xent4j.cli.loss.BceWithLogitsCommand;
import io.github.xent4j.cli.loss.CrossEntropyCommand;
import io.github.xent4j.cli.loss.DistillCommand;
import io.github.xent4j.cli.loss.FocalCommand;
import io.github.xent4j.cli.loss.KlDivCommand;
import io.github.xent4j.cli.loss.LinearCrossEntropyCommand;
import io.github.xent4j.cli.loss.LogSoftmaxCommand;
import io.github.xent4j.cli.loss.NllLossCommand;
import io.github.xent4j.cli.loss.PolyCrossEntropyCommand;
import io.github.xent4j.cli.loss.SigmoidFocalCommand;
import io.github.xent4j.cli.loss.SoftmaxCommand;
import io.github.xent4j.cli.train.TrainCommand;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The {@code xent} command line.
 *
 * <p>Exit codes ({@link ExitCode}): 0 success; 1 bad data, {@code "xent COMMAND: FILE: problem"}
 * naming the file, the position and the problem; 2 bad usage, {@code "xent COMMAND: problem (see
 * 'xent COMMAND --help')"}. Every failure, whether found by picocli while parsing or by the command
 * while running, and a failed write to standard output, takes the same path: exactly one line on
 * stderr (escaped and bounded by {@link Messages}), and the output files named on the command line
 * ({@code --out} and the {@code --grad} options) are removed, so no stale result survives a failed
 * run. An interrupted run (SIGINT, SIGTERM) removes them as well, and {@link
 * io.github.xent4j.cli.io.AtomicOutput} its temporary files. Stack traces only with {@code --verbose}.
 *
 * <p>Numbers in option values are read as in data files: decimal notation, and {@code nan},
 * {@code inf}, {@code infinity} with an optional sign, in any case; Java's hexadecimal floats and
 * type suffixes ({@code 0x1p-3}, {@code 0.5d}) are refused, as are non-ASCII digits.
 */
@Command(name = "xent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "The cross-entropy family of losses, exactly as PyTorch defines them.",
        footer = {"",
                "Files: .npy is read as numpy.load reads it; .json as Python's json",
                "  (NaN, Infinity; \"0.1\" is a string, not a number); .csv/.txt one row per",
                "  line, numbers (and option values) as Python's float(): decimal, nan, inf.",
                "  A CSV has a header line only when it has 2+ columns and line 1 holds no",
                "  number: otherwise line 1 is data (a typo there is an error). A one-column",
                "  file has no header; write a name line as a # comment.",
                "Exit codes: 0 success, 1 bad data (stdout not writable included), 2 bad usage.",
                "  A failure prints one line and removes the --out/--grad files it names.",
                "Start with:  xent demo",
                "then:        xent explain --logits '[[0.1,0.3,0.6]]' --target '[0]'"},
        subcommands = {CrossEntropyCommand.class, NllLossCommand.class, BceCommand.class,
                BceWithLogitsCommand.class, KlDivCommand.class, SoftmaxCommand.class, LogSoftmaxCommand.class,
                LinearCrossEntropyCommand.class, FocalCommand.class, SigmoidFocalCommand.class,
                PolyCrossEntropyCommand.class, DistillCommand.class,
                ExplainCommand.class, DemoCommand.class, TrainCommand.class, BenchCommand.class,
                AutoComplete.GenerateCompletion.class})
public final class Main implements java.util.concurrent.Callable<Integer>, Terminal {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private boolean progress;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        CheckedStream stdout = new CheckedStream(new FileOutputStream(FileDescriptor.out));
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), 1 << 16),
                false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(
                new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        CommandLine cl = commandLine(out, err, stdout::reason);
        ((Main) cl.getCommand()).progress = stderrIsTerminal();
        AtomicBoolean finished = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!finished.get()) {
                // interrupted (SIGINT, SIGTERM): this run's outputs are not a result either
                OutputFiles.removeNamed(commandNamedIn(cl, args).getCommandSpec(), List.of(args));
            }
        }, "xent-interrupted-run"));
        int code = cl.execute(args);
        finished.set(true);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** The subcommand that {@code args} names (its first argument that is not an option), or {@code cl} itself. */
    private static CommandLine commandNamedIn(CommandLine cl, String[] args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return cl.getSubcommands().getOrDefault(a, cl);
            }
        }
        return cl;
    }

    /** The configured command line, for main and for in-process tests (writers: the JVM's). */
    public static CommandLine commandLine() {
        return commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }

    /** The configured command line writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, () -> null);
    }

    /** {@code stdoutFailure}: why writing to {@code out} failed, if known (else null). */
    private static CommandLine commandLine(PrintWriter out, PrintWriter err, Supplier<String> stdoutFailure) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        OptionValues.register(cl);
        cl.setExecutionStrategy(parseResult -> executeChecked(parseResult, stdoutFailure));
        cl.setExecutionExceptionHandler(Main::handleExecutionException);
        cl.setParameterExceptionHandler(Main::handleParameterException);
        CommandLine completion = cl.getSubcommands().get("generate-completion");
        if (completion != null) {
            completion.getCommandSpec().usageMessage().hidden(false);
        }
        return cl;
    }

    /** Whether progress bars may be drawn: only by {@link #main}, and only when stderr is a terminal. */
    @Override
    public boolean progressAllowed() {
        return progress;
    }

    /** {@code xent} without a subcommand is bad usage: show what there is, on stderr. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.BAD_USAGE;
    }

    /** The launcher tells us with -Dxent.stderr.tty; without it, fall back to the console. */
    private static boolean stderrIsTerminal() {
        String flag = System.getProperty("xent.stderr.tty");
        if (flag != null) {
            return Boolean.parseBoolean(flag);
        }
        return System.console() != null;
    }

    /**
     * Runs the command as picocli would, once the library has its kernels, then checks that
     * everything printed reached standard output: a full disk or a closed pipe is bad data, not a
     * success.
     */
    private static int executeChecked(CommandLine.ParseResult parseResult, Supplier<String> stdoutFailure) {
        try {
            Xent4j.kernels();  // an invalid -Dxent4j.kernels is bad usage, before any command prints or writes
        } catch (IllegalStateException e) {
            CommandLine root = parseResult.commandSpec().commandLine();
            return fail(root, ExitCode.BAD_USAGE, usage(root, e.getMessage()), null,
                    parseResult.originalArgs());
        }
        int code = new CommandLine.RunLast().execute(parseResult);
        List<CommandLine> commands = parseResult.asCommandLineList();
        CommandLine last = commands.get(commands.size() - 1);
        PrintWriter out = last.getOut();
        out.flush();
        if (out.checkError()) {
            String reason = stdoutFailure.get();
            throw new CommandLine.ExecutionException(last, "stdout", new DataException(
                    "standard output: cannot write" + (reason == null ? "" : ": " + reason)));
        }
        return code;
    }

    private static int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
        boolean verbose = cl.getCommand() instanceof Verbosity v && v.verbose();
        List<String> args = parseResult == null ? List.of() : parseResult.originalArgs();
        if (e instanceof UsageException) {
            return fail(cl, ExitCode.BAD_USAGE, usage(cl, e.getMessage()), null, args);
        }
        String message;
        if (e instanceof DataException || e instanceof IllegalArgumentException) {
            message = e.getMessage();
        } else if (e instanceof UncheckedIOException io) {
            message = io.getCause().getMessage();
        } else {
            message = "internal error: " + e + (verbose ? "" : " (run with --verbose for the stack trace)");
        }
        return fail(cl, ExitCode.BAD_DATA, message, verbose ? e : null, args);
    }

    private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        String message = e.getMessage();
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            message += "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
        }
        return fail(cl, ExitCode.BAD_USAGE, usage(cl, message), null, List.of(args));
    }

    private static String usage(CommandLine cl, String message) {
        return (message == null ? "bad usage" : message) + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')";
    }

    /**
     * The one failure path: removes the outputs named in {@code args}, prints {@code "xent COMMAND:
     * message"} as one line (and the stack trace of {@code trace} if not null), returns {@code code}.
     */
    private static int fail(CommandLine cl, int code, String message, Exception trace, List<String> args) {
        OutputFiles.removeNamed(cl.getCommandSpec(), args);
        PrintWriter err = cl.getErr();
        err.println(Messages.oneLine(cl.getCommandSpec().qualifiedName() + ": " + message));
        if (trace != null) {
            trace.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** Standard output that remembers why a write failed (PrintWriter only says that one did). */
    private static final class CheckedStream extends FilterOutputStream {
        private volatile String reason;

        CheckedStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                reason = e.getMessage();
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                reason = e.getMessage();
                throw e;
            }
        }

        String reason() {
            return reason;
        }
    }

    /** {@code xent --version}: the version and the active kernels (and why they are scalar, when they are). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String kernels = Xent4j.kernels();
            if (kernels.equals("scalar") && ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                kernels += " (the Vector API kernels need java --add-modules jdk.incubator.vector, as ./xent runs it)";
            }
            return new String[] {"xent " + Xent4j.version(), "kernels: " + kernels,
                    "java: " + System.getProperty("java.version")};
        }
    }
}
