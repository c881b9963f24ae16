package io.github.xent4j.cli;

import io.github.xent4j.Xent4j;
import io.github.xent4j.cli.bench.BenchCommand;
import io.github.xent4j.cli.explain.DemoCommand;
import io.github.xent4j.cli.explain.ExplainCommand;
import io.github.xent4j.cli.io.DataException;
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
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The {@code xent} command line.
 *
 * <p>Exit codes: 0 success; 1 bad data, with one line on stderr, {@code "xent COMMAND: FILE: problem"},
 * naming the file, the position and the problem; 2 bad usage, with picocli's message and a hint to
 * {@code --help}. Stack traces only with {@code --verbose}.
 */
@Command(name = "xent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "The cross-entropy family of losses, exactly as PyTorch defines them.",
        footer = {"", "Exit codes: 0 success, 1 bad data, 2 bad usage.",
                "Start with:  xent demo",
                "then:        xent explain --logits '[[0.1,0.3,0.6]]' --target '[0]'"},
        subcommands = {CrossEntropyCommand.class, NllLossCommand.class, BceCommand.class,
                BceWithLogitsCommand.class, KlDivCommand.class, SoftmaxCommand.class, LogSoftmaxCommand.class,
                LinearCrossEntropyCommand.class, FocalCommand.class, SigmoidFocalCommand.class,
                PolyCrossEntropyCommand.class, DistillCommand.class,
                ExplainCommand.class, DemoCommand.class, TrainCommand.class, BenchCommand.class,
                AutoComplete.GenerateCompletion.class})
public final class Main implements java.util.concurrent.Callable<Integer> {

    public static final int OK = 0;
    public static final int BAD_DATA = 1;
    public static final int BAD_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private boolean progress;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(
                new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(
                new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        CommandLine cl = commandLine(out, err);
        ((Main) cl.getCommand()).progress = stderrIsTerminal();
        int code = cl.execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** The configured command line, for main and for in-process tests (writers: the JVM's). */
    public static CommandLine commandLine() {
        return commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }

    /** The configured command line writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(Main::handleExecutionException);
        cl.setParameterExceptionHandler(Main::handleParameterException);
        cl.setExecutionStrategy(Main::executeWithKernels);
        CommandLine completion = cl.getSubcommands().get("generate-completion");
        if (completion != null) {
            completion.getCommandSpec().usageMessage().hidden(false);
        }
        return cl;
    }

    /** Whether progress bars may be drawn: only by {@link #main}, and only when stderr is a terminal. */
    public boolean progressAllowed() {
        return progress;
    }

    /** {@code xent} without a subcommand is bad usage: show what there is, on stderr. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return BAD_USAGE;
    }

    /** The launcher tells us with -Dxent.stderr.tty; without it, fall back to the console. */
    private static boolean stderrIsTerminal() {
        String flag = System.getProperty("xent.stderr.tty");
        if (flag != null) {
            return Boolean.parseBoolean(flag);
        }
        return System.console() != null;
    }

    private static int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        Object command = cl.getCommand();
        boolean verbose = command instanceof Verbosity v && v.verbose();
        if (e instanceof UsageException) {
            err.println(oneLine(e.getMessage()));
            err.println("Try '" + qualifiedName(cl) + " --help' for more information.");
            err.flush();
            return BAD_USAGE;
        }
        String message;
        if (e instanceof DataException || e instanceof IllegalArgumentException) {
            message = e.getMessage();
        } else if (e instanceof UncheckedIOException io) {
            message = io.getCause().getMessage();
        } else {
            message = "internal error: " + e + (verbose ? "" : " (run with --verbose for the stack trace)");
        }
        err.println(qualifiedName(cl) + ": " + oneLine(message));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return BAD_DATA;
    }

    private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(oneLine(e.getMessage()));
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + qualifiedName(cl) + " --help' for more information.");
        err.flush();
        return BAD_USAGE;
    }

    private static String qualifiedName(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName();
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    /**
     * Runs the parsed command (or its --help, --version) once the library has its kernels: an invalid
     * {@code -Dxent4j.kernels} is bad usage, one line, before any command prints or writes anything.
     */
    private static int executeWithKernels(CommandLine.ParseResult parseResult) {
        try {
            Xent4j.kernels();
        } catch (IllegalStateException e) {
            PrintWriter err = parseResult.commandSpec().commandLine().getErr();
            err.println("xent: " + oneLine(e.getMessage()));
            err.flush();
            return BAD_USAGE;
        }
        return new CommandLine.RunLast().execute(parseResult);
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
